"""Damped oscillators: a pendulum with viscous friction and the damped Duffing oscillator.

Both are dissipative Hamiltonian systems (port-Hamiltonian without ports): a conserved part
``H(q, p)`` and a dissipation ``R >= 0`` acting on the momentum,

    dq/dt = dH/dp,    dp/dt = -dH/dq - R dH/dp,

so the energy decays at the known rate ``dE/dt = -R (dH/dp)^2 = -gamma p^2`` (both have
``dH/dp = p``). They follow the :func:`systems.base.is_dissipative` protocol (``n_dof``,
``energy``, ``dissipation``), not the Hamiltonian one: a symplectic integrator would drop the
friction, so those refuse them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from systems.base import System, check_state, make_generator


@dataclass
class _DampedOscillator(System):
    """What both share: the state ``(q, p)``, the constant dissipation ``gamma`` and the
    energy's decay rate; subclasses write :meth:`energy` and :meth:`force` (``-dV/dq``)."""

    damping: float = 0.1
    n_dof = 1

    def _check_damping(self) -> None:
        if not (math.isfinite(self.damping) and self.damping >= 0):
            raise ValueError(f"damping must be finite and >= 0, got {self.damping}")

    @property
    def dim(self) -> int:  # type: ignore[override]
        return 2

    def force(self, q: Tensor) -> Tensor:
        """``-dV/dq`` at positions ``q`` ``(...)`` (written by subclasses)."""
        raise NotImplementedError

    def vector_field(self, t: Tensor, y: Tensor) -> Tensor:
        check_state(y, 2)
        q, p = y[..., 0], y[..., 1]
        return torch.stack([p, self.force(q) - self.damping * p], dim=-1)

    def dissipation(self, y: Tensor) -> Tensor:
        """``R(q, p)`` ``(..., 1, 1)``: here the constant ``gamma``."""
        return torch.full((*y.shape[:-1], 1, 1), float(self.damping), dtype=y.dtype, device=y.device)

    def energy_rate(self, y: Tensor) -> Tensor:
        """The exact ``dE/dt = -gamma p^2`` ``(...)`` along the flow."""
        check_state(y, 2)
        return -self.damping * y[..., 1] ** 2


@dataclass
class DampedPendulum(_DampedOscillator):
    """Pendulum with viscous friction, state ``(theta, theta_dot)``:

        theta'' = -(g / l) sin(theta) - gamma theta',

    ``E = p^2 / 2 + (g / l)(1 - cos q)`` (zero at rest), ``dE/dt = -gamma p^2``; for small
    swings the amplitude decays as ``exp(-gamma t / 2)``.

    Args:
        damping: the friction rate gamma (1/s).
        length, gravity: l and g (``g / l = omega0^2``).
        amplitude_range: the starting amplitudes (rad) the sampler draws, below pi.
    """

    length: float = 1.0
    gravity: float = 1.0
    amplitude_range: tuple[float, float] = (0.3, 2.0)

    name = "damped-pendulum"
    state_names = ("theta", "theta_dot")

    def __post_init__(self) -> None:
        self._check_damping()
        if not (self.length > 0 and self.gravity > 0):
            raise ValueError(f"length and gravity must be positive, got {self.length}, {self.gravity}")
        lo, hi = self.amplitude_range
        if not 0 < lo <= hi < math.pi:
            raise ValueError(f"amplitude_range must satisfy 0 < lo <= hi < pi, got {self.amplitude_range}")

    @property
    def omega0_squared(self) -> float:
        return self.gravity / self.length

    def force(self, q: Tensor) -> Tensor:
        return -self.omega0_squared * torch.sin(q)

    def energy(self, y: Tensor) -> Tensor:
        check_state(y, 2)
        q, p = y[..., 0], y[..., 1]
        return 0.5 * p**2 + self.omega0_squared * (1 - torch.cos(q))

    def sample_initial_states(
        self, n: int, *, generator: torch.Generator | None = None, seed: int | None = None
    ) -> Tensor:
        """``n`` states ``(n, 2)``, float64: at rest at an amplitude uniform in
        ``amplitude_range``, on a random side."""
        g = make_generator(generator, seed)
        lo, hi = self.amplitude_range
        amp = lo + (hi - lo) * torch.rand(n, generator=g, dtype=torch.float64)
        side = torch.where(torch.rand(n, generator=g, dtype=torch.float64) < 0.5, -1.0, 1.0)
        return torch.stack([side * amp, torch.zeros_like(amp)], dim=-1)

    def config(self) -> dict:
        return {
            "name": self.name,
            "damping": self.damping,
            "length": self.length,
            "gravity": self.gravity,
            "amplitude_range": list(self.amplitude_range),
        }


@dataclass
class DampedDuffing(_DampedOscillator):
    """The unforced damped Duffing oscillator, state ``(x, v)``:

        x'' = -alpha x - beta x^3 - delta x',

    ``E = v^2 / 2 + alpha x^2 / 2 + beta x^4 / 4``, ``dE/dt = -delta v^2``. With ``alpha < 0 <
    beta`` (the default: the double well) orbits settle into one of the wells at
    ``x = +-sqrt(-alpha / beta)``.

    Args:
        damping: delta.
        alpha, beta: the linear and cubic stiffness (``beta > 0``).
        energy_range: the starting energies the sampler draws (above the barrier, 0 for the
            double well, the orbits first swing over both wells).
    """

    alpha: float = -1.0
    beta: float = 1.0
    energy_range: tuple[float, float] = (0.05, 1.0)
    damping: float = 0.2

    name = "duffing"
    state_names = ("x", "v")

    def __post_init__(self) -> None:
        self._check_damping()
        if not (math.isfinite(self.alpha) and self.beta > 0):
            raise ValueError(f"need a finite alpha and beta > 0, got {self.alpha}, {self.beta}")
        lo, hi = self.energy_range
        floor = -(self.alpha**2) / (4 * self.beta) if self.alpha < 0 else 0.0
        if not floor < lo <= hi:
            raise ValueError(f"energy_range must satisfy {floor:.3g} < lo <= hi, got {self.energy_range}")

    def force(self, q: Tensor) -> Tensor:
        return -self.alpha * q - self.beta * q**3

    def energy(self, y: Tensor) -> Tensor:
        check_state(y, 2)
        x, v = y[..., 0], y[..., 1]
        return 0.5 * v**2 + 0.5 * self.alpha * x**2 + 0.25 * self.beta * x**4

    def sample_initial_states(
        self, n: int, *, generator: torch.Generator | None = None, seed: int | None = None
    ) -> Tensor:
        """``n`` states ``(n, 2)``, float64: at rest (``v = 0``) at the outer turning point of
        an energy uniform in ``energy_range``, on a random side."""
        g = make_generator(generator, seed)
        lo, hi = self.energy_range
        e = lo + (hi - lo) * torch.rand(n, generator=g, dtype=torch.float64)
        # beta x^4 / 4 + alpha x^2 / 2 = e: the larger root in x^2
        x2 = (-self.alpha + torch.sqrt(self.alpha**2 + 4 * self.beta * e)) / self.beta
        side = torch.where(torch.rand(n, generator=g, dtype=torch.float64) < 0.5, -1.0, 1.0)
        return torch.stack([side * torch.sqrt(x2), torch.zeros_like(e)], dim=-1)

    def config(self) -> dict:
        return {
            "name": self.name,
            "damping": self.damping,
            "alpha": self.alpha,
            "beta": self.beta,
            "energy_range": list(self.energy_range),
        }
