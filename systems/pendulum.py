"""The ideal pendulum, H = p^2/2 - omega0^2 cos q with omega0^2 = g / l."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from systems.base import HamiltonianSystem, check_state, make_generator


@dataclass
class Pendulum(HamiltonianSystem):
    """Ideal pendulum with state ``(q, p) = (theta, theta_dot)``.

    Momentum is taken per unit ``m l^2`` so that ``p = theta_dot`` (as in the
    pendulum-clock data), and ``H = p^2/2 - (g/l) cos q``; the small-angle period is
    ``2 pi sqrt(l/g)``. The defaults ``length = gravity = 1`` give ``H = p^2/2 - cos q``.

    Args:
        length: pendulum length l (m).
        gravity: gravitational acceleration g (m/s^2).
        amplitude_range: range of amplitudes (rad) drawn by the sampler; below pi
            so that every orbit librates.
    """

    length: float = 1.0
    gravity: float = 1.0
    amplitude_range: tuple[float, float] = (0.1, 2.0)

    name = "pendulum"
    n_dof = 1
    separable = True
    state_names = ("theta", "theta_dot")

    def __post_init__(self) -> None:
        if not (self.length > 0 and self.gravity > 0):
            raise ValueError(f"length and gravity must be positive, got {self.length}, {self.gravity}")
        lo, hi = self.amplitude_range
        if not 0 < lo <= hi < math.pi:
            raise ValueError(f"amplitude_range must satisfy 0 < lo <= hi < pi, got {self.amplitude_range}")

    @property
    def omega0_squared(self) -> float:
        """Small-oscillation angular frequency squared, g / l (1/s^2)."""
        return self.gravity / self.length

    def hamiltonian(self, y: Tensor) -> Tensor:
        check_state(y, 2)
        q, p = y[..., 0], y[..., 1]
        return 0.5 * p**2 - self.omega0_squared * torch.cos(q)

    def vector_field(self, t: Tensor, y: Tensor) -> Tensor:
        check_state(y, 2)
        q, p = y[..., 0], y[..., 1]
        return torch.stack([p, -self.omega0_squared * torch.sin(q)], dim=-1)

    def sample_initial_states(
        self, n: int, *, generator: torch.Generator | None = None, seed: int | None = None
    ) -> Tensor:
        """``n`` librating states shaped ``(n, 2)``, float64: an amplitude A uniform in
        ``amplitude_range``, then a point of that orbit with ``q`` uniform in [-A, A]
        and a random direction of motion."""
        g = make_generator(generator, seed)
        lo, hi = self.amplitude_range
        amp = lo + (hi - lo) * torch.rand(n, generator=g, dtype=torch.float64)
        q = amp * (2 * torch.rand(n, generator=g, dtype=torch.float64) - 1)
        sign = torch.where(torch.rand(n, generator=g, dtype=torch.float64) < 0.5, -1.0, 1.0)
        p = sign * torch.sqrt(2 * self.omega0_squared * (torch.cos(q) - torch.cos(amp)))
        return torch.stack([q, p], dim=-1).to(torch.float64)

    def config(self) -> dict:
        return {
            "name": self.name,
            "length": self.length,
            "gravity": self.gravity,
            "amplitude_range": list(self.amplitude_range),
        }
