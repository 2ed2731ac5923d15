"""The double pendulum: its Hamiltonian against an independent Lagrangian solution (SciPy),
energy kept by the implicit midpoint rule, chaos at high energy, the samplers."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy.integrate import solve_ivp

from physnet.integrators import odeint
from systems import DoublePendulum, chaos_indicators, generate_orbits, time_grid
from systems.base import symplectic_gradient

SYSTEM = DoublePendulum(m1=1.0, m2=0.7, l1=1.2, l2=0.9, gravity=9.81)


def lagrangian_rhs(m1: float, m2: float, l1: float, l2: float, g: float):
    """The textbook equations of motion in (theta1, theta2, omega1, omega2), written from the
    Lagrangian L = T - V independently of the Hamiltonian under test."""

    def rhs(_t, s):
        t1, t2, w1, w2 = s
        d = t1 - t2
        den = 2 * m1 + m2 - m2 * math.cos(2 * t1 - 2 * t2)
        a1 = (
            -g * (2 * m1 + m2) * math.sin(t1)
            - m2 * g * math.sin(t1 - 2 * t2)
            - 2 * math.sin(d) * m2 * (w2**2 * l2 + w1**2 * l1 * math.cos(d))
        ) / (l1 * den)
        a2 = (
            2 * math.sin(d) * (w1**2 * l1 * (m1 + m2) + g * (m1 + m2) * math.cos(t1) + w2**2 * l2 * m2 * math.cos(d))
        ) / (l2 * den)
        return [w1, w2, a1, a2]

    return rhs


def test_hamiltonian_flow_agrees_with_a_scipy_solution_of_the_lagrangian_equations():
    y0 = SYSTEM.sample_initial_states(3, seed=1)
    t = time_grid(5.0, 0.05)
    ours = generate_orbits(SYSTEM, y0, t).states  # (3, T, 4): dopri5, float64
    rhs = lagrangian_rhs(SYSTEM.m1, SYSTEM.m2, SYSTEM.l1, SYSTEM.l2, SYSTEM.gravity)
    for i in range(3):
        omega0 = SYSTEM.angular_velocities(y0[i]).tolist()
        ref = solve_ivp(rhs, (0, 5.0), [*y0[i, :2].tolist(), *omega0], t_eval=t.numpy(), rtol=1e-11, atol=1e-12)
        angles = ours[i, :, :2].numpy()
        omega = SYSTEM.angular_velocities(ours[i]).numpy()
        np.testing.assert_allclose(angles, ref.y[:2].T, atol=1e-6)
        np.testing.assert_allclose(omega, ref.y[2:].T, atol=1e-5)


def test_momenta_and_angular_velocities_are_inverse_and_the_kinetic_energy_is_quadratic():
    y = SYSTEM.sample_initial_states(50, seed=2)
    omega = SYSTEM.angular_velocities(y)
    torch.testing.assert_close(SYSTEM.momenta(y[:, :2], omega), y[:, 2:], rtol=1e-12, atol=1e-12)
    # T = omega^T M omega / 2 = p^T M^-1 p / 2
    m = SYSTEM.mass_matrix(y[:, :2])
    torch.testing.assert_close(0.5 * torch.einsum("ni,nij,nj->n", omega, m, omega), SYSTEM.kinetic(y))
    # the closed-form vector field is J grad H (autograd), and dq/dt = omega
    field = SYSTEM.vector_field(torch.zeros(()), y)
    torch.testing.assert_close(field, symplectic_gradient(SYSTEM.hamiltonian, y, 2), rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(field[:, :2], omega)


def _midpoint_energy_error(dt: float, t_end: float) -> torch.Tensor:
    """|H - H0| along implicit-midpoint orbits from four states at E = -5, shaped (T, 4)."""
    y0 = SYSTEM.sample_initial_states(4, seed=3, energy=-5.0)
    states = odeint(SYSTEM, y0, time_grid(t_end, dt), method="implicit-midpoint")
    return (SYSTEM.hamiltonian(states) - SYSTEM.hamiltonian(y0)).abs()


def test_implicit_midpoint_energy_error_is_second_order_and_does_not_drift():
    coarse, fine = _midpoint_energy_error(0.04, 40.0), _midpoint_energy_error(0.02, 40.0)
    assert 3.3 < coarse.max() / fine.max() < 4.8, (coarse.max(), fine.max())  # O(dt^2)
    quarter = fine.shape[0] // 4
    assert fine[-quarter:].max() < 1.5 * fine[:quarter].max()  # bounded, no secular drift
    # an explicit method of the same step drifts away
    y0 = SYSTEM.sample_initial_states(4, seed=3, energy=-5.0)
    euler = odeint(SYSTEM, y0, time_grid(40.0, 0.02), method="euler")
    assert (SYSTEM.hamiltonian(euler)[-1] - SYSTEM.hamiltonian(y0)).abs().max() > 10 * fine.max()


@pytest.mark.slow
def test_implicit_midpoint_keeps_the_energy_over_a_long_run():
    error = _midpoint_energy_error(0.01, 200.0)  # 20 000 steps, about 120 periods of the lower bob
    quarter = error.shape[0] // 4
    assert error.max() < 0.04 and error[-quarter:].max() < 1.2 * error[:quarter].max(), error.max()


def test_the_largest_lyapunov_exponent_is_positive_at_high_energy_and_near_zero_at_low():
    high = SYSTEM.sample_initial_states(3, seed=4, energy=SYSTEM.lowest_energy + 25.0)
    low = SYSTEM.sample_initial_states(3, seed=4, energy=SYSTEM.lowest_energy + 0.05)  # small oscillations
    found = chaos_indicators(SYSTEM, torch.cat([high, low]), t_end=15.0, dt=0.02, seed=0).max_lyapunov
    # measured 1.26, 0.55, 1.07 (1/s) against 0.055, 0.026, 0.023, whose log(t)/t floor is 0.18
    assert (found[:3] > 0.3).all() and (found[3:] < 0.15).all(), found


def test_samplers_draw_on_the_shell_or_in_the_box():
    shell = SYSTEM.sample_initial_states(200, seed=5, energy=2.0)
    torch.testing.assert_close(SYSTEM.hamiltonian(shell), torch.full((200,), 2.0, dtype=torch.float64))
    ranged = DoublePendulum(energy_range=(-20.0, -10.0)).sample_initial_states(100, seed=5)
    h = DoublePendulum().hamiltonian(ranged)
    assert (h >= -20 - 1e-9).all() and (h <= -10 + 1e-9).all()
    box = DoublePendulum(angle_box=0.5, momentum_box=0.2).sample_initial_states(100, seed=5)
    assert box[:, :2].abs().max() <= 0.5 and box[:, 2:].abs().max() <= 0.2
    torch.testing.assert_close(box, DoublePendulum(angle_box=0.5, momentum_box=0.2).sample_initial_states(100, seed=5))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"m1": 0.0}, "m1 must be a positive number"),
        ({"l2": float("nan")}, "l2 must be a positive number"),
        ({"angle_box": 4.0}, "angle_box must lie in"),
        ({"energy_range": (-40.0, 0.0)}, "must exceed the lowest energy"),
    ],
)
def test_bad_parameters_are_refused_in_one_line(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DoublePendulum(**kwargs)
    with pytest.raises(ValueError, match="must exceed the lowest energy"):
        SYSTEM.sample_initial_states(2, seed=0, energy=SYSTEM.lowest_energy - 1)
