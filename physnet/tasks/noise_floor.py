"""The targets' own noise: how small a validation error can get when the targets are
Savitzky-Golay derivatives of noisy measured states.

The noise of the states is estimated from the residuals of the very fit the derivatives come
from: a Savitzky-Golay smoother is a linear filter ``s_i = sum_j c_j x_{i+j}``, so for white
noise of variance ``sigma^2`` the residual ``x_i - s_i`` has variance
``sigma^2 (1 - 2 c_0 + sum_j c_j^2)`` (``= sigma^2 (1 - c_0)``, a projection), while the
signal's own residual is of order ``(window dt)^(order + 1)`` times its derivative of that
order: negligible when the window is short against the motion. The derivative filter
``d_j`` then carries the noise into the targets with variance ``sigma^2 sum_j d_j^2``: that
is the floor of the mean squared error of any model scored against those targets.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy.signal import savgol_coeffs, savgol_filter

from physnet.errors import UserError

#: How the floor was found, as the report states it.
SAVGOL_METHOD = (
    "Savitzky-Golay residuals: state noise from the residuals of the smoothing fit the derivatives come from, "
    "carried into the targets through the derivative filter"
)
KNOWN_METHOD = "known: the simulated noise added to the targets"
ROLLOUT_METHOD = (
    "rollout targets: the start's and the observed state's noise, twice the states' noise variance (for windows "
    "short against the motion)"
)


@dataclass(frozen=True)
class NoiseFloor:
    """The targets' noise.

    Attributes:
        mse: expected mean squared error of the exact derivatives against the targets
            (averaged over components, as the validation MSE is).
        state_sigma: estimated standard deviation of each state component's noise ``(d,)``.
        target_sigma: standard deviation of each target component's noise ``(d,)``.
        method: how it was found (:data:`SAVGOL_METHOD` or :data:`KNOWN_METHOD`).
    """

    mse: float
    state_sigma: tuple[float, ...]
    target_sigma: tuple[float, ...]
    method: str

    def to_dict(self) -> dict:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(self).items()}


def savgol_noise_floor(
    t: np.ndarray, states: np.ndarray, slices: list[slice], *, window: int = 11, order: int = 3
) -> NoiseFloor:
    """Estimate the noise of ``states`` and of their Savitzky-Golay derivatives.

    Args:
        t: times ``(n,)``, evenly spaced inside each group.
        states: ``(n, d)``.
        slices: the rows of each group (each at least ``window`` long; shorter ones skipped).

    Returns:
        The floor; residuals are pooled over the groups' interior rows (the ends are fitted
        by one polynomial over the first or last window, with other weights).

    Raises:
        ValueError: no group is long enough to hold an interior row.
    """
    smooth = savgol_coeffs(window, order, deriv=0, use="dot")
    residual_gain = 1.0 - 2.0 * smooth[window // 2] + float(np.sum(smooth**2))
    half = window // 2
    squares, count, target_var = np.zeros(states.shape[1]), 0, np.zeros(states.shape[1])
    for rows in slices:
        n = rows.stop - rows.start
        if n < window + 1:
            continue
        x = np.asarray(states[rows], dtype=np.float64)
        fit = savgol_filter(x, window, order, deriv=0, axis=0, mode="interp")
        res = (x - fit)[half : n - half]
        squares += np.sum(res**2, axis=0)
        count += len(res)
        dt = float(np.median(np.diff(t[rows])))
        gain = float(np.sum(savgol_coeffs(window, order, deriv=1, delta=dt, use="dot") ** 2))
        target_var += len(res) * gain  # weighted by rows: the groups' steps may differ
    if count == 0:
        raise UserError(f"no group has more than {window} samples; cannot estimate the targets' noise")
    sigma2 = squares / count / residual_gain
    target = sigma2 * target_var / count
    return NoiseFloor(
        float(np.mean(target)),
        tuple(float(s) for s in np.sqrt(sigma2)),
        tuple(float(s) for s in np.sqrt(target)),
        SAVGOL_METHOD,
    )


def known_noise_floor(noise_std: float, dim: int, *, on_targets: bool) -> NoiseFloor:
    """The floor of simulated data with Gaussian noise of ``noise_std`` on the states and,
    where ``on_targets``, drawn independently on the targets."""
    target = noise_std if on_targets else 0.0
    return NoiseFloor(target**2, (noise_std,) * dim, (target,) * dim, KNOWN_METHOD)


def rollout_noise_floor(floor: NoiseFloor | None) -> NoiseFloor | None:
    """The floor of rollout targets (displacements ``x(t + k dt) - x(t)`` of noisy states): a
    perfect model started from the noisy ``x(t)`` still misses by the start's noise and the
    observed state's, ``2 sigma^2`` per component while the window is short against the motion;
    None where the states' noise is not known, and for exact states."""
    if floor is None or not any(floor.state_sigma):
        return None
    variance = [2 * s**2 for s in floor.state_sigma]
    return NoiseFloor(
        float(np.mean(variance)), floor.state_sigma, tuple(float(np.sqrt(v)) for v in variance), ROLLOUT_METHOD
    )


__all__ = [
    "KNOWN_METHOD",
    "ROLLOUT_METHOD",
    "SAVGOL_METHOD",
    "NoiseFloor",
    "known_noise_floor",
    "rollout_noise_floor",
    "savgol_noise_floor",
]
