"""Chaos indicators from the tangent (variational) dynamics: the finite-time maximal
Lyapunov exponent and the smaller alignment index (SALI)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor

from systems.base import DynamicalSystem, make_generator
from systems.orbits import check_initial_states

VectorField = Callable[[Tensor, Tensor], Tensor]


def jacobian_vector_product(f: VectorField, t: Tensor, y: Tensor, w: Tensor) -> Tensor:
    """``J(y) w`` with ``J = df/dy``, for ``y`` and ``w`` shaped ``(..., d)``.

    Uses the double-backward identity ``J w = d/du [(J^T u) . w]``, which works for any
    vector field autograd can differentiate twice, including ones that call
    ``torch.autograd.grad`` themselves (Hamiltonian vector fields, learned models).
    """
    with torch.enable_grad():
        y_ = y.detach().requires_grad_(True)
        fy = f(t, y_)
        u = torch.zeros_like(fy, requires_grad=True)
        (jt_u,) = torch.autograd.grad(fy, y_, u, create_graph=True)
        (jw,) = torch.autograd.grad(jt_u, u, w)
    return jw


@dataclass(frozen=True)
class ChaosIndicators:
    """Per-orbit indicators, each shaped ``(N,)``.

    Attributes:
        max_lyapunov: finite-time maximal Lyapunov exponent (1/time); tends to 0 like
            ``log(t)/t`` on regular orbits and to a positive value on chaotic ones.
        sali: smaller alignment index at the final time; stays of order 0.1-1 on
            regular orbits and falls exponentially on chaotic ones.
        chaotic: ``sali < sali_threshold``.
        t_end: the integration time used.
    """

    max_lyapunov: Tensor
    sali: Tensor
    chaotic: Tensor
    t_end: float


def chaos_indicators(
    system: DynamicalSystem,
    y0: Tensor,
    *,
    t_end: float = 500.0,
    dt: float = 0.05,
    renormalise_every: int = 20,
    sali_threshold: float = 1e-5,
    generator: torch.Generator | None = None,
    seed: int | None = 0,
) -> ChaosIndicators:
    """Integrate orbits and two deviation vectors each with classical RK4 and return
    the maximal Lyapunov exponent and SALI.

    Args:
        system: any system (its vector field must be twice differentiable).
        y0: initial states shaped ``(N, d)``; computed in float64.
        t_end: integration time; longer separates weakly chaotic orbits better.
        dt: RK4 step (fine enough to resolve the orbit; the default suits
            Henon-Heiles and pendulum time scales of order 1).
        renormalise_every: steps between renormalisations of the deviation vectors.
        sali_threshold: SALI below this labels an orbit chaotic (the usual
            literature choice is 1e-8 after long runs; 1e-5 at t = 500 separates
            Henon-Heiles orbits at E >= 1/8).
    """
    check_initial_states(y0, system.dim)
    g = make_generator(generator, seed if generator is None else None)
    y = y0.detach().to(torch.float64)
    n, d = y.shape
    w = torch.randn(n, 2, d, generator=g, dtype=torch.float64)
    w = w / w.norm(dim=-1, keepdim=True)
    log_growth = torch.zeros(n, dtype=torch.float64)
    f = system.vector_field
    steps = int(round(t_end / dt))

    def rhs(t: Tensor, y: Tensor, w: Tensor) -> tuple[Tensor, Tensor]:
        jw = jacobian_vector_product(f, t, y.unsqueeze(-2).expand_as(w), w)
        return f(t, y), jw

    t = torch.zeros((), dtype=torch.float64)
    for k in range(1, steps + 1):
        k1 = rhs(t, y, w)
        k2 = rhs(t + dt / 2, y + dt / 2 * k1[0], w + dt / 2 * k1[1])
        k3 = rhs(t + dt / 2, y + dt / 2 * k2[0], w + dt / 2 * k2[1])
        k4 = rhs(t + dt, y + dt * k3[0], w + dt * k3[1])
        y = y + dt / 6 * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0])
        w = w + dt / 6 * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1])
        t = t + dt
        if k % renormalise_every == 0 or k == steps:
            norms = w.norm(dim=-1)
            log_growth += torch.log(norms[:, 0])
            w = w / norms.unsqueeze(-1)
    if not torch.isfinite(y).all():
        raise FloatingPointError("an orbit diverged while computing chaos indicators; check energies/step")
    mle = log_growth / (steps * dt)
    sali = torch.minimum((w[:, 0] + w[:, 1]).norm(dim=-1), (w[:, 0] - w[:, 1]).norm(dim=-1))
    return ChaosIndicators(max_lyapunov=mle, sali=sali, chaotic=sali < sali_threshold, t_end=steps * dt)
