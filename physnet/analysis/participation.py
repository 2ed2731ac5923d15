"""Participation ratio of hidden-layer activity: how many directions the activity fills."""

from __future__ import annotations

import torch
from torch import Tensor

from physnet.errors import UserError


def participation_ratio(activity: Tensor) -> Tensor:
    """``R = (tr C)^2 / tr(C^2)`` of the covariance ``C`` of centred activity.

    ``R`` is 1 when all variance lies along one direction and ``N`` when it is spread
    evenly over ``N`` neurons; ``r = R / N`` is the fraction used.

    Args:
        activity: hidden activity shaped ``(..., M, N)`` (M inputs, N neurons; leading
            dimensions, e.g. ensemble members, are kept).
    Returns:
        ``R`` shaped ``(...)``; NaN where the activity does not vary at all.
    """
    if activity.ndim < 2 or activity.shape[-2] < 2:
        raise UserError(f"activity must be shaped (..., M >= 2, N), got {tuple(activity.shape)}")
    x = activity.double()
    x = x - x.mean(dim=-2, keepdim=True)
    # tr C and tr C^2 through the (smaller) Gram or covariance matrix; the 1/(M-1) cancels
    cov = x.transpose(-1, -2) @ x if x.shape[-1] <= x.shape[-2] else x @ x.transpose(-1, -2)
    trace = torch.diagonal(cov, dim1=-2, dim2=-1).sum(-1)
    return trace**2 / (cov**2).sum((-2, -1))
