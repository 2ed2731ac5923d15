"""Period and amplitude decay of a swinging series (diagnostics)."""

from __future__ import annotations

import numpy as np


def crossing_times(t: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Upward zero crossings of ``x - mean(x)``, linearly interpolated, shaped ``(K,)``."""
    y = x - x.mean()
    i = np.nonzero((y[:-1] < 0) & (y[1:] >= 0))[0]
    return t[i] - y[i] * (t[i + 1] - t[i]) / (y[i + 1] - y[i])


def period(t: np.ndarray, x: np.ndarray) -> float | None:
    """Mean period over all full cycles (None with fewer than two upward crossings)."""
    c = crossing_times(t, x)
    return float((c[-1] - c[0]) / (len(c) - 1)) if len(c) >= 2 else None


def amplitude_decay(t: np.ndarray, x: np.ndarray) -> tuple[float | None, float | None]:
    """``(initial amplitude, decay rate)``: a line fitted to log(peak |x - mean|) of each
    half cycle against time; rate in 1/s, positive for decaying swings, ~0 for a clock."""
    y = x - x.mean()
    sign_change = np.nonzero(np.diff(np.sign(y)) != 0)[0]
    if len(sign_change) < 3:
        return None, None
    peaks_t, peaks = [], []
    for a, b in zip(sign_change[:-1], sign_change[1:], strict=True):
        k = a + 1 + int(np.argmax(np.abs(y[a + 1 : b + 1])))
        peaks_t.append(t[k])
        peaks.append(abs(y[k]))
    slope, intercept = np.polyfit(peaks_t, np.log(peaks), 1)
    return float(np.exp(intercept + slope * t[0])), float(-slope)
