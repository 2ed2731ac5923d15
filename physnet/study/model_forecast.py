"""Forecasts of trained models against the true orbit."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from physnet.data import TaskData
from physnet.errors import UserError
from physnet.integrators import odeint
from systems import generate_orbits


@dataclass(frozen=True)
class Forecast:
    """Rollouts of one model from validation initial states.

    Attributes:
        t: times shaped ``(T,)``.
        truth, model: states shaped ``(N, T, d)`` (true orbit, model rollout).
        error: Euclidean state error shaped ``(N, T)``.
        energy_truth, energy_model: the true system's energy along both, ``(N, T)``, or None.
        state_names: ``d`` names.
        recorded_steps: for a measured record shorter than the forecast, the steps the
            shortest record covers (truth and error are NaN beyond each record's end); None
            where the truth covers the whole forecast.
    """

    t: np.ndarray
    truth: np.ndarray
    model: np.ndarray
    error: np.ndarray
    energy_truth: np.ndarray | None
    energy_model: np.ndarray | None
    state_names: tuple[str, ...]
    recorded_steps: int | None = None


#: Largest forecast (prediction, truth and error, float64) allowed before refusing, in GB.
FORECAST_MEMORY_GB = 4.0


def check_forecast_memory(steps: int, states: int, dim: int, members: int) -> None:
    """Refuse a forecast of ``members`` x ``states`` rollouts of ``steps`` steps in ``dim``
    components that would hold more than :data:`FORECAST_MEMORY_GB` (prediction, truth, bands).

    Raises:
        UserError: naming the size and what to ask for instead.
    """
    gigabytes = 3 * (steps + 1) * states * dim * 8 * max(1, members) / 1e9
    if gigabytes > FORECAST_MEMORY_GB:
        raise UserError(
            f"--steps {steps}: the forecast would hold about {gigabytes:.0f} GB of states (limit "
            f"{FORECAST_MEMORY_GB:g} GB); ask for fewer steps or orbits"
        )


def validation_starts(data: TaskData, n_orbits: int | None = None) -> tuple[torch.Tensor, list[int]]:
    """First state of each of the first ``n_orbits`` validation orbits (or of the one
    validation series), shaped ``(N, d)``, and their row indices; ``None``: up to 3.

    Raises:
        ValueError: more orbits asked for than the validation split holds.
    """
    rows = _orbit_starts(data)
    if n_orbits is None:
        n_orbits = min(3, len(rows))
    if n_orbits > len(rows):
        raise UserError(
            f"--orbits {n_orbits}: the validation split has {len(rows)} orbit(s); ask for at most {len(rows)}"
        )
    rows = rows[:n_orbits]
    return data.x_val[rows], rows


def _orbit_starts(data: TaskData) -> list[int]:
    """The first validation row of each orbit (``[0]`` for one series)."""
    if data.val_orbit is None:
        return [0]
    orbit = data.val_orbit.cpu()
    return [0] + (torch.nonzero(orbit[1:] != orbit[:-1]).flatten() + 1).tolist()


def _record_ends(data: TaskData, rows: list[int]) -> list[int]:
    """The row after the end of the recorded trajectory that starts at each of ``rows``."""
    starts = [*_orbit_starts(data), len(data.x_val)]
    return [next(s for s in starts if s > row) for row in rows]


def forecast(
    model: nn.Module,
    data: TaskData,
    *,
    method: str = "euler",
    steps: int = 200,
    n_orbits: int | None = None,
    member: int = 0,
    options: dict | None = None,
    initial: torch.Tensor | np.ndarray | None = None,
    dt: float | None = None,
    substeps: int = 1,
) -> Forecast:
    """Roll ``model`` out (ensemble member ``member``) with ``method`` from validation initial
    states (or from ``initial``) at the data's sampling interval (or ``dt``), and compare with
    the true orbit: the true system integrated at tight tolerance, or, for measured data, the
    recorded series (none from given initial states, or past a record's end: ``truth`` and
    ``error`` are then NaN; ``recorded_steps`` says how far the records reach).

    Args:
        options: passed to the integrator (e.g. ``{"solver": "newton"}`` for implicit midpoint).
        initial: initial states ``(N, d)`` in place of the validation orbits' first states.
        dt: the step between output times (default: the data's sampling interval).
        substeps: integration steps between output times (a fixed-step method's step is ``dt / substeps``).

    Raises:
        ValueError: a method that does not fit the model, too few steps, initial states of the
            wrong shape or not finite.
    """
    if steps < 1:
        raise UserError(f"steps must be >= 1, got {steps}")
    if isinstance(substeps, bool) or int(substeps) != substeps or substeps < 1:
        raise UserError(f"--substeps must be a whole number >= 1, got {substeps}")
    dt = data.dt if dt is None else dt
    if dt is None:
        raise UserError("this task's data has no sampling interval; cannot forecast (give dt)")
    if not dt > 0:
        raise UserError(f"the forecast's step must be positive, got {dt}")
    y0, rows = (_initial_states(initial, data), []) if initial is not None else validation_starts(data, n_orbits)
    n_members = getattr(model, "n_members", 1)
    check_forecast_memory(steps, len(y0), data.x_val.shape[-1], n_members)
    t = torch.arange(steps + 1, dtype=y0.dtype, device=y0.device) * dt
    fine = torch.arange(steps * substeps + 1, dtype=y0.dtype, device=y0.device) * (dt / substeps)
    start = y0 if n_members == 1 else y0.unsqueeze(0).expand(n_members, *y0.shape).contiguous()
    with torch.no_grad():
        rolled = odeint(model, start, fine, method=method, rtol=1e-7, atol=1e-9, options=options)[::substeps]
    rolled = rolled if n_members == 1 else rolled[:, member]
    pred = rolled.movedim(0, 1).double().cpu()
    truth, recorded = reference_orbits(data, y0, None if initial is not None else rows, t.double().cpu())
    energy = getattr(data.system, "energy", None)
    e_true = e_model = None
    if energy is not None:
        e_true, e_model = energy(truth), energy(pred.nan_to_num())
    return Forecast(
        t.double().cpu().numpy(),
        truth.numpy(),
        pred.numpy(),
        (pred - truth).norm(dim=-1).numpy(),
        None if e_true is None else e_true.numpy(),
        None if e_model is None else e_model.numpy(),
        tuple(data.state_names) or tuple(f"y{i}" for i in range(truth.shape[-1])),
        recorded if recorded is not None and recorded < steps else None,
    )


def reference_orbits(
    data: TaskData, y0: torch.Tensor, rows: list[int] | None, t: torch.Tensor
) -> tuple[torch.Tensor, int | None]:
    """What a forecast from ``y0`` ``(N, d)`` at times ``t`` ``(T,)`` is checked against: the
    true system integrated at tight tolerance, or, for measured data, the validation records
    starting at ``rows`` (NaN once a record has ended; all NaN from given states, ``rows``
    None), shaped ``(N, T, d)`` float64, with the steps the shortest record covers (None: all)."""
    steps = len(t) - 1
    if data.system is not None:
        return generate_orbits(data.system, y0.double().cpu(), t, rtol=1e-10, atol=1e-10).states.cpu(), None
    record = torch.full((len(y0), steps + 1, y0.shape[-1]), float("nan"), dtype=torch.float64)
    if rows is None:  # no record to compare with
        return record, None
    lengths = [min(steps + 1, end - row) for row, end in zip(rows, _record_ends(data, rows), strict=True)]
    for i, (row, n) in enumerate(zip(rows, lengths, strict=True)):
        record[i, :n] = data.x_val[row : row + n].double().cpu()
    recorded = min(lengths) - 1
    return record, recorded if recorded < steps else None


def _initial_states(initial: torch.Tensor | np.ndarray, data: TaskData) -> torch.Tensor:
    y0 = torch.as_tensor(np.asarray(initial, dtype=np.float64)).to(data.x_val.dtype)
    d = data.x_val.shape[-1]
    if y0.ndim == 1:
        y0 = y0.unsqueeze(0)
    if y0.ndim != 2 or y0.shape[1] != d or len(y0) < 1:
        raise UserError(f"initial states must be shaped (N, {d}) for this task's state, got {tuple(y0.shape)}")
    if not bool(torch.isfinite(y0).all()):
        raise UserError("initial states must be finite (found NaN or infinity)")
    return y0
