"""Evaluation on a whole split, in chunks (never the last batch only)."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from physnet.data import Rollout
from physnet.training.losses import member_loss, member_metric
from physnet.training.rollout import predict


def ensemble_input(model: nn.Module, x: Tensor) -> Tensor:
    """``x`` ``(B, d)`` repeated for each member -> ``(E, B, d)``; unchanged for one member."""
    n = n_members(model)
    return x if n == 1 else x.unsqueeze(0).expand(n, *x.shape).contiguous()


def n_members(model: nn.Module) -> int:
    """Number of ensemble members of a physnet model (1 for anything else)."""
    return int(getattr(model, "n_members", 1))


def evaluate(
    model: nn.Module, x: Tensor, y: Tensor, kind: str, *, chunk: int = 4096, rollout: Rollout | None = None
) -> tuple[Tensor, Tensor]:
    """Loss and metric of every member on the whole split ``(x, y)``, each shaped ``(E,)``
    (with ``rollout``: of the model's integrated states, :mod:`physnet.training.rollout`).

    Gradient mode stays on for models whose output needs autograd (Hamiltonian networks);
    nothing is kept for a backward pass.
    """
    e = n_members(model)
    totals_loss = torch.zeros(e, dtype=torch.float64, device=x.device)
    totals_metric = torch.zeros(e, dtype=torch.float64, device=x.device)
    for start in range(0, len(x), chunk):
        xb, yb = x[start : start + chunk], y[start : start + chunk]
        with torch.no_grad():
            pred = predict(model, ensemble_input(model, xb), rollout)
        pred = pred.detach()
        w = len(xb)
        totals_loss += member_loss(pred, yb, kind, e).double() * w
        totals_metric += member_metric(pred, yb, kind, e).double() * w
    return totals_loss / len(x), totals_metric / len(x)
