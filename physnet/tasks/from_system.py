"""A task from any system (the :mod:`systems` protocol): simulated orbits split by orbit,
exact derivatives as targets, forecasts against the true system."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch

from physnet.data import TaskData
from physnet.errors import UserError
from physnet.tasks.from_series import check_val_fraction
from physnet.tasks.noise_floor import known_noise_floor
from physnet.tasks.settings import ModelSettings, default_settings
from physnet.tasks.spec import Task
from physnet.tasks.system_import import check_system
from systems import DatasetSpec, make_dataset
from systems.base import is_dissipative, is_hamiltonian, make_generator
from systems.datasets import NOISE_ON


def system_models(system: Any) -> tuple[str, ...]:
    """The models a system allows: ``nn``; ``hnn`` and ``dhnn`` when it is Hamiltonian (a
    conservative record teaches a dissipation near zero); ``dhnn``, and ``hnn`` to show what a
    conservative model makes of it, when it is dissipative (:func:`systems.base.is_dissipative`)."""
    if is_hamiltonian(system) or is_dissipative(system):
        return ("nn", "hnn", "dhnn")
    return ("nn",)


def check_energy_sampler(system: Any, energy: float | None) -> None:
    """Refuse an energy for a system whose sampler takes none (one line)."""
    if energy is not None and "energy" not in inspect.signature(system.sample_initial_states).parameters:
        name = getattr(system, "name", type(system).__name__)
        raise UserError(f"--energy: the sampler of {name} takes no energy; leave --energy out")


def system_data(
    system: Any, spec: DatasetSpec, *, seed: int, energy: float | None = None, dtype: torch.dtype = torch.float32
) -> TaskData:
    """Simulated pairs of ``system``: orbits from its sampler (on the shell ``energy`` where
    given), split by orbit, with the true system kept for forecasts.

    Returns:
        :class:`TaskData` with inputs and targets ``(M, d)`` and ``val_orbit`` ``(M_val,)``.
    """
    initial = None
    check_energy_sampler(system, energy)
    if energy is not None:
        initial = system.sample_initial_states(spec.n_orbits, generator=make_generator(seed=seed), energy=energy)
    ds = make_dataset(system, spec, seed=seed, initial_states=initial, dtype=dtype)
    config = {"source": "simulated", **ds.config, **({"energy": energy} if energy is not None else {})}
    return TaskData(
        ds.train.states,
        ds.train.derivatives,
        ds.val.states,
        ds.val.derivatives,
        "mse",
        tuple(system.state_names),
        config,
        val_orbit=ds.val.orbit,
        dt=spec.dt,
        system=system,
        train_orbit=ds.train.orbit,
        noise_floor=known_noise_floor(spec.noise_std, int(system.dim), on_targets=spec.noise_on == "both")
        if spec.noise_std > 0
        else None,
    )


def system_task(
    system: Any,
    *,
    name: str | None = None,
    orbits: int = 50,
    t_end: float = 20.0,
    dt: float = 0.1,
    noise: float = 0.0,
    energy: float | None = None,
    seed: int | None = None,
    val_fraction: float = 0.2,
    noise_on: str = "both",
    small_spec: DatasetSpec | None = None,
    models: tuple[str, ...] | None = None,
    settings: Mapping[str, ModelSettings] | None = None,
    description: str | None = None,
    source: Mapping[str, Any] | None = None,
    reproduce_models: tuple[str, ...] | None = None,
) -> Task:
    """A task whose data are simulated orbits of ``system``.

    Args:
        system: any object following the :mod:`systems` protocol.
        name: the task's name (default: the system's ``name``).
        orbits: the number of simulated orbits (``DatasetSpec``).
        t_end: each orbit's duration.
        dt: the sampling interval.
        noise: the standard deviation of Gaussian noise on the states and, with
            ``noise_on="both"``, the targets.
        val_fraction: share of the orbits held out for validation (whole orbits).
        noise_on: ``"both"`` (states and targets) or ``"states"`` (targets stay exact).
        energy: the energy shell of every orbit, for samplers that take one.
        seed: the data's seed (default: the seed each run passes, as for the paper's tasks).
        small_spec: the small data (default: up to 12 orbits of half the time).
        models: ``nn`` and, for Hamiltonian systems, ``hnn`` (default: those it allows,
            ``nn`` first).
        settings: per-model records (default: from the data size and dimension,
            :func:`physnet.tasks.settings.default_settings`).
        source: how to rebuild the task from a study's ``config.json`` (set by the CLI).
        reproduce_models: the models ``reproduce`` runs (default: every model of the task).

    Raises:
        ValueError: not a system, a model it does not allow, bad dataset sizes.
    """
    check_system(system, name or "the system")
    allowed = system_models(system)
    models = models or allowed
    for m in models:
        if m not in allowed:
            why = (
                "the system is neither Hamiltonian (n_dof and hamiltonian) nor dissipative (n_dof, energy and "
                "dissipation)"
                if m in ("hnn", "dhnn")
                else "not a dynamics model"
            )
            raise UserError(f"--model {m}: {why}; this system takes {', '.join(allowed)}")
    spec = DatasetSpec(
        n_orbits=orbits, t_end=t_end, dt=dt, noise_std=noise, val_fraction=val_fraction, noise_on=noise_on
    )
    _check_spec(spec)
    check_energy_sampler(system, energy)  # refused before any simulation
    small_data = small_spec or replace(spec, n_orbits=max(2, min(12, orbits)), t_end=t_end / 2)
    label: str = name or str(getattr(system, "name", type(system).__name__))

    @functools.lru_cache(maxsize=4)  # meta-learning, the comparison and the forecasts load the same data
    def simulated(data_seed: int, is_small: bool) -> TaskData:
        return system_data(system, small_data if is_small else spec, seed=data_seed, energy=energy)

    def load(*, seed: int = 0, small: bool = False, data: str | Path | None = None) -> TaskData:
        if data is not None:
            raise UserError(f"--data applies to tasks read from series files, not to {label!r}")
        return simulated(int(seed if fixed_seed is None else fixed_seed), bool(small))

    fixed_seed = seed
    if settings is None:
        per_orbit = int(round(t_end / dt)) + 1
        n_train = (orbits - max(1, int(round(val_fraction * orbits)))) * per_orbit
        settings = default_settings(n_train, int(system.dim), tuple(models))
    description = description or f"{label}: {orbits} simulated orbits of {t_end:g} time units at dt {dt:g}"
    return Task(label, description, load, settings, source=source, reproduce_models=reproduce_models or tuple(models))


def _check_spec(spec: DatasetSpec) -> None:
    if spec.n_orbits < 2:
        raise UserError(
            f"--orbits must be at least 2 (orbits are split between training and validation), got {spec.n_orbits}"
        )
    if not (spec.dt > 0 and spec.t_end >= spec.dt):
        raise UserError(f"--dt must be positive and at most --t-end, got dt {spec.dt:g}, t_end {spec.t_end:g}")
    if spec.noise_std < 0:
        raise UserError(f"--noise must be >= 0, got {spec.noise_std:g}")
    if spec.noise_on not in NOISE_ON:
        raise UserError(f"--noise-on must be one of {', '.join(NOISE_ON)}, got {spec.noise_on!r}")
    check_val_fraction(spec.val_fraction)
    n_val = max(1, int(round(spec.val_fraction * spec.n_orbits)))
    if n_val >= spec.n_orbits:
        raise UserError(
            f"--val-fraction {spec.val_fraction:g} of {spec.n_orbits} orbits leaves none to train on; "
            "lower it or give more --orbits"
        )


__all__ = ["check_system", "system_data", "system_models", "system_task"]
