"""Hessian of a loss at trained weights, matrix free: Hessian-vector products, Hutchinson's
trace estimate, and the eigenvalue density by stochastic Lanczos quadrature.

Products use double backward through ``torch.autograd`` rather than ``torch.func``
transforms, so that losses which themselves call ``torch.autograd.grad`` (Hamiltonian
networks train on dH/dq and dH/dp) work too.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor


class HessianOperator:
    """``v -> H v`` for the Hessian of ``loss_fn()`` with respect to ``params`` (flattened,
    length ``n``), built once per loss evaluation."""

    def __init__(self, loss_fn: Callable[[], Tensor], params: Sequence[Tensor]) -> None:
        self.params = [p for p in params if p.requires_grad]
        self.n = sum(p.numel() for p in self.params)
        loss = loss_fn()
        grads = torch.autograd.grad(loss, self.params, create_graph=True, allow_unused=True)
        self._grads = [torch.zeros_like(p) if g is None else g for p, g in zip(self.params, grads, strict=True)]

    def matvec(self, v: Tensor) -> Tensor:
        """``H v`` for ``v`` shaped ``(n,)``."""
        pieces, start = [], 0
        for p in self.params:
            pieces.append(v[start : start + p.numel()].view_as(p).to(p.dtype))
            start += p.numel()
        dot = torch.stack([(g * u).sum() for g, u in zip(self._grads, pieces, strict=True)]).sum()
        hv = torch.autograd.grad(dot, self.params, retain_graph=True, allow_unused=True)
        return torch.cat(
            [(torch.zeros_like(p) if h is None else h).reshape(-1) for p, h in zip(self.params, hv, strict=True)]
        ).double()


@dataclass(frozen=True)
class TraceEstimate:
    """Hutchinson estimate of tr H with its standard error and the number of probes used."""

    trace: float
    stderr: float
    probes: int


def hutchinson_trace(
    op: HessianOperator, *, tol: float = 0.01, min_probes: int = 10, max_probes: int = 500, seed: int = 0
) -> TraceEstimate:
    """``tr H ~ mean(z^T H z)`` over Rademacher probes ``z``; stops once the standard error
    falls below ``tol * |mean|`` (after ``min_probes``) or at ``max_probes``."""
    g = torch.Generator().manual_seed(seed)
    samples: list[float] = []
    while len(samples) < max_probes:
        z = (torch.randint(0, 2, (op.n,), generator=g) * 2 - 1).double()
        samples.append(float(z @ op.matvec(z)))
        if len(samples) >= min_probes:
            se = float(np.std(samples, ddof=1) / math.sqrt(len(samples)))
            if se <= tol * abs(np.mean(samples)):
                break
    se = float(np.std(samples, ddof=1) / math.sqrt(len(samples))) if len(samples) > 1 else float("nan")
    return TraceEstimate(float(np.mean(samples)), se, len(samples))


@dataclass(frozen=True)
class SpectralDensity:
    """Stochastic Lanczos quadrature: Ritz values ``nodes`` and their ``weights`` per probe
    (each ``(probes, m)``; weights of one probe sum to 1)."""

    nodes: np.ndarray
    weights: np.ndarray

    def density(self, grid: np.ndarray, sigma: float) -> np.ndarray:
        """Eigenvalue density on ``grid`` with Gaussian broadening ``sigma``, averaged over probes."""
        diff = grid[:, None, None] - self.nodes[None]
        kernel = np.exp(-0.5 * (diff / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))
        return (kernel * self.weights[None]).sum(-1).mean(-1)

    def moment(self, k: int) -> float:
        """Estimate of ``tr(H^k) / n``."""
        return float((self.weights * self.nodes**k).sum(-1).mean())

    @property
    def top_eigenvalue(self) -> float:
        return float(self.nodes.max())

    def cumulative(self, x: np.ndarray | float) -> np.ndarray:
        """Estimated fraction of eigenvalues ``<= x``, averaged over probes.

        Each probe's quadrature is a step function with a jump ``w_i`` at node ``theta_i``;
        it is read at the jumps' midpoints (``sum_{j<i} w_j + w_i / 2`` at ``theta_i``) and
        interpolated linearly, so the estimate no longer flips by a whole node's weight when a
        node crosses ``x``. Resolution is limited by the node spacing: with ``m`` steps,
        features narrower than about ``lambda_max / m^2`` near zero are smeared out.
        """
        x = np.asarray(x, dtype=float)
        out = np.zeros_like(x)
        for nodes, weights in zip(self.nodes, self.weights, strict=True):
            order = np.argsort(nodes)
            theta, w = nodes[order], weights[order]
            out = out + np.interp(x, theta, np.cumsum(w) - w / 2, left=0.0, right=1.0)
        return out / len(self.nodes)

    def fraction_near_zero(self, tol: float) -> float:
        """Estimated fraction of eigenvalues with ``|lambda| < tol`` (from :meth:`cumulative`)."""
        return float(self.cumulative(tol) - self.cumulative(-tol))


def lanczos(op: HessianOperator, m: int, v0: Tensor) -> tuple[np.ndarray, np.ndarray]:
    """``m`` Lanczos steps with full reorthogonalisation from ``v0``; returns the Ritz values
    and the squared first components of the Ritz vectors (quadrature weights)."""
    m = min(m, op.n)
    basis = torch.zeros(m, op.n, dtype=torch.float64)
    alpha, beta = np.zeros(m), np.zeros(max(m - 1, 0))
    q = v0.double() / v0.norm()
    for j in range(m):
        basis[j] = q
        w = op.matvec(q)
        alpha[j] = float(w @ q)
        w = w - basis[: j + 1].T @ (basis[: j + 1] @ w)  # full reorthogonalisation
        w = w - basis[: j + 1].T @ (basis[: j + 1] @ w)
        if j == m - 1:
            break
        b = float(w.norm())
        if b < 1e-12:
            m = j + 1
            alpha, beta = alpha[:m], beta[: m - 1]
            break
        beta[j] = b
        q = w / b
    t = np.diag(alpha) + np.diag(beta, 1) + np.diag(beta, -1)
    evals, evecs = np.linalg.eigh(t)
    return evals, evecs[0] ** 2


def spectral_density(op: HessianOperator, *, steps: int = 80, probes: int = 4, seed: int = 0) -> SpectralDensity:
    """Eigenvalue density of H by stochastic Lanczos quadrature (Gaussian probes)."""
    g = torch.Generator().manual_seed(seed)
    nodes, weights = [], []
    for _ in range(probes):
        ev, w = lanczos(op, steps, torch.randn(op.n, generator=g, dtype=torch.float64))
        pad = min(steps, op.n) - len(ev)
        nodes.append(np.pad(ev, (0, pad)))
        weights.append(np.pad(w, (0, pad)))
    return SpectralDensity(np.array(nodes), np.array(weights))
