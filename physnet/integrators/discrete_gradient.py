"""A discrete-gradient step: the energy of a dissipative Hamiltonian system never increases.

For ``dy/dt = (J - R(y)) grad E(y)`` (``J`` the symplectic matrix, ``R`` positive
semi-definite on the momenta) the step

    y1 = y0 + h (J - R(ybar)) dgrad E(y0, y1),    ybar = (y0 + y1) / 2,

with Gonzalez's midpoint discrete gradient

    dgrad E = grad E(ybar) + (E(y1) - E(y0) - grad E(ybar) . dy) / |dy|^2 dy,    dy = y1 - y0,

satisfies ``dgrad E . dy = E(y1) - E(y0)`` exactly, so ``E(y1) - E(y0) = -h dgrad_p^T R
dgrad_p <= 0``: the energy falls by the discrete dissipation, never rises (up to the
rounding of ``E`` itself), and is kept exactly where ``R = 0``. Second order, implicit
(solved by fixed-point iteration, as :func:`~physnet.integrators.implicit_midpoint.implicit_midpoint_step`).
A system with a ``forcing(y)`` (a driven one) gets ``h (0, F(ybar))`` added: its energy changes by
the work of that force as well, and may rise.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from physnet.integrators.implicit_midpoint import ConvergenceError, default_tolerance


def energy_and_gradient(system: Any, y: Tensor) -> tuple[Tensor, Tensor]:
    """``system.energy`` ``(...)`` and its gradient ``(..., d)`` at states ``(..., d)`` (no graph)."""
    with torch.enable_grad():
        y_ = y.detach().requires_grad_(True)
        energy = system.energy(y_)
        (grad,) = torch.autograd.grad(energy.sum(), y_)
    return energy.detach(), grad


def discrete_gradient(system: Any, y0: Tensor, y1: Tensor, e0: Tensor) -> tuple[Tensor, Tensor]:
    """Gonzalez's discrete gradient of ``system.energy`` between states ``(..., d)`` (``e0``
    the energy at ``y0``) and the energy at ``y1``: ``(dgrad (..., d), E(y1) (...))``."""
    mid = 0.5 * (y0 + y1)
    _, grad_mid = energy_and_gradient(system, mid)
    e1 = system.energy(y1).detach()
    dy = y1 - y0
    norm2 = (dy * dy).sum(-1)
    gap = e1 - e0 - (grad_mid * dy).sum(-1)
    tiny = torch.finfo(y0.dtype).tiny
    coefficient = torch.where(norm2 > tiny, gap / norm2.clamp_min(tiny), torch.zeros_like(gap))
    return grad_mid + coefficient.unsqueeze(-1) * dy, e1


def dissipative_flow(system: Any, grad: Tensor, at: Tensor) -> Tensor:
    """``(J - R(at)) grad`` (plus ``(0, F(at))`` for a system with a ``forcing``) for states
    ``(..., 2 n)``."""
    n = int(system.n_dof)
    gq, gp = grad[..., :n], grad[..., n:]
    friction = (system.dissipation(at).detach() @ gp.unsqueeze(-1)).squeeze(-1)
    forcing = getattr(system, "forcing", None)
    force = forcing(at) if callable(forcing) else None
    return torch.cat([gp, -gq - friction + (0 if force is None else force.detach())], dim=-1)


def discrete_gradient_step(
    system: Any, t: Tensor, y: Tensor, h: Tensor, *, tol: float | None = None, max_iters: int = 100
) -> Tensor:
    """One step from states ``y`` ``(..., 2 n)`` of a dissipative system (``n_dof``,
    ``energy``, ``dissipation``; :func:`systems.base.is_dissipative`). No graph is kept
    (forecasting, not training).

    Raises:
        ConvergenceError: ``max_iters`` fixed-point iterations did not reach ``tol``.
    """
    tol = default_tolerance(y.dtype) if tol is None else tol
    y = y.detach()
    e0, grad0 = energy_and_gradient(system, y)
    y1 = y + h * dissipative_flow(system, grad0, y)
    change = torch.zeros(())
    for _ in range(max_iters):
        dgrad, _ = discrete_gradient(system, y, y1, e0)
        new = y + h * dissipative_flow(system, dgrad, 0.5 * (y + y1))
        change = (new - y1).abs()
        y1 = new
        if not torch.isfinite(change).all():
            break
        if bool((change <= tol * (1 + y1.abs())).all()):
            return y1
    raise ConvergenceError(
        f"discrete gradient step did not converge to tol={tol:.1e} in {max_iters} iterations at t={float(t):.4g} "
        f"(largest update {float(change.max()):.2e}); use a smaller step"
    )


__all__ = ["discrete_gradient", "discrete_gradient_step", "dissipative_flow", "energy_and_gradient"]
