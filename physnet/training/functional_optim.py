"""Optimizers as pure functions of (parameters, gradients, state), so inner-loop updates
can be differentiated through (unrolled meta-gradients) or detached (first order)."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from physnet.errors import UserError
from physnet.training.rmsprop import DEFAULT_DECAY, DEFAULT_EPS, check_rmsprop, rmsprop_direction

Params = dict[str, Tensor]
State = dict[str, Tensor]

INNER_OPTIMIZERS = ("adam", "sgd", "rmsprop")


@dataclass(frozen=True)
class FunctionalOptimizer:
    """``adam`` (betas 0.9/0.999), ``rmsprop`` (the recursion of
    :mod:`physnet.training.rmsprop`: ``decay``, ``momentum``, ``initial_scale``; the
    paper's PyTorch code is decay 0.8, initial_scale 1, no momentum; its JAX code decay 0.1,
    momentum 0.6, initial_scale 0) or ``sgd`` with heavy-ball ``momentum``; all differentiable.

    Adam's ``eps`` sits inside the square root's argument as well (and RMSprop's ``rms_eps``
    there only), so the update stays differentiable where a second moment is exactly zero.
    """

    name: str = "adam"
    lr: float = 1e-2
    momentum: float = 0.0
    betas: tuple[float, float] = (0.9, 0.999)
    decay: float = DEFAULT_DECAY
    initial_scale: float = 0.0
    eps: float = 1e-8
    rms_eps: float = DEFAULT_EPS

    def __post_init__(self) -> None:
        if self.name not in INNER_OPTIMIZERS:
            raise UserError(f"unknown inner optimizer {self.name!r}; valid: {', '.join(INNER_OPTIMIZERS)}")
        if not self.lr > 0:
            raise UserError(f"inner learning rate must be positive, got {self.lr}")
        if self.name == "rmsprop":
            check_rmsprop(self.decay, self.momentum, self.initial_scale, self.rms_eps)
        elif not 0 <= self.momentum < 1:
            raise UserError(f"inner momentum must lie in [0, 1), got {self.momentum}")

    def init(self, params: Params) -> State:
        state: State = {"step": torch.zeros((), dtype=torch.float64)}
        for k, p in params.items():
            if self.name == "adam":
                state[f"v.{k}"] = torch.zeros_like(p)
            if self.name == "rmsprop":
                state[f"v.{k}"] = torch.full_like(p, self.initial_scale)
            if self.name == "adam" or self.momentum:
                state[f"m.{k}"] = torch.zeros_like(p)
        return state

    def step(self, params: Params, grads: dict[str, Tensor], state: State) -> tuple[Params, State]:
        step = state["step"] + 1
        new_state: State = {"step": step}
        new_params: Params = {}
        for k, p in params.items():
            g = grads[k]
            if self.name == "sgd":
                if self.momentum:
                    m = self.momentum * state[f"m.{k}"] + g
                    new_state[f"m.{k}"] = m
                    g = m
                new_params[k] = p - self.lr * g
            elif self.name == "rmsprop":
                direction, v, buffer = rmsprop_direction(
                    g, state[f"v.{k}"], state.get(f"m.{k}"), decay=self.decay, momentum=self.momentum, eps=self.rms_eps
                )
                new_state[f"v.{k}"] = v
                if buffer is not None:
                    new_state[f"m.{k}"] = buffer
                new_params[k] = torch.add(p, direction, alpha=-self.lr)
            else:
                b1, b2 = self.betas
                m = b1 * state[f"m.{k}"] + (1 - b1) * g
                v = b2 * state[f"v.{k}"] + (1 - b2) * g * g
                new_state[f"m.{k}"], new_state[f"v.{k}"] = m, v
                m_hat = m / (1 - b1 ** step.item())
                v_hat = v / (1 - b2 ** step.item())
                new_params[k] = p - self.lr * m_hat / (torch.sqrt(v_hat + self.eps**2) + self.eps)
        return new_params, new_state


def detached(tensors: dict[str, Tensor], requires_grad: bool = False) -> dict[str, Tensor]:
    """Copies cut from the graph (optionally leaves that require grad again)."""
    return {k: v.detach().requires_grad_(requires_grad and v.is_floating_point()) for k, v in tensors.items()}
