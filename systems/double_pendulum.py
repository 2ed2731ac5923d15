"""The planar double pendulum in canonical coordinates: a non-separable Hamiltonian system.

Angles ``q = (theta1, theta2)`` from the downward vertical, canonical momenta
``p = (p1, p2)``; with masses ``m1, m2``, lengths ``l1, l2``, gravity ``g`` and
``d = theta1 - theta2``,

    H = (m2 l2^2 p1^2 + (m1 + m2) l1^2 p2^2 - 2 m2 l1 l2 p1 p2 cos d)
        / (2 m2 l1^2 l2^2 (m1 + m2 sin^2 d))
        - (m1 + m2) g l1 cos theta1 - m2 g l2 cos theta2.

The kinetic term depends on ``q`` through ``d``: ``H`` is not ``T(p) + V(q)``, so the
explicit symplectic integrators refuse it and the implicit midpoint rule is the symplectic
choice. The momenta relate to the angular velocities by ``p = M(q) omega`` with the mass
matrix ``M = [[(m1 + m2) l1^2, m2 l1 l2 cos d], [m2 l1 l2 cos d, m2 l2^2]]``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from systems.base import HamiltonianSystem, check_state, make_generator


@dataclass
class DoublePendulum(HamiltonianSystem):
    """Double pendulum with state ``(theta1, theta2, p1, p2)``.

    Args:
        m1, m2: the bobs' masses.
        l1, l2: the rods' lengths (massless rods).
        gravity: gravitational acceleration g.
        energy_range: energies the sampler draws when none is asked (``None``: the box
            sampler below); the lowest energy is ``-(m1 + m2) g l1 - m2 g l2`` (both at rest,
            hanging).
        angle_box, momentum_box: the box sampler's half-widths: angles uniform in
            ``[-angle_box, angle_box]``, momenta in ``[-momentum_box, momentum_box]``.
    """

    m1: float = 1.0
    m2: float = 1.0
    l1: float = 1.0
    l2: float = 1.0
    gravity: float = 9.81
    energy_range: tuple[float, float] | None = None
    angle_box: float = 1.0
    momentum_box: float = 1.0

    name = "double-pendulum"
    n_dof = 2
    separable = False
    state_names = ("theta1", "theta2", "p1", "p2")

    def __post_init__(self) -> None:
        for label, value in (("m1", self.m1), ("m2", self.m2), ("l1", self.l1), ("l2", self.l2), ("g", self.gravity)):
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"double pendulum: {label} must be a positive number, got {value}")
        if not (0 < self.angle_box <= math.pi and 0 <= self.momentum_box < math.inf):
            raise ValueError(
                f"double pendulum: angle_box must lie in (0, pi] and momentum_box be >= 0, "
                f"got {self.angle_box}, {self.momentum_box}"
            )
        if self.energy_range is not None:
            lo, hi = self.energy_range
            self.check_energy(lo)
            if not lo <= hi:
                raise ValueError(f"double pendulum: energy_range must be increasing, got {self.energy_range}")

    @property
    def lowest_energy(self) -> float:
        """``H`` at rest hanging down: ``-(m1 + m2) g l1 - m2 g l2``."""
        return -(self.m1 + self.m2) * self.gravity * self.l1 - self.m2 * self.gravity * self.l2

    def check_energy(self, energy: float) -> None:
        """Refuse an energy at or below the lowest one (no state has it)."""
        if not float(energy) > self.lowest_energy:
            raise ValueError(
                f"double pendulum: energy must exceed the lowest energy {self.lowest_energy:.6g}, "
                f"got {float(energy):.6g}"
            )

    def potential(self, q: Tensor) -> Tensor:
        """``V(q)`` for angles shaped ``(..., 2)``; returns ``(...)``."""
        m1, m2, l1, l2, g = self.m1, self.m2, self.l1, self.l2, self.gravity
        return -(m1 + m2) * g * l1 * torch.cos(q[..., 0]) - m2 * g * l2 * torch.cos(q[..., 1])

    def mass_matrix(self, q: Tensor) -> Tensor:
        """``M(q)`` with ``p = M omega``, for angles ``(..., 2)``; returns ``(..., 2, 2)``."""
        m1, m2, l1, l2 = self.m1, self.m2, self.l1, self.l2
        c = m2 * l1 * l2 * torch.cos(q[..., 0] - q[..., 1])
        a = torch.full_like(c, (m1 + m2) * l1**2)
        b = torch.full_like(c, m2 * l2**2)
        return torch.stack([torch.stack([a, c], -1), torch.stack([c, b], -1)], -2)

    def kinetic(self, y: Tensor) -> Tensor:
        """``T(q, p) = p^T M(q)^-1 p / 2`` for states ``(..., 4)``; returns ``(...)``."""
        m1, m2, l1, l2 = self.m1, self.m2, self.l1, self.l2
        d = y[..., 0] - y[..., 1]
        p1, p2 = y[..., 2], y[..., 3]
        num = m2 * l2**2 * p1**2 + (m1 + m2) * l1**2 * p2**2 - 2 * m2 * l1 * l2 * p1 * p2 * torch.cos(d)
        return num / (2 * m2 * l1**2 * l2**2 * (m1 + m2 * torch.sin(d) ** 2))

    def hamiltonian(self, y: Tensor) -> Tensor:
        check_state(y, 4)
        return self.kinetic(y) + self.potential(y[..., :2])

    def vector_field(self, t: Tensor, y: Tensor) -> Tensor:
        """``(dH/dp, -dH/dq)`` in closed form for states ``(..., 4)``; returns ``(..., 4)``
        (equal to the autograd default, checked in the tests, and several times faster)."""
        check_state(y, 4)
        m1, m2, l1, l2, g = self.m1, self.m2, self.l1, self.l2, self.gravity
        t1, t2, p1, p2 = y.unbind(-1)
        d = t1 - t2
        s, c = torch.sin(d), torch.cos(d)
        inertia = m1 + m2 * s**2
        dq1 = (l2 * p1 - l1 * p2 * c) / (l1**2 * l2 * inertia)
        dq2 = ((m1 + m2) * l1 * p2 - m2 * l2 * p1 * c) / (m2 * l1 * l2**2 * inertia)
        denominator = 2 * m2 * l1**2 * l2**2 * inertia  # T = numerator / denominator
        numerator = m2 * l2**2 * p1**2 + (m1 + m2) * l1**2 * p2**2 - 2 * m2 * l1 * l2 * p1 * p2 * c
        dT_dd = (
            2 * m2 * l1 * l2 * p1 * p2 * s - numerator * 4 * m2**2 * l1**2 * l2**2 * s * c / denominator
        ) / denominator
        dp1 = -(m1 + m2) * g * l1 * torch.sin(t1) - dT_dd
        dp2 = -m2 * g * l2 * torch.sin(t2) + dT_dd
        return torch.stack([dq1, dq2, dp1, dp2], dim=-1)

    def angular_velocities(self, y: Tensor) -> Tensor:
        """``omega = M(q)^-1 p`` for states ``(..., 4)``; returns ``(..., 2)``."""
        check_state(y, 4)
        return torch.linalg.solve(self.mass_matrix(y[..., :2]), y[..., 2:].unsqueeze(-1)).squeeze(-1)

    def momenta(self, q: Tensor, omega: Tensor) -> Tensor:
        """``p = M(q) omega`` for angles and angular velocities ``(..., 2)``; returns ``(..., 2)``."""
        return (self.mass_matrix(q) @ omega.unsqueeze(-1)).squeeze(-1)

    def sample_initial_states(
        self,
        n: int,
        *,
        generator: torch.Generator | None = None,
        seed: int | None = None,
        energy: float | Tensor | None = None,
    ) -> Tensor:
        """``n`` initial states shaped ``(n, 4)``, float64.

        On an energy shell (``energy`` given, or ``energy_range`` set): angles uniform over
        the torus where ``V(q) < E``, a momentum direction uniform on the circle, scaled so
        that ``H = E``. Otherwise the box sampler: angles and momenta uniform in their boxes.

        Args:
            energy: one energy for all states, or a tensor shaped ``(n,)``; each above
                :attr:`lowest_energy`.
        """
        g = make_generator(generator, seed)
        if energy is None and self.energy_range is None:
            q = self.angle_box * (2 * torch.rand(n, 2, generator=g, dtype=torch.float64) - 1)
            p = self.momentum_box * (2 * torch.rand(n, 2, generator=g, dtype=torch.float64) - 1)
            return torch.cat([q, p], dim=-1)
        if energy is None:
            lo, hi = self.energy_range  # type: ignore[misc]
            E = lo + (hi - lo) * torch.rand(n, generator=g, dtype=torch.float64)
        else:
            E = torch.as_tensor(energy, dtype=torch.float64).expand(n).clone()
            for e in E.unique().tolist():
                self.check_energy(e)
        q = torch.empty(n, 2, dtype=torch.float64)
        todo = torch.arange(n)
        while todo.numel():
            cand = math.pi * (2 * torch.rand(todo.numel(), 2, generator=g, dtype=torch.float64) - 1)
            ok = self.potential(cand) < E[todo]
            q[todo[ok]] = cand[ok]
            todo = todo[~ok]
        angle = 2 * math.pi * torch.rand(n, generator=g, dtype=torch.float64)
        direction = torch.stack([torch.cos(angle), torch.sin(angle)], dim=-1)
        unit_kinetic = self.kinetic(torch.cat([q, direction], dim=-1))
        p = direction * torch.sqrt((E - self.potential(q)) / unit_kinetic)[:, None]
        return torch.cat([q, p], dim=-1)

    def config(self) -> dict:
        return {
            "name": self.name,
            "m1": self.m1,
            "m2": self.m2,
            "l1": self.l1,
            "l2": self.l2,
            "gravity": self.gravity,
            "energy_range": None if self.energy_range is None else list(self.energy_range),
            "angle_box": self.angle_box,
            "momentum_box": self.momentum_box,
        }
