"""One fixed step of many trajectories at once, each of which may fail on its own: the steppers
that forecast skill (every seed of an arm rolled out together) and the rollout loss take from
the method table (:data:`physnet.integrators.registry.METHODS`, a method's ``member_step``).

Each stepper is ``step(system, f, y, h) -> y1`` for states ``y`` ``(..., d)``, with ``f(y)``
the vector field (``system`` is the model or system itself, for the methods that need its
energy). The implicit ones solve their step by fixed-point iteration member by member: where an
iterate does not settle (or leaves the finite numbers) that member's state becomes NaN - its
rollout is lost - instead of stopping the others (:func:`settle`); the one-trajectory solvers
of :func:`physnet.integrators.odeint` raise :class:`ConvergenceError` instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from physnet.integrators.discrete_gradient import discrete_gradient, dissipative_flow, energy_and_gradient

VectorField = Callable[[Tensor], Tensor]
#: Fixed-point iterations of an implicit step before a member counts as lost.
MAX_ITERATIONS = 60


def rk4_step(f: VectorField, y: Tensor, h: float) -> Tensor:
    """One classical Runge-Kutta step of ``dy/dt = f(y)`` from states ``(..., d)``
    (differentiable: the rollout loss trains through it)."""
    k1 = f(y)
    k2 = f(y + 0.5 * h * k1)
    k3 = f(y + 0.5 * h * k2)
    k4 = f(y + h * k3)
    return y + (h / 6.0) * (k1 + 2 * k2 + 2 * k3 + k4)


def settle(update: Callable[[Tensor], Tensor], y1: Tensor) -> Tensor:
    """Iterate ``y1 <- update(y1)`` member by member (states ``(..., d)``): where an iterate does
    not settle to ``100 eps`` (or is not finite) the state becomes NaN."""
    tol = 100 * torch.finfo(y1.dtype).eps
    settled = torch.zeros(y1.shape[:-1], dtype=torch.bool, device=y1.device)
    for _ in range(MAX_ITERATIONS):
        new = update(y1)
        change = (new - y1).abs()
        y1 = new
        settled = (change <= tol * (1 + y1.abs())).all(dim=-1)
        if bool((settled | ~torch.isfinite(y1).all(dim=-1)).all()):
            break
    return torch.where(settled.unsqueeze(-1), y1, torch.full_like(y1, float("nan")))


def implicit_midpoint_members(f: VectorField, y: Tensor, h: float) -> Tensor:
    """One implicit-midpoint step (symplectic, second order) by fixed-point iteration."""
    return settle(lambda y1: y + h * f(0.5 * (y + y1)), y + h * f(y))


def discrete_gradient_members(system: Any, y: Tensor, h: float) -> Tensor:
    """One discrete-gradient step of a dissipative system or model (its energy never rises;
    :mod:`physnet.integrators.discrete_gradient`) by fixed-point iteration."""
    e0, grad0 = energy_and_gradient(system, y)

    def update(y1: Tensor) -> Tensor:
        return y + h * dissipative_flow(system, discrete_gradient(system, y, y1, e0)[0], 0.5 * (y + y1))

    return settle(update, y + h * dissipative_flow(system, grad0, y))


def rk4_member(system: Any, f: VectorField, y: Tensor, h: float) -> Tensor:
    return rk4_step(f, y, h)


def implicit_midpoint_member(system: Any, f: VectorField, y: Tensor, h: float) -> Tensor:
    return implicit_midpoint_members(f, y, h)


def discrete_gradient_member(system: Any, f: VectorField, y: Tensor, h: float) -> Tensor:
    return discrete_gradient_members(system, y, h)


__all__ = [
    "MAX_ITERATIONS",
    "discrete_gradient_members",
    "implicit_midpoint_members",
    "rk4_step",
    "settle",
]
