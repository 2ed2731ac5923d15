"""Optimizers as pure functions of (parameters, gradients, state), so inner-loop updates
can be differentiated through (unrolled meta-gradients) or detached (first order)."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

Params = dict[str, Tensor]
State = dict[str, Tensor]

INNER_OPTIMIZERS = ("adam", "sgd", "rmsprop")


@dataclass(frozen=True)
class FunctionalOptimizer:
    """``adam`` (betas 0.9/0.999), ``rmsprop`` (alpha 0.99, as the PyTorch reference's
    hand-written one) or ``sgd`` with ``momentum``; all differentiable.

    ``eps`` sits inside the square root's argument as well, so the update stays
    differentiable where a second moment is exactly zero.
    """

    name: str = "adam"
    lr: float = 1e-2
    momentum: float = 0.0
    betas: tuple[float, float] = (0.9, 0.999)
    alpha: float = 0.99
    eps: float = 1e-8

    def __post_init__(self) -> None:
        if self.name not in INNER_OPTIMIZERS:
            raise ValueError(f"unknown inner optimizer {self.name!r}; valid: {', '.join(INNER_OPTIMIZERS)}")
        if not self.lr > 0:
            raise ValueError(f"inner learning rate must be positive, got {self.lr}")

    def init(self, params: Params) -> State:
        state: State = {"step": torch.zeros((), dtype=torch.float64)}
        for k, p in params.items():
            if self.name in ("adam", "rmsprop"):
                state[f"v.{k}"] = torch.zeros_like(p)
            if self.name == "adam" or (self.name == "sgd" and self.momentum):
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
                v = self.alpha * state[f"v.{k}"] + (1 - self.alpha) * g * g
                new_state[f"v.{k}"] = v
                new_params[k] = p - self.lr * g / torch.sqrt(v + self.eps**2)
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
