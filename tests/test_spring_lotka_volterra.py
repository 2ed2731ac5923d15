"""The mass on a spring against its exact flow, Lotka-Volterra against SciPy and its
conserved quantity."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.integrate import solve_ivp

import systems
from systems import LotkaVolterra, MassSpring, generate_orbits, time_grid
from systems.base import symplectic_gradient


def test_spring_orbits_follow_the_exact_flow_and_keep_their_energy():
    spring = MassSpring(stiffness=2.0, mass=0.5)
    y0 = spring.sample_initial_states(5, seed=0)
    t = time_grid(10.0, 0.1)
    orbits = generate_orbits(spring, y0, t)
    torch.testing.assert_close(orbits.states, spring.exact(y0, t), rtol=1e-8, atol=1e-8)
    h = spring.hamiltonian(orbits.states)
    assert float((h - h[:, :1]).abs().max()) < 1e-8


def test_spring_vector_field_is_the_symplectic_gradient_of_its_hamiltonian():
    spring = MassSpring(stiffness=3.0, mass=2.0)
    y = torch.randn(7, 2, dtype=torch.float64)
    torch.testing.assert_close(spring.vector_field(None, y), symplectic_gradient(spring.hamiltonian, y, 1))


def test_spring_sampler_draws_radii_in_range():
    y = MassSpring(radius_range=(0.5, 0.7)).sample_initial_states(200, seed=1)
    r = y.norm(dim=-1)
    assert y.shape == (200, 2) and float(r.min()) >= 0.5 and float(r.max()) <= 0.7


def test_lotka_volterra_matches_scipy_and_conserves_v():
    lv = LotkaVolterra(alpha=2 / 3, beta=4 / 3, gamma=1.0, delta=1.0)
    y0 = lv.sample_initial_states(3, seed=2)
    t = time_grid(20.0, 0.05)
    orbits = generate_orbits(lv, y0, t)

    def rhs(_, y):
        x, z = y
        return [lv.alpha * x - lv.beta * x * z, lv.delta * x * z - lv.gamma * z]

    for i in range(3):
        ref = solve_ivp(rhs, (0, 20.0), y0[i].numpy(), t_eval=t.numpy(), rtol=1e-11, atol=1e-12).y.T
        np.testing.assert_allclose(orbits.states[i].numpy(), ref, rtol=1e-6, atol=1e-7)
    v = lv.energy(orbits.states)
    assert float((v - v[:, :1]).abs().max()) < 1e-7
    assert bool((orbits.states > 0).all())


def test_lotka_volterra_energy_is_nan_outside_the_positive_quadrant():
    lv = LotkaVolterra()
    v = lv.energy(torch.tensor([[1.0, 1.0], [-0.1, 1.0], [1.0, 0.0]], dtype=torch.float64))
    assert v[0].item() == pytest.approx(2.0) and torch.isnan(v[1:]).all()


def test_both_are_built_in_systems():
    assert isinstance(systems.get_system("mass-spring"), MassSpring)
    assert isinstance(systems.get_system("lotka-volterra"), LotkaVolterra)
    with pytest.raises(ValueError, match="positive"):
        LotkaVolterra(alpha=0.0)
