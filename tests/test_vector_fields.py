"""Vector fields against hand-derived values; shapes, dtypes; autograd against closed forms."""

from __future__ import annotations

import math

import pytest
import torch

from systems import HenonHeiles, Pendulum, PendulumClock, VanDerPol
from systems.base import HamiltonianSystem


def test_van_der_pol_hand_values():
    vdp = VanDerPol(mu=2.7)
    y = torch.tensor([[2.0, 1.0], [0.5, -3.0]], dtype=torch.float64)
    # x'' = mu (1 - x^2) x' - x
    expected = torch.tensor([[1.0, 2.7 * (1 - 4) * 1 - 2], [-3.0, 2.7 * 0.75 * (-3) - 0.5]], dtype=torch.float64)
    torch.testing.assert_close(vdp(0.0, y), expected)
    assert vdp.energy(y) is None


def test_henon_heiles_hand_values():
    hh = HenonHeiles()
    y = torch.tensor([0.1, -0.2, 0.3, 0.4], dtype=torch.float64)
    x, yy, px, py = 0.1, -0.2, 0.3, 0.4
    expected = torch.tensor([px, py, -x - 2 * x * yy, -yy - x * x + yy * yy], dtype=torch.float64)
    torch.testing.assert_close(hh.vector_field(0.0, y), expected)
    H = 0.5 * (px**2 + py**2) + 0.5 * (x**2 + yy**2) + x**2 * yy - yy**3 / 3
    assert float(hh.hamiltonian(y)) == pytest.approx(H, rel=1e-14)


def test_pendulum_hand_values():
    pen = Pendulum(length=2.0, gravity=9.0)
    y = torch.tensor([0.3, -1.2], dtype=torch.float64)
    torch.testing.assert_close(pen(0.0, y), torch.tensor([-1.2, -4.5 * math.sin(0.3)], dtype=torch.float64))
    assert float(pen.hamiltonian(y)) == pytest.approx(0.5 * 1.44 - 4.5 * math.cos(0.3), rel=1e-14)


def test_clock_hand_values():
    clock = PendulumClock()
    y = torch.tensor([0.01, 0.2], dtype=torch.float64)
    w2 = clock.gravity / clock.length
    kick = clock.kick * math.exp(-0.5 * (0.01 / clock.kick_width) ** 2) * math.tanh(0.2 / clock.kick_speed)
    expected = torch.tensor([0.2, -w2 * math.sin(0.01) - clock.damping * 0.2 + kick], dtype=torch.float64)
    torch.testing.assert_close(clock(0.0, y), expected)


@pytest.mark.parametrize("system", [HenonHeiles(), Pendulum(length=0.7, gravity=3.0)])
def test_closed_form_matches_autograd_of_hamiltonian(system):
    """The hand-written vector fields equal (dH/dp, -dH/dq) computed by autograd."""
    y = system.sample_initial_states(16, seed=3)
    autograd_field = HamiltonianSystem.vector_field(system, torch.tensor(0.0), y)
    torch.testing.assert_close(system.vector_field(0.0, y), autograd_field, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("system", [VanDerPol(), HenonHeiles(), Pendulum(), PendulumClock()])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_batch_shapes_and_dtype_follow_input(system, dtype):
    y = torch.randn(3, 5, system.dim, generator=torch.Generator().manual_seed(0), dtype=dtype) * 0.1
    out = system(0.0, y)
    assert out.shape == y.shape and out.dtype == dtype
    # a batched call equals row-by-row calls
    torch.testing.assert_close(out[1, 2], system(0.0, y[1, 2]))


@pytest.mark.parametrize("system", [VanDerPol(), HenonHeiles(), Pendulum(), PendulumClock()])
def test_wrong_state_shape_is_refused(system):
    with pytest.raises(ValueError, match="shaped"):
        system(0.0, torch.zeros(4, system.dim + 1))
