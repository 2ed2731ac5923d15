"""What ``physnet forecast`` computes: an arm's ensemble forecast (:class:`Forecaster`) of a
study's validation orbits - with their truth, the energies along them and the ensemble's
calibration there - or of given states (the truth where the task's system is known)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import torch

from physnet.data import TaskData
from physnet.errors import UserError
from physnet.study.arm_skill import MAX_ORBITS, normaliser
from physnet.study.calibration import calibration
from physnet.study.ensemble_bands import LEVELS, ensemble_bands
from physnet.study.forecaster import EnsembleForecast, Forecaster
from physnet.study.model_forecast import _orbit_starts, check_forecast_memory, reference_orbits, validation_starts


@dataclass(frozen=True)
class OrbitForecast:
    """An ensemble forecast with what it is checked against.

    Attributes:
        forecast: the ensemble (:class:`~physnet.study.forecaster.EnsembleForecast`).
        truth: the true or recorded states ``(N, T, d)``, or None (a series from new states).
        energy, energy_truth: the system's energy along every member ``(E, N, T)`` and along
            the truth ``(N, T)``, where the system has one.
        calibration: the bands' calibration on these orbits (validation orbits only), with the
            spread scale the bands were drawn with (``scale``).
        normaliser: the spread of the validation states (errors are over it).
        recorded_steps: where the shortest validation record ends, if before the forecast does.
    """

    forecast: EnsembleForecast
    truth: np.ndarray | None
    energy: np.ndarray | None
    energy_truth: np.ndarray | None
    calibration: dict | None
    scale: float
    normaliser: float
    recorded_steps: int | None = None


def forecast_orbits(
    forecaster: Forecaster,
    data: TaskData,
    steps: int,
    *,
    n_orbits: int | None = None,
    initial: np.ndarray | None = None,
    dt: float | None = None,
    levels: tuple[float, ...] = LEVELS,
    spread_scale: float | str = 1.0,
) -> OrbitForecast:
    """The forecaster's ensemble from the first states of ``n_orbits`` validation orbits
    (default: as many as the study's forecast skill takes, up to 8) or from ``initial``
    ``(N, d)``, ``steps`` samples ``dt`` apart (default: the data's interval); a record shorter
    than the forecast has no truth past its end. ``spread_scale``: a factor on every band's
    half-width, or ``"fit"`` for the one fitted on the first half of the validation orbits
    (:mod:`physnet.study.calibration`).

    Raises:
        UserError: no sampling interval, more orbits than the validation split holds, a forecast
            too large for memory, ``"fit"`` without validation orbits, a bad scale.
    """
    dt = data.dt if dt is None else dt
    if dt is None:
        raise UserError("this task's data has no sampling interval: give --dt to forecast")
    if data.system is None and initial is None and dt != data.dt:
        raise UserError(f"--dt {dt:g}: the records are sampled every {data.dt:g}; forecast them at their own step")
    if initial is not None:
        if spread_scale == "fit":
            raise UserError("--spread-scale fit is fitted on the validation orbits: drop --initial, or give a number")
        y0, rows = forecaster.as_states(initial), None
    else:
        y0, rows = validation_starts(
            data, n_orbits if n_orbits is not None else min(MAX_ORBITS, len(_orbit_starts(data)))
        )
        y0 = forecaster.as_states(y0)
    check_forecast_memory(steps, len(y0), forecaster.dim, len(forecaster.seeds))
    times = torch.arange(steps + 1, dtype=torch.float64) * dt
    reference, recorded = reference_orbits(data, y0, rows, times)
    truth = reference.numpy() if np.isfinite(reference.numpy()).any() else None
    unscaled = forecaster.predict(y0, times.numpy(), levels=levels)
    spread = normaliser(data)
    record = None if rows is None or truth is None else calibration(unscaled.rollouts, truth, spread)
    if spread_scale == "fit":  # the scale the calibration fitted on half the orbits and checked on the rest
        fitted = None if record is None else record["spread_scale"]
        if fitted is None:
            raise UserError(
                "--spread-scale fit is fitted on half of the validation orbits and checked on the other half: it "
                "needs at least two orbits with a truth and two members; give a number instead"
            )
        scale = float(fitted["scale"])
    else:
        scale = _number(spread_scale)
    # the same rollouts, banded with the scale (no second rollout)
    fc = replace(unscaled, bands=ensemble_bands(unscaled.rollouts, levels, scale)) if scale != 1.0 else unscaled
    energy, energy_truth = _energies(data, fc.rollouts, truth)
    return OrbitForecast(fc, truth, energy, energy_truth, record, scale, spread, recorded)


def _number(scale: float | str) -> float:
    try:
        value = float(scale)
    except (TypeError, ValueError):
        raise UserError(f"--spread-scale takes a positive number or 'fit', got {scale!r}") from None
    if not value > 0 or not np.isfinite(value):
        raise UserError(f"--spread-scale must be a positive number (1: the seeds' own spread), got {scale}")
    return value


def _energies(
    data: TaskData, rollouts: np.ndarray, truth: np.ndarray | None
) -> tuple[np.ndarray | None, np.ndarray | None]:
    energy = getattr(data.system, "energy", None)
    if energy is None:
        return None, None
    with torch.no_grad():
        along = energy(torch.as_tensor(rollouts))
        true = None if truth is None else energy(torch.as_tensor(truth))
    if along is None:  # a system without an energy (van der Pol) says so by returning None
        return None, None
    return along.numpy(), None if true is None else true.numpy()


__all__ = ["OrbitForecast", "forecast_orbits"]
