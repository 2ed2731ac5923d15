"""Task losses, per ensemble member."""

from __future__ import annotations

import torch
from torch import Tensor

from physnet.errors import UserError

LOSSES = ("mse", "rollout", "cross_entropy")


def member_loss(pred: Tensor, target: Tensor, kind: str, n_members: int) -> Tensor:
    """Mean loss of each member, shaped ``(E,)``.

    Args:
        pred: ``(E, B, out)`` for ensembles, ``(B, out)`` for one member.
        target: ``(B, out)`` regression targets or ``(B,)`` class indices, shared by all members.
            ``rollout`` targets may hold NaN (a window past its orbit's end): the mean is over
            the finite entries.
    """
    if n_members == 1:
        pred = pred.unsqueeze(0)
    if kind == "mse":
        return (pred - target).pow(2).flatten(1).mean(1)
    if kind == "rollout":
        observed = torch.isfinite(target)
        error = torch.where(observed, pred - target.nan_to_num(), torch.zeros((), dtype=pred.dtype))
        return error.pow(2).flatten(1).sum(1) / observed.sum().clamp_min(1)
    if kind == "cross_entropy":
        e, b, c = pred.shape
        ce = torch.nn.functional.cross_entropy(pred.reshape(e * b, c), target.repeat(e), reduction="none")
        return ce.reshape(e, b).mean(1)
    raise UserError(f"unknown loss {kind!r}; valid: {', '.join(LOSSES)}")


def member_metric(pred: Tensor, target: Tensor, kind: str, n_members: int) -> Tensor:
    """The reported metric per member, ``(E,)``: MSE, or accuracy for classification."""
    if kind != "cross_entropy":
        return member_loss(pred, target, kind, n_members)
    if n_members == 1:
        pred = pred.unsqueeze(0)
    return (pred.argmax(-1) == target).float().mean(1)
