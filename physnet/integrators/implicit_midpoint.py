"""The implicit midpoint rule, symplectic for any Hamiltonian (and any vector field)."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from physnet.errors import UserError

VectorField = Callable[[Tensor, Tensor], Tensor]


class ConvergenceError(RuntimeError):
    """An implicit solve did not reach its tolerance."""


def default_tolerance(dtype: torch.dtype) -> float:
    """Relative tolerance of the nonlinear solve: 100 machine epsilons of ``dtype``."""
    return 100 * torch.finfo(dtype).eps


def _jacobian(f: VectorField, t: Tensor, y: Tensor) -> Tensor:
    """``df/dy`` shaped ``(..., d, d)`` for a batch of states ``(..., d)``; one backward
    pass per component (rows are independent across the batch)."""
    with torch.enable_grad():
        y_ = y.detach().requires_grad_(True)
        fy = f(t, y_)
        rows = [
            torch.autograd.grad(fy[..., i].sum(), y_, retain_graph=i < y.shape[-1] - 1)[0] for i in range(y.shape[-1])
        ]
    return torch.stack(rows, dim=-2)


def implicit_midpoint_step(
    f: VectorField,
    t: Tensor,
    y: Tensor,
    h: Tensor,
    *,
    solver: str = "fixed-point",
    tol: float | None = None,
    max_iters: int = 100,
) -> Tensor:
    """One step ``y1 = y + h f(t + h/2, (y + y1)/2)``. Second order, symplectic.

    Args:
        y: states shaped ``(..., d)``.
        solver: ``"fixed-point"`` (cheap; converges for ``h`` times the Lipschitz
            constant below about 2) or ``"newton"`` (quadratic convergence, one
            Jacobian per iteration).
        tol: stop when every component's update is below ``tol * (1 + |y1|)``
            (default :func:`default_tolerance`).
    Raises:
        ConvergenceError: if ``max_iters`` iterations do not reach ``tol``.
    """
    tol = default_tolerance(y.dtype) if tol is None else tol
    tm = t + 0.5 * h
    y1 = y + h * f(t, y)
    for _ in range(max_iters):
        mid = 0.5 * (y + y1)
        if solver == "fixed-point":
            new = y + h * f(tm, mid)
        elif solver == "newton":
            residual = y1 - y - h * f(tm, mid)
            eye = torch.eye(y.shape[-1], dtype=y.dtype, device=y.device)
            jac = eye - 0.5 * h * _jacobian(f, tm, mid)
            new = y1 - torch.linalg.solve(jac, residual.unsqueeze(-1)).squeeze(-1)
        else:
            raise UserError(f"unknown implicit solver {solver!r}; valid: fixed-point, newton")
        change = (new - y1).abs().detach()
        y1 = new
        if not torch.isfinite(change).all():
            break
        if bool((change <= tol * (1 + y1.abs().detach())).all()):
            return y1
    raise ConvergenceError(
        f"implicit midpoint ({solver}) did not converge to tol={tol:.1e} in {max_iters} iterations "
        f"at t={float(t):.4g} (largest update {float(change.max()):.2e}); use a smaller step or solver='newton'"
    )
