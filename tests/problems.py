"""Test problems shared by several test files: systems with exact solutions and
Henon-Heiles initial states of known character (imported by the tests, and wrapped in
fixtures by ``conftest.py``)."""

from __future__ import annotations

import math

import torch

from systems import HamiltonianSystem
from systems.base import make_generator


class HarmonicOscillator(HamiltonianSystem):
    """H = (q^2 + p^2)/2: exact solution q = q0 cos t + p0 sin t. Only the Hamiltonian is
    written, so the vector field comes from the base class's autograd."""

    name = "harmonic"
    n_dof = 1
    separable = True
    state_names = ("q", "p")

    def hamiltonian(self, y):
        return 0.5 * (y**2).sum(-1)

    def sample_initial_states(self, n, *, generator=None, seed=None):
        g = make_generator(generator, seed)
        return torch.randn(n, 2, generator=g, dtype=torch.float64)

    @staticmethod
    def exact(y0, t):
        """Exact states shaped (T, N, 2)."""
        c, s = torch.cos(t)[:, None], torch.sin(t)[:, None]
        q0, p0 = y0[:, 0], y0[:, 1]
        return torch.stack([q0 * c + p0 * s, p0 * c - q0 * s], dim=-1)


class RadialOscillator(HamiltonianSystem):
    """Non-separable H = (q^2 + p^2)^2 / 4: the flow rotates with angular speed
    q^2 + p^2, which is conserved (a quadratic invariant)."""

    name = "radial"
    n_dof = 1
    separable = False
    state_names = ("q", "p")

    def hamiltonian(self, y):
        return 0.25 * (y**2).sum(-1) ** 2

    def sample_initial_states(self, n, *, generator=None, seed=None):
        g = make_generator(generator, seed)
        return torch.randn(n, 2, generator=g, dtype=torch.float64)


def henon_heiles_state(x: float, y: float, px: float, energy: float) -> torch.Tensor:
    """A Henon-Heiles state (1, 4) with py > 0 solved from H = energy."""
    v = 0.5 * (x**2 + y**2) + x**2 * y - y**3 / 3
    py = math.sqrt(2 * (energy - v) - px**2)
    return torch.tensor([[x, y, px, py]], dtype=torch.float64)


#: Orbits at E = 1/8 classified by long integrations (SALI, Lyapunov exponent).
REGULAR_HH = dict(x=0.234, y=0.184, px=-0.134, energy=0.125)
CHAOTIC_HH = dict(x=-0.118, y=0.245, px=0.182, energy=0.125)
