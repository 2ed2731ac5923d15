"""The chaos indicator separates a regular from a chaotic Henon-Heiles orbit at E = 1/8."""

from __future__ import annotations

import pytest
import torch

from problems import CHAOTIC_HH, REGULAR_HH, henon_heiles_state
from systems import HenonHeiles, Pendulum, chaos_indicators
from systems.chaos import jacobian_vector_product


@pytest.mark.slow
def test_regular_and_chaotic_orbits_at_one_eighth():
    hh = HenonHeiles()
    y0 = torch.cat([henon_heiles_state(**REGULAR_HH), henon_heiles_state(**CHAOTIC_HH)])
    ind = chaos_indicators(hh, y0, t_end=400.0)
    assert ind.chaotic.tolist() == [False, True]
    assert float(ind.sali[0]) > 1e-2 and float(ind.sali[1]) < 1e-7
    assert float(ind.max_lyapunov[1]) > 3 * float(ind.max_lyapunov[0])
    assert float(ind.max_lyapunov[1]) > 0.03


def test_pendulum_librations_are_regular():
    pen = Pendulum()
    ind = chaos_indicators(pen, pen.sample_initial_states(4, seed=0), t_end=200.0)
    assert not ind.chaotic.any()
    assert float(ind.max_lyapunov.max()) < 0.05  # ~ log(t)/t decay, no exponential growth


def test_jacobian_vector_product_matches_autograd_jacobian():
    hh = HenonHeiles()
    y = hh.sample_initial_states(5, seed=0)
    w = torch.randn(5, 4, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    jac = torch.autograd.functional.jacobian(lambda z: hh.vector_field(0.0, z), y[0])
    torch.testing.assert_close(jacobian_vector_product(hh.vector_field, 0.0, y, w)[0], jac @ w[0])
