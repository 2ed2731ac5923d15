"""Time derivatives of measured states by Savitzky-Golay differentiation, per trajectory."""

from __future__ import annotations

import numpy as np
from scipy.signal import savgol_filter

from physnet.errors import UserError

#: Largest relative spread of the time steps inside a group that Savitzky-Golay accepts.
STEP_TOLERANCE = 1e-3


def check_window(window: int, order: int) -> None:
    """Refuse a window that is not an odd integer above the polynomial order."""
    if window < 3 or window % 2 == 0:
        raise UserError(f"--window must be an odd number of samples >= 3, got {window}")
    if not 1 <= order < window:
        raise UserError(f"--order must lie in [1, window - 1] = [1, {window - 1}], got {order}")


def savgol_derivatives(
    t: np.ndarray, states: np.ndarray, slices: list[slice], *, window: int = 11, order: int = 3, labels=None
) -> np.ndarray:
    """``d states / dt`` estimated per group by a Savitzky-Golay filter.

    Each group is fitted, in a sliding window of ``window`` samples, with a polynomial of
    degree ``order``, and the fit's slope is taken at the window's centre (at the ends, the
    fit over the first or last window). For a signal with a smooth fifth derivative and
    ``order = 3`` the error is of order ``(window * dt)^4`` times that derivative.

    Args:
        t: times ``(n,)``, evenly spaced inside each group.
        states: ``(n, d)``.
        slices: the rows of each group.

    Returns:
        ``(n, d)`` derivatives.

    Raises:
        ValueError: a group shorter than the window, or unevenly sampled.
    """
    check_window(window, order)
    out = np.empty_like(states, dtype=np.float64)
    for i, rows in enumerate(slices):
        name = f"group {labels[i]!r}" if labels is not None and len(slices) > 1 else "the series"
        n = rows.stop - rows.start
        if n < window:
            raise UserError(
                f"{name} has {n} samples, fewer than the derivative window of {window}; "
                "pass a smaller --window, drop the group, or give --derivatives"
            )
        steps = np.diff(t[rows])
        dt = float(np.median(steps))
        if np.abs(steps - dt).max() > STEP_TOLERANCE * dt:
            raise UserError(
                f"{name} is not evenly sampled (steps from {steps.min():.6g} to {steps.max():.6g}); "
                "Savitzky-Golay needs even steps: resample it, or give --derivatives"
            )
        out[rows] = savgol_filter(states[rows], window, order, deriv=1, delta=dt, axis=0, mode="interp")
    return out


__all__ = ["STEP_TOLERANCE", "check_window", "savgol_derivatives"]
