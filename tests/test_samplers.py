"""Initial-state samplers: energy shells, reproducibility, validation."""

from __future__ import annotations

import math

import pytest
import torch

from systems import HenonHeiles, Pendulum, PendulumClock, VanDerPol
from systems.henon_heiles import henon_heiles_potential, inside_triangle


@pytest.mark.parametrize("energy", [0.01, 0.08, 0.125, 0.16])
def test_henon_heiles_states_lie_on_requested_shell_inside_the_well(energy):
    hh = HenonHeiles()
    y = hh.sample_initial_states(400, seed=1, energy=energy)
    torch.testing.assert_close(hh.hamiltonian(y), torch.full((400,), energy, dtype=torch.float64), rtol=0, atol=1e-14)
    assert inside_triangle(y[:, :2]).all()
    assert (henon_heiles_potential(y[:, :2]) <= energy).all()


def test_henon_heiles_uniform_positions_fill_the_well():
    """Microcanonical marginal for 2 DOF: q uniform in {V < E}. At small E the well is
    close to the disc |q| < sqrt(2E), so the mean of |q|^2 is close to E (= R^2/2)."""
    E = 0.005
    y = HenonHeiles().sample_initial_states(20000, seed=2, energy=E)
    r2 = (y[:, :2] ** 2).sum(-1)
    assert float(r2.mean()) == pytest.approx(E, rel=0.03)
    # momentum direction uniform: mean of cos and sin near zero
    angle = torch.atan2(y[:, 3], y[:, 2])
    assert abs(float(torch.cos(angle).mean())) < 0.03 and abs(float(torch.sin(angle).mean())) < 0.03


def test_henon_heiles_per_state_energies():
    energies = torch.linspace(0.02, 0.15, 50)
    y = HenonHeiles().sample_initial_states(50, seed=0, energy=energies)
    torch.testing.assert_close(HenonHeiles().hamiltonian(y), energies.double(), rtol=0, atol=1e-12)


@pytest.mark.parametrize("energy", [0.0, -0.1, 1 / 6, 0.2])
def test_henon_heiles_energy_outside_bounded_range_is_refused(energy):
    with pytest.raises(ValueError, match=r"\(0, 1/6\)"):
        HenonHeiles().sample_initial_states(3, seed=0, energy=energy)


@pytest.mark.parametrize("system", [VanDerPol(), HenonHeiles(), Pendulum(), PendulumClock()])
def test_same_seed_same_states_and_generator_equivalent(system):
    a = system.sample_initial_states(7, seed=11)
    b = system.sample_initial_states(7, seed=11)
    c = system.sample_initial_states(7, generator=torch.Generator().manual_seed(11))
    torch.testing.assert_close(a, b, rtol=0, atol=0)
    torch.testing.assert_close(a, c, rtol=0, atol=0)
    assert not torch.equal(a, system.sample_initial_states(7, seed=12))
    assert a.shape == (7, system.dim) and torch.isfinite(a).all()


def test_sampler_needs_explicit_randomness():
    with pytest.raises(ValueError, match="seed"):
        VanDerPol().sample_initial_states(3)


def test_pendulum_sampler_respects_amplitudes():
    pen = Pendulum(amplitude_range=(0.5, 1.5))
    y = pen.sample_initial_states(1000, seed=0)
    # energy of amplitude A is -cos A: every state lies between the two extreme orbits
    e = pen.hamiltonian(y)
    assert float(e.min()) >= -math.cos(0.5) - 1e-12
    assert float(e.max()) <= -math.cos(1.5) + 1e-12
    assert float(y[:, 0].abs().max()) <= 1.5
    # the whole range is used
    amplitude = torch.arccos(-e)
    assert float(amplitude.min()) < 0.55 and float(amplitude.max()) > 1.45
