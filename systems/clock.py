"""A smooth model of a pendulum clock: damped pendulum driven by an escapement."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from systems.base import System, check_state, make_generator


@dataclass
class PendulumClock(System):
    """Pendulum clock with state ``(theta, theta_dot)``:

        theta'' = -(g/l) sin(theta) - damping * theta'
                  + kick * exp(-theta^2 / (2 kick_width^2)) * tanh(theta' / kick_speed)

    The last term is the escapement: a narrow bump around the vertical that pushes
    the pendulum in its direction of motion. Everything is smooth, so the model can
    be integrated in batches with adaptive solvers. Energy lost to damping over a
    cycle, ``damping * pi * A^2 * omega``, balances the two kicks,
    ``2 sqrt(2 pi) kick * kick_width``, on one attracting near-elliptical limit
    cycle of amplitude ``A``. The defaults are tuned to the real clock shipped with
    the package (period about 2.03 s, amplitude about 0.1 rad).

    This is not a Hamiltonian system (energy is pumped in and dissipated); its
    :meth:`energy` is the pendulum's mechanical energy per unit ``m l^2``, monitored,
    not conserved.
    """

    length: float = 1.02
    gravity: float = 9.81
    damping: float = 0.1
    kick: float = 0.097
    kick_width: float = 0.02
    kick_speed: float = 0.02

    name = "clock"
    dim = 2
    state_names = ("theta", "theta_dot")

    def __post_init__(self) -> None:
        for field in ("length", "gravity", "damping", "kick", "kick_width", "kick_speed"):
            if not getattr(self, field) > 0:
                raise ValueError(f"{field} must be positive, got {getattr(self, field)}")

    @property
    def omega0_squared(self) -> float:
        return self.gravity / self.length

    def predicted_amplitude(self) -> float:
        """Limit-cycle amplitude (rad) from the small-angle energy balance."""
        omega = math.sqrt(self.omega0_squared)
        return math.sqrt(2 * math.sqrt(2 * math.pi) * self.kick * self.kick_width / (self.damping * math.pi * omega))

    def vector_field(self, t: Tensor, y: Tensor) -> Tensor:
        check_state(y, 2)
        q, v = y[..., 0], y[..., 1]
        escapement = self.kick * torch.exp(-0.5 * (q / self.kick_width) ** 2) * torch.tanh(v / self.kick_speed)
        return torch.stack([v, -self.omega0_squared * torch.sin(q) - self.damping * v + escapement], dim=-1)

    def energy(self, y: Tensor) -> Tensor:
        check_state(y, 2)
        return 0.5 * y[..., 1] ** 2 + self.omega0_squared * (1 - torch.cos(y[..., 0]))

    def sample_initial_states(
        self, n: int, *, generator: torch.Generator | None = None, seed: int | None = None
    ) -> Tensor:
        """``n`` states shaped ``(n, 2)``, float64, uniform in |theta| < 0.2 rad,
        |theta_dot| < 0.6 rad/s: inside and outside the limit cycle."""
        g = make_generator(generator, seed)
        u = 2 * torch.rand(n, 2, generator=g, dtype=torch.float64) - 1
        return u * torch.tensor([0.2, 0.6], dtype=torch.float64)

    def config(self) -> dict:
        return {
            "name": self.name,
            "length": self.length,
            "gravity": self.gravity,
            "damping": self.damping,
            "kick": self.kick,
            "kick_width": self.kick_width,
            "kick_speed": self.kick_speed,
        }
