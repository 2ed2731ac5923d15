"""Explicit symplectic steps for separable Hamiltonians H = T(p) + V(q).

Both steps evaluate the full vector field ``f(t, (q, p))`` and use only the half that
separability makes independent of the other variable: ``dq/dt = dT/dp`` depends on
``p`` alone and ``dp/dt = -dV/dq`` on ``q`` alone.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

VectorField = Callable[[Tensor, Tensor], Tensor]


def symplectic_euler_step(f: VectorField, t: Tensor, y: Tensor, h: Tensor, n_dof: int) -> Tensor:
    """One step of symplectic Euler (momentum first): ``p' = p - h dV/dq(q)``,
    ``q' = q + h dT/dp(p')``. First order. ``y`` shaped ``(..., 2 n_dof)``."""
    q, p = y[..., :n_dof], y[..., n_dof:]
    p1 = p + h * f(t, y)[..., n_dof:]
    q1 = q + h * f(t + h, torch.cat([q, p1], dim=-1))[..., :n_dof]
    return torch.cat([q1, p1], dim=-1)


def leapfrog_step(
    f: VectorField, t: Tensor, y: Tensor, h: Tensor, n_dof: int, force: Tensor | None = None
) -> tuple[Tensor, Tensor]:
    """One Stormer-Verlet step (kick-drift-kick). Second order, time reversible.

    Args:
        force: ``dp/dt`` at ``y`` if already known (first-same-as-last reuse).
    Returns:
        the new state and ``dp/dt`` there, both shaped like ``y``'s halves.
    """
    q, p = y[..., :n_dof], y[..., n_dof:]
    if force is None:
        force = f(t, y)[..., n_dof:]
    p_half = p + 0.5 * h * force
    q1 = q + h * f(t + 0.5 * h, torch.cat([q, p_half], dim=-1))[..., :n_dof]
    force1 = f(t + h, torch.cat([q1, p_half], dim=-1))[..., n_dof:]
    p1 = p_half + 0.5 * h * force1
    return torch.cat([q1, p1], dim=-1), force1
