"""Forecast skill of every seed of an arm: each trained network (one ensemble, all members at
once) rolled out from the first state of each validation orbit or record, and scored against
the truth: the normalised error at a few horizons, the valid prediction time and, where the
system has an energy, its drift.

Normalised error: ``|x_model(t) - x_true(t)| / s`` with ``s`` the root-mean-square distance of
the validation states from their mean (so 1 is an error as large as the motion itself). The
valid prediction time is the first time it exceeds :data:`VPT_THRESHOLD` (0.4, the threshold
of Pathak et al., PRL 120, 024102 (2018)), or the whole rollout where it never does. An orbit
whose rollout is lost (not finite) counts at :data:`ERROR_CAP` from then on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor, nn

from physnet.data import MIN_FORECAST_SAMPLES, TaskData
from physnet.errors import UserError
from physnet.integrators.registry import member_steps
from physnet.study.model_forecast import _orbit_starts, _record_ends
from physnet.tasks.settings import smoke
from systems import generate_orbits
from systems.base import is_dissipative, is_hamiltonian

#: Normalised error above which a forecast is no longer valid.
VPT_THRESHOLD = 0.4
#: Normalised error counted for a lost (non-finite) rollout, and the cap of any error.
ERROR_CAP = 10.0
#: Rollout horizons reported, as shares of the rollout.
HORIZONS = (0.1, 0.5, 1.0)
#: At most this many validation orbits and steps per rollout (the cost grows with both).
MAX_ORBITS = 8
MAX_STEPS = 400
#: Steps per rollout under ``PHYSNET_SMOKE=1`` (:func:`physnet.tasks.settings.smoke`).
SMOKE_STEPS = 40


def skill_method(model: str) -> str:
    """The default integrator: the implicit midpoint rule (symplectic) for a Hamiltonian
    network, the discrete gradient (energy never rises) for a dissipative one, classical RK4
    otherwise."""
    if model.startswith("dhnn"):
        return "discrete-gradient"
    return "implicit-midpoint" if model.startswith("hnn") else "rk4"


@dataclass(frozen=True)
class Skill:
    """Rollouts of every member and their scores.

    Attributes:
        t: times ``(T,)``; truth: ``(N, T, d)``; rollouts: ``(E, N, T, d)`` (NaN once lost).
        error: normalised error ``(E, N, T)`` (capped); scale: the normaliser ``s``.
        metrics: per-member scores ``{name: (E,)}`` (:func:`skill_metrics`).
        method: the integrator, with ``substeps`` steps per sample; lyapunov_time: the
            system's, where known; seeds: the members' seeds, where known (a study's arm).
    """

    t: np.ndarray
    truth: np.ndarray
    rollouts: np.ndarray
    error: np.ndarray
    scale: float
    metrics: dict[str, np.ndarray]
    method: str
    lyapunov_time: float | None = None
    substeps: int = 1
    seeds: tuple[int, ...] = ()


def rollout_members(model: nn.Module, y0: Tensor, steps: int, dt: float, method: str, substeps: int = 1) -> Tensor:
    """Every member of ``model`` (a network, an ensemble, or a system) rolled out from the same
    states ``y0`` ``(N, d)``: ``steps`` samples ``dt`` apart, each reached in ``substeps``
    integration steps of ``dt / substeps``.

    Returns:
        ``(E, N, steps + 1, d)`` (``E = 1`` for a single network); NaN once a rollout is lost.
    """
    if isinstance(substeps, bool) or int(substeps) != substeps or substeps < 1:
        raise UserError(f"--substeps must be a whole number >= 1, got {substeps}")
    members = int(getattr(model, "n_members", 1))
    field: Callable[[Tensor, Tensor], Tensor] = model.vector_field  # type: ignore[assignment]
    zero = torch.zeros((), dtype=y0.dtype)
    f = lambda y: field(zero, y)  # noqa: E731
    steps_by_name = member_steps()
    if method not in steps_by_name:
        raise UserError(f"forecast skill integrates with {', '.join(steps_by_name)}, not {method!r}")
    step = steps_by_name[method]
    y = y0.unsqueeze(0).expand(members, *y0.shape).contiguous() if members > 1 else y0
    out = [y]
    h = dt / substeps
    with torch.no_grad():
        for _ in range(steps):
            for _ in range(substeps):
                y = step(model, f, y, h)
                y = torch.where(torch.isfinite(y), y, torch.full_like(y, float("nan")))
            out.append(y)
    rolled = torch.stack(out, dim=-2)  # (E, N, T, d) or (N, T, d)
    return rolled if members > 1 else rolled.unsqueeze(0)


def skill_truth(data: TaskData, n_orbits: int | None = None, max_steps: int = MAX_STEPS):
    """The starting states ``(N, d)``, times ``(T,)`` and true trajectories ``(N, T, d)`` of
    the first validation orbits: the true system integrated at tight tolerance, or the record
    itself (as long as the shortest of those records lasts)."""
    if data.dt is None:
        raise UserError("this task has no sampling interval: no forecast skill")
    if smoke():  # a smoke test of the documentation: short rollouts
        max_steps = min(max_steps, SMOKE_STEPS)
    starts = _orbit_starts(data)
    ends = _record_ends(data, starts)
    long_enough = [(row, end) for row, end in zip(starts, ends, strict=True) if end - row >= MIN_FORECAST_SAMPLES]
    if not long_enough:  # records of one or two samples are left out; none left
        raise UserError(
            "the validation records are too short to roll out (every one has fewer than "
            f"{MIN_FORECAST_SAMPLES} samples)"
        )
    rows, ends = (list(kept) for kept in zip(*long_enough[: n_orbits or MAX_ORBITS], strict=True))
    steps = min(max_steps, *(end - 1 - row for row, end in zip(rows, ends, strict=True)))
    y0 = data.x_val[rows].double().cpu()
    t = torch.arange(steps + 1, dtype=torch.float64) * data.dt
    if data.system is not None:
        truth = generate_orbits(data.system, y0, t, rtol=1e-10, atol=1e-10).states
    else:
        truth = torch.stack([data.x_val[row : row + steps + 1] for row in rows]).double().cpu()
    return y0, t, truth


def normaliser(data: TaskData) -> float:
    """Root-mean-square distance of the validation states from their mean."""
    x = data.x_val.double()
    return float(((x - x.mean(dim=0)) ** 2).sum(dim=-1).mean().sqrt()) or 1.0


def skill_metrics(error: np.ndarray, t: np.ndarray, energy_drift: np.ndarray | None) -> dict[str, np.ndarray]:
    """Per-member scores from the normalised error ``(E, N, T)``: ``rollout_error`` (its mean
    over time and orbits), ``error@H`` at each horizon (median over orbits), ``vpt`` (median
    over orbits of the valid prediction time) and ``energy_drift`` where given ``(E,)``."""
    out = {"rollout_error": error.mean(axis=(1, 2))}
    last = error.shape[-1] - 1
    for share in HORIZONS:
        out[f"error@{share:g}"] = np.median(error[:, :, int(round(share * last))], axis=1)
    over = error > VPT_THRESHOLD
    first = np.where(over.any(axis=-1), over.argmax(axis=-1), last)
    out["vpt"] = np.median(t[first], axis=1)
    if energy_drift is not None:
        out["energy_drift"] = energy_drift
    return out


#: Which way each score is better.
HIGHER_IS_BETTER = {"rollout_error": False, "vpt": True, "energy_drift": False}


def model_dtype(model: nn.Module) -> torch.dtype:
    """A model's floating dtype (float64 for a system, which has no parameters)."""
    first = next(iter(model.parameters()), None) if isinstance(model, nn.Module) else None
    return torch.float64 if first is None else first.dtype


def forecast_skill(
    model: nn.Module,
    data: TaskData,
    method: str,
    *,
    n_orbits: int | None = None,
    reference: tuple[Tensor, Tensor, Tensor] | None = None,
    substeps: int = 1,
) -> Skill:
    """Roll every member of ``model`` (or a system: the exact field) out over the first
    validation orbits with ``method`` (:func:`skill_method`), ``substeps`` integration steps per
    sample, and score them (see the module's docstring); ``reference``: what
    :func:`skill_truth` returns, computed once for several models."""
    y0, t, truth = reference if reference is not None else skill_truth(data, n_orbits)
    dtype = model_dtype(model)
    rolled = rollout_members(model, y0.to(dtype), len(t) - 1, float(data.dt or 0.0), method, substeps).double()
    scale = normaliser(data)
    raw = (rolled - truth.unsqueeze(0)).norm(dim=-1) / scale
    error = torch.nan_to_num(raw, nan=ERROR_CAP).clamp(max=ERROR_CAP).numpy()
    drift = None
    system = data.system
    energy = system.energy if system is not None and (is_hamiltonian(system) or is_dissipative(system)) else None
    if energy is not None:
        e0 = energy(truth[:, 0])  # (N,)
        # a conserved energy against its start; a decaying one against the truth's at each time
        expected = e0.unsqueeze(-1) if is_hamiltonian(system) else energy(truth)  # (N, 1) or (N, T)
        along = energy(rolled)  # (E, N, T)
        size = float(e0.abs().mean()) or 1.0
        worst = ((along - expected).abs() / size).nan_to_num(nan=ERROR_CAP).amax(dim=-1)
        drift = np.median(worst.clamp(max=ERROR_CAP).numpy(), axis=1)
    return Skill(
        t.numpy(),
        truth.numpy(),
        rolled.numpy(),
        error,
        scale,
        skill_metrics(error, t.numpy(), drift),
        method,
        getattr(data.system, "lyapunov_time", None),
        int(substeps),
    )


__all__ = [
    "ERROR_CAP",
    "HIGHER_IS_BETTER",
    "HORIZONS",
    "MAX_ORBITS",
    "MAX_STEPS",
    "VPT_THRESHOLD",
    "Skill",
    "forecast_skill",
    "model_dtype",
    "normaliser",
    "rollout_members",
    "skill_method",
    "skill_metrics",
    "skill_truth",
]
