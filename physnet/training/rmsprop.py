"""RMSprop as the paper's reference codes ran it, in one formula for training and meta-learning.

The two reference codebases use two RMSprops: the JAX code optax's (second moment started
at 0, ``decay`` 0.1 for the inner network, momentum 0.6, ``eps`` inside the square root)
and the PyTorch code a hand-written one (second moment started at 1, ``decay`` 0.8, no
momentum). Both are this recursion, per parameter element::

    v <- decay * v + (1 - decay) * g^2          (v starts at ``initial_scale``)
    u  = g / sqrt(v + eps)
    m <- momentum * m + u                        (m starts at 0; m = u without momentum)
    p <- p - lr * m

``eps`` inside the square root (optax's placement) keeps the update differentiable where
``v`` is exactly zero, which the unrolled meta-gradient needs. torch.optim.RMSprop is the
same recursion with ``alpha = decay``, ``initial_scale = 0`` and ``eps`` outside the root.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import Tensor

from physnet.errors import UserError

#: torch.optim.RMSprop's defaults (alpha 0.99); the presets set the reference codes' values.
DEFAULT_DECAY = 0.99
DEFAULT_EPS = 1e-8


def check_rmsprop(decay: float, momentum: float, initial_scale: float, eps: float = DEFAULT_EPS) -> None:
    """Raise ValueError naming the setting that is out of range."""
    if not 0 <= decay < 1:
        raise UserError(f"RMSprop decay must lie in [0, 1), got {decay}")
    if not 0 <= momentum < 1:
        raise UserError(f"momentum must lie in [0, 1), got {momentum}")
    if not initial_scale >= 0:
        raise UserError(f"RMSprop initial second moment must be >= 0, got {initial_scale}")
    if not eps > 0:
        raise UserError(f"RMSprop eps must be positive, got {eps}")


def rmsprop_direction(
    g: Tensor, v: Tensor, m: Tensor | None, *, decay: float, momentum: float, eps: float
) -> tuple[Tensor, Tensor, Tensor | None]:
    """One step of the recursion above, out of place (differentiable in ``g``, ``v``, ``m``).

    Args:
        g: the gradient; v: second-moment estimate; m: momentum buffer (None without momentum);
            all shaped like the parameter.

    Returns:
        ``(direction, v, m)``: the parameter moves by ``-lr * direction``.
    """
    # fused forms (addcmul, rsqrt, add with alpha): fewer operations in an unrolled graph
    v = torch.addcmul(v * decay, g, g, value=1 - decay)
    u = g * torch.rsqrt(v + eps)
    if m is None:
        return u, v, None
    m = torch.add(u, m, alpha=momentum)
    return m, v, m


class RMSprop(torch.optim.Optimizer):
    """The recursion above as a ``torch.optim`` optimizer (used to train the comparison's
    networks and as the outer optimizer of meta-learning).

    Args:
        params: parameters or parameter groups.
        lr: learning rate.
        decay: weight of the old second moment (optax's ``decay``, torch's ``alpha``).
        momentum: heavy-ball momentum on the scaled gradient (0: none).
        initial_scale: initial value of the second-moment estimate (0 in optax and torch,
            1 in the paper's PyTorch code).
        eps: added to the second moment inside the square root.
        weight_decay: L2 penalty, added to the gradient (``g + weight_decay * p``) as
            torch's optimizers do.
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-2,
        *,
        decay: float = DEFAULT_DECAY,
        momentum: float = 0.0,
        initial_scale: float = 0.0,
        eps: float = DEFAULT_EPS,
        weight_decay: float = 0.0,
    ) -> None:
        if not lr >= 0:
            raise UserError(f"learning rate must be >= 0, got {lr}")
        if not weight_decay >= 0:
            raise UserError(f"weight decay must be >= 0, got {weight_decay}")
        check_rmsprop(decay, momentum, initial_scale, eps)
        defaults = {"lr": lr, "decay": decay, "momentum": momentum, "initial_scale": initial_scale, "eps": eps}
        super().__init__(params, {**defaults, "weight_decay": weight_decay})

    @torch.no_grad()
    def step(self, closure=None):  # noqa: D102 - torch.optim's contract
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["square_avg"] = torch.full_like(p, group["initial_scale"])
                    if group["momentum"]:
                        state["momentum_buffer"] = torch.zeros_like(p)
                grad = p.grad if not group["weight_decay"] else p.grad.add(p, alpha=group["weight_decay"])
                direction, v, m = rmsprop_direction(
                    grad,
                    state["square_avg"],
                    state.get("momentum_buffer"),
                    decay=group["decay"],
                    momentum=group["momentum"],
                    eps=group["eps"],
                )
                state["square_avg"] = v
                if m is not None:
                    state["momentum_buffer"] = m
                p.add_(direction, alpha=-group["lr"])
        return loss


__all__ = ["DEFAULT_DECAY", "DEFAULT_EPS", "RMSprop", "check_rmsprop", "rmsprop_direction"]
