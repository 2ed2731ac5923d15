"""The ideal mass on a spring, H = k q^2 / 2 + p^2 / (2 m): the first benchmark of the
Hamiltonian-network literature."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from systems.base import HamiltonianSystem, check_state, make_generator


@dataclass
class MassSpring(HamiltonianSystem):
    """Ideal spring with state ``(q, p)``: ``H = k q^2 / 2 + p^2 / (2 m)``, angular frequency
    ``omega = sqrt(k / m)``; :meth:`exact` is the closed-form flow.

    The sampler follows the Hamiltonian-network literature's spring task: a point at a random
    angle on the circle ``q^2 + p^2 = r^2`` with ``r`` uniform in ``radius_range`` (for
    ``k = m = 1`` that circle is an orbit).

    Args:
        stiffness: spring constant k.
        mass: mass m.
        radius_range: range of ``r = sqrt(q^2 + p^2)`` drawn by the sampler.
    """

    stiffness: float = 1.0
    mass: float = 1.0
    radius_range: tuple[float, float] = (0.1, 1.0)

    name = "mass-spring"
    n_dof = 1
    separable = True
    state_names = ("q", "p")

    def __post_init__(self) -> None:
        if not (self.stiffness > 0 and self.mass > 0):
            raise ValueError(f"stiffness and mass must be positive, got {self.stiffness}, {self.mass}")
        lo, hi = self.radius_range
        if not 0 < lo <= hi:
            raise ValueError(f"radius_range must satisfy 0 < lo <= hi, got {self.radius_range}")

    @property
    def omega(self) -> float:
        """Angular frequency sqrt(k / m)."""
        return math.sqrt(self.stiffness / self.mass)

    def hamiltonian(self, y: Tensor) -> Tensor:
        check_state(y, 2)
        q, p = y[..., 0], y[..., 1]
        return 0.5 * self.stiffness * q**2 + 0.5 * p**2 / self.mass

    def vector_field(self, t: Tensor, y: Tensor) -> Tensor:
        check_state(y, 2)
        q, p = y[..., 0], y[..., 1]
        return torch.stack([p / self.mass, -self.stiffness * q], dim=-1)

    def exact(self, y0: Tensor, t: Tensor) -> Tensor:
        """The exact flow from ``y0`` ``(N, 2)`` at times ``t`` ``(T,)``: states ``(N, T, 2)``."""
        w, m = self.omega, self.mass
        c, s = torch.cos(w * t)[None, :], torch.sin(w * t)[None, :]
        q0, p0 = y0[:, :1], y0[:, 1:]
        q = q0 * c + p0 / (m * w) * s
        p = p0 * c - q0 * m * w * s
        return torch.stack([q, p], dim=-1)

    def sample_initial_states(
        self, n: int, *, generator: torch.Generator | None = None, seed: int | None = None
    ) -> Tensor:
        """``n`` states ``(n, 2)``, float64, at a uniform angle on a circle of uniform radius."""
        g = make_generator(generator, seed)
        lo, hi = self.radius_range
        r = lo + (hi - lo) * torch.rand(n, generator=g, dtype=torch.float64)
        phi = 2 * math.pi * torch.rand(n, generator=g, dtype=torch.float64)
        return torch.stack([r * torch.cos(phi), r * torch.sin(phi)], dim=-1)

    def config(self) -> dict:
        return {
            "name": self.name,
            "stiffness": self.stiffness,
            "mass": self.mass,
            "radius_range": list(self.radius_range),
        }
