"""The Henon-Heiles Hamiltonian H = (px^2 + py^2)/2 + (x^2 + y^2)/2 + x^2 y - y^3/3."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from systems.base import HamiltonianSystem, check_state, make_generator

#: Energy of the three saddle points; bounded motion needs E < ESCAPE_ENERGY.
ESCAPE_ENERGY = 1.0 / 6.0


def henon_heiles_potential(q: Tensor) -> Tensor:
    """V(x, y) = (x^2 + y^2)/2 + x^2 y - y^3/3 for ``q`` shaped ``(..., 2)``; returns ``(...)``."""
    x, y = q[..., 0], q[..., 1]
    return 0.5 * (x**2 + y**2) + x**2 * y - y**3 / 3


def inside_triangle(q: Tensor) -> Tensor:
    """Whether ``q`` (shaped ``(..., 2)``) lies inside the triangle bounded by the V = 1/6
    level lines ``y = -1/2`` and ``y = 1 -+ sqrt(3) x``, i.e. in the bounded well."""
    x, y = q[..., 0], q[..., 1]
    s3 = math.sqrt(3.0)
    return (y > -0.5) & (y < 1 + s3 * x) & (y < 1 - s3 * x)


@dataclass
class HenonHeiles(HamiltonianSystem):
    """Henon-Heiles system with state ``(x, y, px, py)``, two degrees of freedom.

    Motion is bounded for energies in (0, 1/6). Orbits are mostly regular at low
    energy (E below about 0.1) and mostly chaotic near E = 1/6; use
    :func:`systems.chaos.max_lyapunov_exponent` to label orbits.

    Args:
        energy_range: energies drawn by :meth:`sample_initial_states` when none is
            requested (default: the paper group's range, regular to chaotic).
    """

    energy_range: tuple[float, float] = (0.02, 0.15)

    name = "henon-heiles"
    n_dof = 2
    separable = True
    state_names = ("x", "y", "px", "py")

    def __post_init__(self) -> None:
        lo, hi = self.energy_range
        check_energy(lo)
        check_energy(hi)
        if lo > hi:
            raise ValueError(f"energy_range must be increasing, got {self.energy_range}")

    def hamiltonian(self, y: Tensor) -> Tensor:
        check_state(y, 4)
        p = y[..., 2:]
        return 0.5 * (p**2).sum(-1) + henon_heiles_potential(y[..., :2])

    def vector_field(self, t: Tensor, y: Tensor) -> Tensor:
        check_state(y, 4)
        x, yy, px, py = y.unbind(-1)
        return torch.stack([px, py, -x - 2 * x * yy, -yy - x**2 + yy**2], dim=-1)

    def sample_initial_states(
        self,
        n: int,
        *,
        generator: torch.Generator | None = None,
        seed: int | None = None,
        energy: float | Tensor | None = None,
    ) -> Tensor:
        """``n`` states on energy shells, shaped ``(n, 4)``, float64.

        Each state is drawn from the microcanonical (Liouville) measure on its shell
        ``H = E``: for two degrees of freedom that is ``q`` uniform in the bounded
        well ``{V(q) < E}`` and the momentum direction uniform on the circle, with
        ``|p| = sqrt(2 (E - V(q)))``.

        Args:
            energy: one energy for all states, or a tensor shaped ``(n,)``; each in
                (0, 1/6). Default: uniform in ``energy_range``.
        """
        g = make_generator(generator, seed)
        if energy is None:
            lo, hi = self.energy_range
            E = lo + (hi - lo) * torch.rand(n, generator=g, dtype=torch.float64)
        else:
            E = torch.as_tensor(energy, dtype=torch.float64).expand(n).clone()
            for e in E.unique().tolist():
                check_energy(e)
        q = torch.empty(n, 2, dtype=torch.float64)
        todo = torch.arange(n)
        while todo.numel():
            # the well {V < E} lies inside the disc |q| < 1 and, for small E, near |q| ~ sqrt(2E)
            half = torch.clamp(1.3 * torch.sqrt(2 * E[todo]), max=1.0)
            cand = (2 * torch.rand(todo.numel(), 2, generator=g, dtype=torch.float64) - 1) * half[:, None]
            ok = inside_triangle(cand) & (henon_heiles_potential(cand) < E[todo])
            q[todo[ok]] = cand[ok]
            todo = todo[~ok]
        speed = torch.sqrt(2 * (E - henon_heiles_potential(q)))
        angle = 2 * math.pi * torch.rand(n, generator=g, dtype=torch.float64)
        p = torch.stack([speed * torch.cos(angle), speed * torch.sin(angle)], dim=-1)
        return torch.cat([q, p], dim=-1)

    def config(self) -> dict:
        return {"name": self.name, "energy_range": list(self.energy_range)}


def check_energy(energy: float) -> None:
    """Raise ValueError unless ``0 < energy < 1/6`` (bounded Henon-Heiles motion)."""
    if not (0.0 < float(energy) < ESCAPE_ENERGY):
        raise ValueError(f"Henon-Heiles energy must lie in (0, 1/6) for bounded motion, got {float(energy):.6g}")
