"""The sine family ``sin(a x) + b x + c``: least-squares fits of learned types into it, and
the bank of fitted functions (the ``fit1``, ``fit2`` controls of a study).

A learned type that is only a tilted, shifted sine of another frequency is something a
network of sine neurons could nearly represent with rescaled weights; the control asks
whether what meta-learning found is more than that.
"""

from __future__ import annotations

import numpy as np
import torch
from scipy.optimize import minimize_scalar
from torch import Tensor, nn

from physnet.errors import UserError


def _profile(a: float, x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """For frequency ``a``: the least-squares ``(b, c)`` of ``y - sin(a x) ~ b x + c`` and the
    residual sum of squares."""
    design = np.column_stack([x, np.ones_like(x)])
    target = y - np.sin(a * x)
    (b, c), *_ = np.linalg.lstsq(design, target, rcond=None)
    residual = target - design @ np.array([b, c])
    return float(b), float(c), float(residual @ residual)


def fit_sine_affine(grid: np.ndarray, values: np.ndarray, *, scan: int = 2000) -> dict[str, float]:
    """The least-squares best ``sin(a x) + b x + c`` through samples ``values`` on ``grid``.

    For each ``a`` the best ``(b, c)`` is linear least squares; ``a`` is found by a scan over
    ``[-a_max, a_max]`` (``a_max``: the grid's Nyquist frequency ``pi / spacing``; a negative
    ``a`` is a sine of the opposite sign) refined by a bounded scalar minimisation.

    Args:
        grid, values: ``(G,)`` each.

    Returns:
        ``{"a", "b", "c", "rms"}`` (``rms``: root-mean-square residual on the grid).
    """
    x, y = np.asarray(grid, dtype=np.float64), np.asarray(values, dtype=np.float64)
    if x.ndim != 1 or x.shape != y.shape or len(x) < 4:
        raise UserError(f"grid and values must be 1-D of equal length >= 4, got {x.shape}, {y.shape}")
    a_max = np.pi / float(np.min(np.diff(x)))
    candidates = np.linspace(-a_max, a_max, scan)
    sse = np.array([_profile(a, x, y)[2] for a in candidates])
    best = int(np.argmin(sse))
    step = candidates[1] - candidates[0]
    lo, hi = candidates[max(best - 1, 0)], candidates[min(best + 1, scan - 1)]
    refined = minimize_scalar(
        lambda a: _profile(a, x, y)[2], bounds=(lo, hi), method="bounded", options={"xatol": step * 1e-6}
    )
    a = float(refined.x) if refined.fun <= sse[best] else float(candidates[best])
    b, c, total = _profile(a, x, y)
    return {"a": a, "b": b, "c": c, "rms": float(np.sqrt(total / len(x)))}


class SineAffineBank(nn.Module):
    """k types ``f_j(x) = sin(a_j x) + b_j x + c_j``.

    Args:
        params: ``(k, 3)`` rows ``(a, b, c)``.
    """

    def __init__(self, params: Tensor) -> None:
        super().__init__()
        params = torch.as_tensor(params, dtype=torch.float64)
        if params.ndim != 2 or params.shape[1] != 3 or params.shape[0] < 1:
            raise UserError(f"sine-family parameters must be shaped (k, 3), got {tuple(params.shape)}")
        if not torch.isfinite(params).all():
            raise UserError("sine-family parameters contain NaN or infinite entries")
        self.register_buffer("params", params.clone())
        # Python floats: constants to torch.compile, and no dtype casts per call
        self._rows = [tuple(float(v) for v in row) for row in params]

    @property
    def k(self) -> int:
        return len(self._rows)

    def apply_type(self, j: int, x: Tensor) -> Tensor:
        a, b, c = self._rows[j]
        return torch.sin(a * x) + b * x + c

    def describe(self) -> dict:
        return {"kind": "sine_affine", "params": [list(r) for r in self._rows]}


def fitted_bank(grid: Tensor, values: Tensor) -> tuple[SineAffineBank, list[dict[str, float]]]:
    """Fit every type's samples (``values`` ``(k, G)`` on ``grid`` ``(G,)``) into the sine
    family; returns the bank of fits and each fit's ``{a, b, c, rms}``."""
    fits = [fit_sine_affine(np.asarray(grid), np.asarray(v)) for v in values]
    return SineAffineBank(torch.tensor([[f["a"], f["b"], f["c"]] for f in fits])), fits


__all__ = ["SineAffineBank", "fit_sine_affine", "fitted_bank"]
