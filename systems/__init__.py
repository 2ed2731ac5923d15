"""Dynamical systems for physnet: vector fields, Hamiltonians, samplers, orbits, datasets.

Imports neither ``physnet`` nor ``video``.
"""

from __future__ import annotations

from systems.base import (
    DynamicalSystem,
    HamiltonianSystem,
    System,
    is_dissipative,
    is_hamiltonian,
    is_separable,
    make_generator,
)
from systems.chaos import ChaosIndicators, chaos_indicators
from systems.clock import PendulumClock
from systems.clock_data import PendulumSeries, load_pendulum_series, shipped_clock_path
from systems.damped import DampedDuffing, DampedPendulum
from systems.datasets import DEFAULT_SPECS, Dataset, DatasetSpec, PairSet, make_dataset
from systems.double_pendulum import DoublePendulum
from systems.henon_heiles import HenonHeiles
from systems.lotka_volterra import LotkaVolterra
from systems.orbits import Orbits, generate_orbits, per_orbit_rms_norm, time_grid
from systems.pendulum import Pendulum
from systems.period import estimate_period
from systems.spring import MassSpring
from systems.van_der_pol import VanDerPol

#: Constructors of the built-in systems by CLI name.
SYSTEMS = {
    "van-der-pol": VanDerPol,
    "henon-heiles": HenonHeiles,
    "pendulum": Pendulum,
    "clock": PendulumClock,
    "double-pendulum": DoublePendulum,
    "mass-spring": MassSpring,
    "lotka-volterra": LotkaVolterra,
    "damped-pendulum": DampedPendulum,
    "duffing": DampedDuffing,
}


def get_system(name: str, **params) -> System:
    """Build a built-in system by name; a wrong name is a ValueError listing valid ones."""
    if name not in SYSTEMS:
        raise ValueError(f"unknown system {name!r}; valid systems: {', '.join(SYSTEMS)}")
    return SYSTEMS[name](**params)


__all__ = [
    "SYSTEMS",
    "ChaosIndicators",
    "Dataset",
    "DatasetSpec",
    "DampedDuffing",
    "DampedPendulum",
    "DEFAULT_SPECS",
    "DoublePendulum",
    "DynamicalSystem",
    "HamiltonianSystem",
    "HenonHeiles",
    "LotkaVolterra",
    "MassSpring",
    "Orbits",
    "PairSet",
    "Pendulum",
    "PendulumClock",
    "PendulumSeries",
    "System",
    "VanDerPol",
    "chaos_indicators",
    "estimate_period",
    "generate_orbits",
    "get_system",
    "is_dissipative",
    "is_hamiltonian",
    "is_separable",
    "load_pendulum_series",
    "make_dataset",
    "make_generator",
    "per_orbit_rms_norm",
    "shipped_clock_path",
    "time_grid",
]
