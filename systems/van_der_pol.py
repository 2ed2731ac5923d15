"""The van der Pol oscillator x'' - mu (1 - x^2) x' + x = 0."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from systems.base import System, check_state, make_generator


@dataclass
class VanDerPol(System):
    """van der Pol oscillator with state ``y = (x, x')``.

    Every orbit is attracted to one limit cycle; at the paper's ``mu = 2.7`` its
    period is about 8.5 time units. There is no conserved quantity, so
    :meth:`energy` returns None.

    Args:
        mu: nonlinear damping (the paper's 2.7).
        box: half-widths ``(x_max, v_max)`` of the box initial states are drawn from.
    """

    mu: float = 2.7
    box: tuple[float, float] = (3.0, 6.0)

    name = "van-der-pol"
    dim = 2
    state_names = ("x", "v")

    def __post_init__(self) -> None:
        if not self.mu > 0:
            raise ValueError(f"mu must be positive, got {self.mu}")

    def vector_field(self, t: Tensor, y: Tensor) -> Tensor:
        check_state(y, self.dim)
        x, v = y[..., 0], y[..., 1]
        return torch.stack([v, self.mu * (1 - x**2) * v - x], dim=-1)

    def sample_initial_states(
        self, n: int, *, generator: torch.Generator | None = None, seed: int | None = None
    ) -> Tensor:
        """``n`` states uniform in ``[-x_max, x_max] x [-v_max, v_max]``, shaped ``(n, 2)``."""
        g = make_generator(generator, seed)
        u = 2 * torch.rand(n, 2, generator=g, dtype=torch.float64) - 1
        return u * torch.tensor(self.box, dtype=torch.float64)

    def config(self) -> dict:
        return {"name": self.name, "mu": self.mu, "box": list(self.box)}
