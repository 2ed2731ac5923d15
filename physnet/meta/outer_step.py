"""One outer step of meta-learning: K inner steps, the meta-gradient with respect to the
sub-network weights (plain or recomputed, :mod:`physnet.meta.unrolled`) and the outer
optimizer's step on them."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from physnet.activations import LearnedBank
from physnet.data import TaskData
from physnet.meta.config import MetaConfig
from physnet.meta.unrolled import inner_loop, recomputed_meta_gradient, zeros_for_unused
from physnet.training.batches import BatchStream
from physnet.training.functional_optim import FunctionalOptimizer, detached
from physnet.training.rmsprop import RMSprop


def make_outer_optimizer(config: MetaConfig, params: list[Tensor]) -> torch.optim.Optimizer:
    """The optimizer of the sub-network weights theta_s."""
    if config.outer_optimizer == "adam":
        return torch.optim.Adam(params, lr=config.outer_lr)
    if config.outer_optimizer == "rmsprop":
        return RMSprop(params, config.outer_lr, decay=config.outer_decay, momentum=config.outer_momentum)
    return torch.optim.SGD(params, lr=config.outer_lr, momentum=config.outer_momentum)


def outer_step(
    config: MetaConfig,
    model: nn.Module,
    theta: dict[str, Tensor],
    inner_state: dict[str, Tensor],
    inner: FunctionalOptimizer,
    data: TaskData,
    stream: BatchStream,
    bank: LearnedBank,
    outer: torch.optim.Optimizer,
) -> tuple[dict[str, Tensor], dict[str, Tensor], float, list[float]]:
    """K inner steps from ``theta``, the meta-gradient of the meta loss with respect to the
    sub-network weights of ``bank`` and one step of ``outer`` on them. The inner loop
    differentiates with respect to the bank's :meth:`~LearnedBank.gradient_targets` (on
    knots: its shared tables), carried to the weights once at the end.

    Returns:
        theta and the inner optimizer state after the inner steps (detached leaves), the
        meta loss and the inner losses.
    """
    window = config.unrolled_steps
    n_batches = config.inner_steps + (config.meta_loss == "final")
    batches = [stream.next() for _ in range(n_batches)]
    targets = bank.gradient_targets()
    if config.recompute and window:
        theta, inner_state, meta_loss, inner_losses, grads = recomputed_meta_gradient(
            model,
            theta,
            inner_state,
            inner,
            data,
            batches,
            window,
            targets,
            config.recompute,
            meta_loss=config.meta_loss,
        )
    else:
        theta, inner_state, meta_loss, inner_losses = inner_loop(
            model, theta, inner_state, inner, data, batches, window, meta_loss=config.meta_loss, params=targets
        )
        grads = list(torch.autograd.grad(meta_loss, targets, allow_unused=True))
    params = list(bank.parameters())
    grads = bank.to_weight_gradients(targets, zeros_for_unused(grads, targets))
    for p, g in zip(params, grads, strict=True):
        p.grad = g
        if config.outer_grad_clip is not None:
            p.grad.clamp_(-config.outer_grad_clip, config.outer_grad_clip)
    outer.step()
    outer.zero_grad(set_to_none=True)
    return detached(theta, True), detached(inner_state), float(meta_loss.detach()), inner_losses


__all__ = ["make_outer_optimizer", "outer_step"]
