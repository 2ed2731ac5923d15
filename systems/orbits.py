"""Batched orbit generation with tolerances that hold per orbit."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torchdiffeq
from torch import Tensor

from systems.base import DynamicalSystem, check_state
from systems.solver_watch import WatchedField, is_step_underflow, solver_failure


def per_orbit_rms_norm(ratio: Tensor) -> Tensor:
    """Error norm for batched adaptive integration: RMS over each orbit's components,
    then the maximum over orbits.

    torchdiffeq's default norm is the RMS over the whole batch, so one badly resolved
    orbit among many easy ones can pass the test; taking the maximum over orbits makes
    every orbit meet ``rtol``/``atol`` as if it were integrated alone.

    Args:
        ratio: error estimate over tolerance, shaped ``(..., d)``.
    Returns:
        a scalar tensor.
    """
    if ratio.ndim <= 1:
        return ratio.pow(2).mean().sqrt()
    return ratio.pow(2).mean(-1).sqrt().max()


@dataclass(frozen=True)
class Orbits:
    """Orbits sampled on a common time grid.

    Attributes:
        t: times shaped ``(T,)``.
        states: states shaped ``(N, T, d)``.
    """

    t: Tensor
    states: Tensor


def time_grid(t_end: float, dt: float, *, dtype: torch.dtype = torch.float64) -> Tensor:
    """``0, dt, 2 dt, ...`` up to ``t_end`` (included when it is a multiple), shaped ``(T,)``."""
    if not dt > 0:
        raise ValueError(f"time step must be positive, got dt={dt}")
    if not t_end > 0:
        raise ValueError(f"t_end must be positive, got {t_end}")
    n = int(round(t_end / dt)) if abs(t_end / dt - round(t_end / dt)) < 1e-9 else int(t_end // dt)
    if n < 1:
        raise ValueError(f"t_end={t_end} is shorter than one step dt={dt}")
    return torch.arange(n + 1, dtype=dtype) * dt


def check_initial_states(y0: Tensor, dim: int) -> None:
    """Raise ValueError for a wrong shape or non-finite entries in ``y0`` shaped ``(N, d)``."""
    check_state(y0, dim, "initial states")
    if not torch.isfinite(y0).all():
        rows = torch.nonzero(~torch.isfinite(y0).all(-1)).flatten().tolist()
        raise ValueError(f"initial states contain NaN or infinite values (rows {rows[:5]}); fix the input")


def check_finite_orbits(states: Tensor, t: Tensor) -> None:
    """Raise FloatingPointError naming the first orbit and time where ``states`` (``(N, T, d)``)
    stops being finite."""
    bad = ~torch.isfinite(states).all(-1)
    if bad.any():
        orbit, step = (int(i) for i in torch.nonzero(bad)[0])
        last = (
            "" if step == 0 else f"; last finite state {[float(f'{v:.4g}') for v in states[orbit, step - 1].tolist()]}"
        )
        last += "" if step == 0 else f" at t={float(t[step - 1]):.4g}"
        raise FloatingPointError(
            f"orbit {orbit} diverged (non-finite state at t={float(t[step]):.4g}{last}); "
            "use a smaller step, a tighter tolerance or another method"
        )


def generate_orbits(
    system: DynamicalSystem,
    y0: Tensor,
    t: Tensor,
    *,
    method: str = "dopri5",
    rtol: float = 1e-10,
    atol: float = 1e-10,
) -> Orbits:
    """Integrate many initial states at once with one torchdiffeq call.

    Args:
        system: any object following the system protocol.
        y0: initial states shaped ``(N, d)``; integration runs in ``y0``'s dtype
            (float64 recommended for reference orbits).
        t: output times shaped ``(T,)``, increasing, starting at the initial time.
        method: a torchdiffeq method name (adaptive ones honour ``rtol``/``atol`` per
            orbit, see :func:`per_orbit_rms_norm`). The default is dopri5: torchdiffeq's
            dopri8 takes larger steps but its dense output between steps is of low order,
            so on an output grid it is less accurate than dopri5 at the same tolerance.

    Returns:
        :class:`Orbits` with ``states`` shaped ``(N, T, d)``.
    """
    check_initial_states(y0, system.dim)
    t = t.to(dtype=y0.dtype, device=y0.device)
    options = {"norm": per_orbit_rms_norm} if method in ADAPTIVE_TORCHDIFFEQ else None
    watch = WatchedField(system.vector_field)
    try:
        with torch.no_grad():
            sol = torchdiffeq.odeint(watch, y0, t, rtol=rtol, atol=atol, method=method, options=options)
    except AssertionError as err:
        if not is_step_underflow(err):
            raise
        raise ValueError(solver_failure(watch)) from None
    states = sol.movedim(0, -2)
    check_finite_orbits(states, t)
    return Orbits(t=t, states=states)


#: torchdiffeq's adaptive-step methods (the ones that take a norm and tolerances).
ADAPTIVE_TORCHDIFFEQ = ("dopri8", "dopri5", "bosh3", "fehlberg2", "adaptive_heun")
