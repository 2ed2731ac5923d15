"""The Lotka-Volterra predator-prey model: populations that must stay positive, and a
conserved quantity that is not an energy of the state's coordinates."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from systems.base import System, check_state, make_generator


@dataclass
class LotkaVolterra(System):
    """Prey ``x`` and predators ``y``::

        dx/dt = alpha x - beta x y,    dy/dt = delta x y - gamma y

    Every orbit with ``x, y > 0`` is closed around the equilibrium ``(gamma / delta,
    alpha / beta)`` and keeps ``V = delta x - gamma ln x + beta y - alpha ln y`` constant,
    which :meth:`energy` returns (NaN outside the positive quadrant, where a forecast has
    left the model's meaning). The state is not canonical: use ``--model nn``.

    Args:
        alpha, beta, gamma, delta: prey growth, predation, predator death, predator growth.
        box: range of both populations, relative to the equilibrium's, drawn by the sampler.
    """

    alpha: float = 1.0
    beta: float = 1.0
    gamma: float = 1.0
    delta: float = 1.0
    box: tuple[float, float] = (0.3, 2.0)

    name = "lotka-volterra"
    dim = 2
    state_names = ("prey", "predators")

    def __post_init__(self) -> None:
        if min(self.alpha, self.beta, self.gamma, self.delta) <= 0:
            raise ValueError("alpha, beta, gamma and delta must be positive")
        lo, hi = self.box
        if not 0 < lo < hi:
            raise ValueError(f"box must satisfy 0 < lo < hi, got {self.box}")

    @property
    def equilibrium(self) -> tuple[float, float]:
        """The coexistence fixed point ``(gamma / delta, alpha / beta)``."""
        return self.gamma / self.delta, self.alpha / self.beta

    def vector_field(self, t: Tensor, y: Tensor) -> Tensor:
        check_state(y, self.dim)
        x, z = y[..., 0], y[..., 1]
        return torch.stack([self.alpha * x - self.beta * x * z, self.delta * x * z - self.gamma * z], dim=-1)

    def energy(self, y: Tensor) -> Tensor:
        """The conserved ``V`` ``(...)`` for states ``(..., 2)`` (NaN where a population is <= 0)."""
        check_state(y, self.dim)
        x, z = y[..., 0], y[..., 1]
        positive = (x > 0) & (z > 0)
        xs, zs = torch.where(positive, x, torch.ones_like(x)), torch.where(positive, z, torch.ones_like(z))
        v = self.delta * xs - self.gamma * torch.log(xs) + self.beta * zs - self.alpha * torch.log(zs)
        return torch.where(positive, v, torch.full_like(v, float("nan")))

    def sample_initial_states(
        self, n: int, *, generator: torch.Generator | None = None, seed: int | None = None
    ) -> Tensor:
        """``n`` states ``(n, 2)``, float64, each population uniform in ``box`` times its equilibrium value."""
        g = make_generator(generator, seed)
        lo, hi = self.box
        u = lo + (hi - lo) * torch.rand(n, 2, generator=g, dtype=torch.float64)
        return u * torch.tensor(self.equilibrium, dtype=torch.float64)

    def config(self) -> dict:
        return {
            "name": self.name,
            "alpha": self.alpha,
            "beta": self.beta,
            "gamma": self.gamma,
            "delta": self.delta,
            "box": list(self.box),
        }
