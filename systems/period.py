"""Period of an oscillation from a sampled series."""

from __future__ import annotations

import numpy as np


def upward_crossings(t: np.ndarray, x: np.ndarray, level: float = 0.0) -> np.ndarray:
    """Times where ``x`` crosses ``level`` upwards, located by linear interpolation.

    Args:
        t, x: samples shaped ``(T,)``.
    Returns:
        crossing times shaped ``(K,)``.
    """
    t, x = np.asarray(t, dtype=float), np.asarray(x, dtype=float) - level
    i = np.nonzero((x[:-1] < 0) & (x[1:] >= 0))[0]
    frac = -x[i] / (x[i + 1] - x[i])
    return t[i] + frac * (t[i + 1] - t[i])


def estimate_period(t: np.ndarray, x: np.ndarray, *, last: int = 3, level: float | None = None) -> float:
    """Mean interval of the last ``last`` cycles between upward crossings of ``level``
    (default: the mean of ``x`` over the second half of the series).

    Args:
        t, x: samples shaped ``(T,)``; sample finely enough for linear interpolation.
    Raises:
        ValueError: if fewer than ``last + 1`` crossings are found.
    """
    x = np.asarray(x, dtype=float)
    level = float(np.mean(x[len(x) // 2 :])) if level is None else level
    c = upward_crossings(t, x, level)
    if len(c) < last + 1:
        raise ValueError(f"found {len(c)} upward crossings; need {last + 1} to measure {last} periods")
    return float(np.mean(np.diff(c[-(last + 1) :])))
