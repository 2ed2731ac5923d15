"""Simulate a system: sample initial states and integrate them with any method."""

from __future__ import annotations

import inspect
from dataclasses import asdict, dataclass
from typing import Any

import torch

from physnet.errors import UserError
from physnet.integrators import check_method_fits, get_method, odeint
from physnet.tasks.system_import import load_system_object
from systems import SYSTEMS, Orbits, get_system, time_grid
from systems.orbits import check_finite_orbits, check_initial_states


@dataclass(frozen=True)
class SimulationConfig:
    """Every setting of a simulation (written to ``config.json``).

    Attributes:
        system: a built-in name (``van-der-pol``, ``henon-heiles``, ``pendulum``,
            ``clock``) or ``module:attribute`` naming a system class or instance.
        orbits: number of orbits.
        t_end: final time.
        dt: output interval, and the step of fixed-step methods.
        method: integration method (see ``physnet.METHODS``).
        seed: seed of the initial-state sampler.
        energy: energy shell for samplers that take one (Henon-Heiles).
        rtol, atol: tolerances of adaptive methods (per orbit).
    """

    system: str
    orbits: int
    t_end: float
    dt: float
    method: str = "dopri5"
    seed: int = 0
    energy: float | None = None
    rtol: float = 1e-9
    atol: float = 1e-9

    def to_dict(self) -> dict:
        return asdict(self)


#: Per-system defaults, long enough to show each system's character.
#: Largest simulation (float64 states, with the integrator's working copies) run before refusing, in GB.
SIMULATION_MEMORY_GB = 4.0

SIMULATION_DEFAULTS: dict[str, dict] = {
    # limit cycle of period ~8.5: reached and repeated about 7 times
    "van-der-pol": {"orbits": 8, "t_end": 60.0, "dt": 0.01},
    # quasi-periodic tori at low E, a chaotic sea near 1/6
    "henon-heiles": {"orbits": 6, "t_end": 200.0, "dt": 0.05},
    "pendulum": {"orbits": 8, "t_end": 30.0, "dt": 0.02},
    # amplitude relaxes to the limit cycle on a ~20 s time scale
    "clock": {"orbits": 6, "t_end": 120.0, "dt": 0.02},
    # a few swings of each bob; chaotic at the box sampler's larger amplitudes
    "double-pendulum": {"orbits": 6, "t_end": 20.0, "dt": 0.01},
    # the literature's spring: a period of 2 pi, a few periods
    "mass-spring": {"orbits": 8, "t_end": 20.0, "dt": 0.05},
    # predator-prey cycles of period ~6-10 around the equilibrium (1, 1)
    "lotka-volterra": {"orbits": 8, "t_end": 30.0, "dt": 0.05},
    # friction 0.1: the energy falls about tenfold over the record
    "damped-pendulum": {"orbits": 8, "t_end": 30.0, "dt": 0.05},
    # the double well: swings over both wells, then settles into one
    "duffing": {"orbits": 8, "t_end": 30.0, "dt": 0.05},
}


def resolve_system(spec: str):
    """A built-in system by name, or ``module:attribute`` (a class, called with no
    arguments, or an instance) for a user-defined system."""
    if ":" in spec:
        return load_system_object(spec)
    if spec not in SYSTEMS:
        raise UserError(f"unknown system {spec!r}; valid systems: {', '.join(SYSTEMS)} (or module:Class)")
    return get_system(spec)


def simulate(system: Any, config: SimulationConfig) -> Orbits:
    """Sample ``config.orbits`` initial states and integrate them to ``config.t_end``.

    Args:
        system: any system following the protocol (``systems.base``).
        config: the settings; ``seed`` makes the run reproducible.

    Returns:
        :class:`systems.Orbits` with ``t`` shaped ``(T,)`` and ``states`` shaped
        ``(orbits, T, d)``, float64.

    Raises:
        ValueError: a method that does not fit the system, a bad step or energy.
        FloatingPointError: an orbit that diverged.
    """
    method = get_method(config.method)
    check_method_fits(method, system)
    if config.orbits < 1:
        raise UserError(f"number of orbits must be at least 1, got {config.orbits}")
    samples = config.t_end / config.dt + 1 if config.dt > 0 and config.t_end > 0 else 1  # before allocating them
    gigabytes = 3 * config.orbits * samples * system.dim * 8 / 1e9  # the solution, its copy and the integrator's
    if gigabytes > SIMULATION_MEMORY_GB:
        raise UserError(
            f"{config.orbits} orbits of {samples:.0f} samples would hold about {gigabytes:.0f} GB "
            f"(limit {SIMULATION_MEMORY_GB:g} GB); ask for fewer --orbits, a shorter --t-end or a "
            "larger --dt"
        )
    t = time_grid(config.t_end, config.dt)
    kwargs = {}
    if config.energy is not None:
        params = inspect.signature(system.sample_initial_states).parameters
        if "energy" not in params:
            raise UserError(
                f"--energy applies to systems sampled on energy shells (henon-heiles), "
                f"not {getattr(system, 'name', system)!r}"
            )
        kwargs["energy"] = config.energy
    y0 = system.sample_initial_states(config.orbits, seed=config.seed, **kwargs).to(torch.float64)
    check_initial_states(y0, system.dim)
    with torch.no_grad():  # vector fields that need autograd switch it on themselves
        sol = odeint(system, y0, t, method=method.name, rtol=config.rtol, atol=config.atol)
    states = sol.detach().movedim(0, -2)
    check_finite_orbits(states, t)
    return Orbits(t=t, states=states)
