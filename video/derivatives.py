"""Angle to angular velocity and acceleration: even resampling and Savitzky-Golay filters."""

from __future__ import annotations

import numpy as np
from scipy.interpolate import CubicSpline
from scipy.signal import savgol_filter


def is_evenly_sampled(t: np.ndarray, rtol: float = 0.01) -> bool:
    """True when every interval is within ``rtol`` of the median interval."""
    dt = np.diff(t)
    med = np.median(dt)
    return bool(np.all(np.abs(dt - med) <= rtol * med))


def resample_evenly(t: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Resample ``y`` ``(T,)`` onto an even grid at the median interval of ``t`` by a
    cubic spline; returns the new times and values."""
    dt = float(np.median(np.diff(t)))
    n = int(np.floor((t[-1] - t[0]) / dt + 1e-9)) + 1
    grid = t[0] + dt * np.arange(n)
    return grid, CubicSpline(t, y)(grid)


def savgol_derivatives(
    theta: np.ndarray, dt: float, *, window: int = 23, order: int = 3
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Smoothed angle and its first two time derivatives from an evenly sampled series.

    A Savitzky-Golay filter fits a polynomial of degree ``order`` to each window of
    ``window`` samples (odd; the paper used 23 samples at 29.9 fps, about 0.77 s) and
    evaluates it and its derivatives at the centre; SciPy's ``savgol_filter`` with
    ``deriv`` and ``delta = dt``. Wider windows suppress more noise and, for a swing of
    period P, attenuate the signal once the window nears P/2.

    Returns:
        ``(theta, theta_dot, theta_ddot)``, each shaped like ``theta``.
    """
    if window % 2 == 0 or window <= order:
        raise ValueError(f"Savitzky-Golay window must be odd and larger than the order {order}, got {window}")
    if len(theta) < window:
        raise ValueError(
            f"series of {len(theta)} samples is shorter than the smoothing window {window}; lower --window"
        )
    smooth = savgol_filter(theta, window, order, deriv=0, delta=dt, mode="interp")
    vel = savgol_filter(theta, window, order, deriv=1, delta=dt, mode="interp")
    acc = savgol_filter(theta, window, order, deriv=2, delta=dt, mode="interp")
    return smooth, vel, acc
