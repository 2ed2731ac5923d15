"""An ensemble forecast read as a distribution: the seeds' rollouts give a median and central
bands per state and time, scored against the truth by the bands' coverage at a few horizons
(the share of true states inside each band, against its nominal level) and by the continuous
ranked probability score (CRPS) of the ensemble.

CRPS of an ensemble ``x_1..x_E`` at a true value ``y`` (the energy form, Gneiting & Raftery,
JASA 102, 359 (2007)): ``mean_i |x_i - y| - 1/2 mean_ij |x_i - x_j|``; it is the mean absolute
error of a single forecast when ``E = 1``, and lower is better. Members lost (NaN) are left out
state by state; a time where every member is lost scores NaN.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from physnet.errors import UserError

#: Central band levels a forecast reports by default.
LEVELS = (0.5, 0.9)
#: Horizons the calibration is read at, as shares of the rollout.
CALIBRATION_HORIZONS = (0.1, 0.5, 1.0)


def check_levels(levels: tuple[float, ...]) -> tuple[float, ...]:
    """The band levels, each strictly inside (0, 1), sorted.

    Raises:
        UserError: a level outside (0, 1), or none.
    """
    if not levels:
        raise UserError("give at least one band level in (0, 1), e.g. 0.5,0.9")
    for level in levels:
        if not 0.0 < float(level) < 1.0:
            raise UserError(f"a band level must lie strictly between 0 and 1 (a share of the ensemble), got {level}")
    return tuple(sorted(float(level) for level in levels))


@dataclass(frozen=True)
class Bands:
    """The median and central bands of an ensemble of rollouts.

    Attributes:
        median: ``(N, T, d)``.
        lower, upper: ``{level: (N, T, d)}``: the ``(1 - level)/2`` and ``(1 + level)/2``
            quantiles over the members.
        members: members that entered (not lost) per orbit and time ``(N, T)``.
    """

    median: np.ndarray
    lower: dict[float, np.ndarray]
    upper: dict[float, np.ndarray]
    members: np.ndarray


def ensemble_bands(rollouts: np.ndarray, levels: tuple[float, ...] = LEVELS, scale: float = 1.0) -> Bands:
    """Median and central bands over the members of ``rollouts`` ``(E, N, T, d)`` (NaN where a
    member is lost); ``scale`` widens (> 1) or narrows each band about the median (a fitted
    spread scale, :func:`fit_spread_scale`).

    Raises:
        UserError: a level outside (0, 1), a scale that is not positive, no members.
    """
    levels = check_levels(levels)
    if not scale > 0 or not np.isfinite(scale):
        raise UserError(f"the spread scale must be a positive number, got {scale}")
    rollouts = np.asarray(rollouts, dtype=np.float64)
    if rollouts.ndim != 4 or rollouts.shape[0] < 1:
        raise UserError(f"rollouts must be shaped (members, orbits, times, states), got {rollouts.shape}")
    members = np.isfinite(rollouts).all(axis=-1).sum(axis=0)
    with np.errstate(all="ignore"), _quiet_all_nan():
        median = np.nanmedian(rollouts, axis=0)
        lower, upper = {}, {}
        for level in levels:
            lo, hi = np.nanquantile(rollouts, [(1 - level) / 2, (1 + level) / 2], axis=0)
            lower[level] = median + scale * (lo - median)
            upper[level] = median + scale * (hi - median)
    return Bands(median, lower, upper, members)


def coverage(truth: np.ndarray, bands: Bands) -> dict[float, np.ndarray]:
    """The share of true states inside each band, per time: ``{level: (T,)}`` over the orbits
    and state components of ``truth`` ``(N, T, d)`` (NaN truth, or no member left, not counted)."""
    truth = np.asarray(truth, dtype=np.float64)
    out = {}
    for level in bands.lower:
        lo, hi = bands.lower[level], bands.upper[level]
        known = np.isfinite(truth) & np.isfinite(lo) & np.isfinite(hi)
        inside = (truth >= lo) & (truth <= hi) & known
        with np.errstate(invalid="ignore", divide="ignore"):
            out[level] = inside.sum(axis=(0, 2)) / known.sum(axis=(0, 2))
    return out


def crps(rollouts: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """The ensemble CRPS per orbit and time ``(N, T)``, summed over the state components, of
    ``rollouts`` ``(E, N, T, d)`` against ``truth`` ``(N, T, d)``; lost members left out."""
    x = np.asarray(rollouts, dtype=np.float64)
    y = np.asarray(truth, dtype=np.float64)
    ok = np.isfinite(x)
    n = ok.sum(axis=0)  # (N, T, d)
    with np.errstate(invalid="ignore", divide="ignore"):
        skill = np.where(ok, np.abs(x - y[None]), 0.0).sum(axis=0) / n
        # 1/2 E|X - X'| from the sorted members: sum_i (2i - n - 1) x_(i) / n^2
        ordered = np.sort(np.where(ok, x, np.inf), axis=0)
        rank = np.arange(1, x.shape[0] + 1).reshape(-1, 1, 1, 1)
        weights = np.where(rank <= n[None], 2 * rank - n[None] - 1, 0)
        spread = np.where(np.isfinite(ordered), ordered, 0.0) * weights
        half_pair = spread.sum(axis=0) / n**2
        value = skill - half_pair
    value = np.where((n > 0) & np.isfinite(y), value, np.nan)
    return value.sum(axis=-1)


def horizon_index(n_times: int, share: float) -> int:
    """The time index of a horizon given as a share of a rollout of ``n_times`` samples."""
    return max(1, min(n_times - 1, int(round(share * (n_times - 1)))))


def fit_spread_scale(rollouts: np.ndarray, truth: np.ndarray, level: float = 0.9) -> float:
    """The factor on every band's half-width that makes the ``level`` band hold the truth at
    its nominal rate over ``rollouts`` ``(E, N, T, d)`` and ``truth`` ``(N, T, d)``: the
    ``level`` quantile of ``|truth - median| / half-width`` over every orbit, time and state
    (times after the start). 1 for a calibrated ensemble; above 1 for one that under-states its
    uncertainty."""
    bands = ensemble_bands(rollouts, (level,))
    half = (bands.upper[level] - bands.lower[level]) / 2
    gap = np.abs(np.asarray(truth, dtype=np.float64) - bands.median)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = (gap / half)[:, 1:]
    ratio = ratio[np.isfinite(ratio) | (np.isinf(ratio) & (gap[:, 1:] > 0))]
    if ratio.size == 0:
        return 1.0
    value = float(np.quantile(np.where(np.isinf(ratio), np.finfo(float).max, ratio), level))
    return value if np.isfinite(value) and value > 0 else 1.0


@contextmanager
def _quiet_all_nan() -> Iterator[None]:
    """Silence NumPy's "All-NaN slice" warning: a time where every member is lost is NaN by design."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="All-NaN slice encountered")
        yield


__all__ = [
    "CALIBRATION_HORIZONS",
    "LEVELS",
    "Bands",
    "check_levels",
    "coverage",
    "crps",
    "ensemble_bands",
    "fit_spread_scale",
    "horizon_index",
]
