"""From mark positions to an angle series: two-mark or pivot geometry, gaps, trend."""

from __future__ import annotations

import numpy as np
from scipy.interpolate import CubicSpline
from scipy.optimize import least_squares


def two_mark_angle(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    """Angle (rad) of the line from ``top`` to ``bottom`` (each ``(T, 2)`` pixels, y down)
    measured from the image's downward vertical, positive towards +x; shaped ``(T,)``."""
    d = bottom - top
    return np.arctan2(d[:, 0], d[:, 1])


def pivot_angle(bob: np.ndarray, pivot: tuple[float, float]) -> np.ndarray:
    """Angle (rad) of ``bob`` ``(T, 2)`` about ``pivot`` from the downward vertical, shaped ``(T,)``."""
    return np.arctan2(bob[:, 0] - pivot[0], bob[:, 1] - pivot[1])


def fit_circle(points: np.ndarray) -> tuple[float, float, float]:
    """Least-squares circle ``(cx, cy, r)`` through ``points`` ``(N, 2)`` (NaN rows ignored).

    An algebraic (Kasa) fit gives the start; a geometric fit (distances to the circle)
    refines it. Arcs much shorter than the radius determine the centre poorly: pass the
    pivot explicitly for small swings.
    """
    p = points[np.isfinite(points).all(1)]
    if len(p) < 3:
        raise ValueError("need at least three tracked positions to fit the pivot circle")
    a = np.column_stack([p[:, 0], p[:, 1], np.ones(len(p))])
    b = -(p**2).sum(1)
    (d, e, f), *_ = np.linalg.lstsq(a, b, rcond=None)
    cx, cy = -d / 2, -e / 2
    r = np.sqrt(max(cx**2 + cy**2 - f, 1e-12))
    fit = least_squares(lambda c: np.hypot(p[:, 0] - c[0], p[:, 1] - c[1]) - c[2], [cx, cy, r])
    return float(fit.x[0]), float(fit.x[1]), float(abs(fit.x[2]))


def fill_gaps(t: np.ndarray, theta: np.ndarray, max_gap: int) -> tuple[np.ndarray, int, int]:
    """Fill runs of at most ``max_gap`` missing samples by cubic interpolation in time.

    Returns:
        the filled series ``(T,)`` (longer gaps stay NaN), the number of samples filled
        and the number left missing.
    """
    theta = theta.copy()
    missing = ~np.isfinite(theta)
    if not missing.any():
        return theta, 0, 0
    good = ~missing
    if good.sum() < 4:
        raise ValueError("fewer than four frames with the marks found; nothing to interpolate")
    spline = CubicSpline(t[good], theta[good])
    filled = 0
    i = 0
    while i < len(theta):
        if missing[i]:
            j = i
            while j < len(theta) and missing[j]:
                j += 1
            inside = i > 0 and j < len(theta)  # never extrapolate at the ends
            if inside and j - i <= max_gap:
                theta[i:j] = spline(t[i:j])
                filled += j - i
            i = j
        else:
            i += 1
    return theta, filled, int((~np.isfinite(theta)).sum())


def longest_finite_run(values: np.ndarray) -> slice:
    """The longest contiguous stretch of finite values."""
    ok = np.isfinite(values)
    best, start, best_slice = 0, None, slice(0, 0)
    for i, v in enumerate(np.append(ok, False)):
        if v and start is None:
            start = i
        elif not v and start is not None:
            if i - start > best:
                best, best_slice = i - start, slice(start, i)
            start = None
    return best_slice


def remove_trend(t: np.ndarray, theta: np.ndarray, degree: int | None) -> np.ndarray:
    """Subtract a least-squares polynomial of ``degree`` in time (the paper removed a cubic);
    None leaves the series as it is."""
    if degree is None:
        return theta
    coeffs = np.polynomial.polynomial.polyfit(t - t[0], theta, degree)
    return theta - np.polynomial.polynomial.polyval(t - t[0], coeffs)
