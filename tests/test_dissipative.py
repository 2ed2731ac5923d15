"""Damped systems, the discrete-gradient integrator and the dissipative Hamiltonian network:
exact decay rates, energy that never rises, second order, positive semi-definite friction, and
the friction a trained network recovers."""

from __future__ import annotations

import pytest
import torch

from physnet.errors import UserError
from physnet.integrators import odeint
from physnet.networks import DissipativeHamiltonianNetwork, build_model
from physnet.study.dissipation import mean_dissipation
from physnet.tasks.from_system import system_data
from physnet.training import TrainConfig, train
from systems import DampedDuffing, DampedPendulum, DatasetSpec, Pendulum, generate_orbits, is_dissipative

DAMPED = [DampedPendulum(damping=0.3), DampedDuffing(damping=0.2)]


@pytest.mark.parametrize("system", DAMPED, ids=lambda s: s.name)
def test_energy_decays_at_the_stated_rate(system):
    """grad E . f = -gamma p^2, exactly (autograd on the closed forms)."""
    y = system.sample_initial_states(50, seed=1) + 0.3 * torch.randn(50, 2, dtype=torch.float64)
    y.requires_grad_(True)
    (grad,) = torch.autograd.grad(system.energy(y).sum(), y)
    rate = (grad * system.vector_field(torch.zeros(()), y)).sum(-1)
    torch.testing.assert_close(rate, system.energy_rate(y), rtol=1e-12, atol=1e-12)
    assert bool((rate <= 0).all())


def test_samplers_start_at_rest_at_the_stated_energy():
    duffing = DampedDuffing(energy_range=(0.1, 0.5))
    y0 = duffing.sample_initial_states(200, seed=0)
    e = duffing.energy(y0)
    assert bool((y0[:, 1] == 0).all()) and 0.1 <= float(e.min()) and float(e.max()) <= 0.5
    pendulum = DampedPendulum(amplitude_range=(0.5, 1.0))
    amp = pendulum.sample_initial_states(200, seed=0)[:, 0].abs()
    assert 0.5 <= float(amp.min()) and float(amp.max()) <= 1.0


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda: DampedPendulum(damping=-0.1), "damping"),
        (lambda: DampedDuffing(beta=0.0), "beta"),
        (lambda: DampedDuffing(energy_range=(-1.0, 0.5)), "energy_range"),
    ],
)
def test_bad_parameters_are_refused(make, words):
    with pytest.raises(ValueError, match=words):
        make()


@pytest.mark.parametrize("system", [*DAMPED, DampedPendulum(damping=0.0)], ids=["pendulum", "duffing", "undamped"])
def test_discrete_gradient_never_raises_the_energy_and_is_second_order(system):
    y0 = system.sample_initial_states(6, seed=2)
    errors = []
    for h in (0.1, 0.05):
        t = torch.arange(0, 20.0 + h / 2, h, dtype=torch.float64)
        y = odeint(system, y0, t, method="discrete-gradient")
        energy = system.energy(y)
        rise = float((energy[1:] - energy[:-1]).max())
        if system.damping == 0:
            assert abs(rise) < 1e-12 and float((energy - energy[0]).abs().max()) < 1e-11  # kept exactly
        else:
            assert rise < 1e-13
        errors.append(float((y - generate_orbits(system, y0, t).states.transpose(0, 1)).abs().max()))
    assert 3.3 < errors[0] / errors[1] < 4.8  # halving the step divides the error by 4


def test_discrete_gradient_refuses_a_system_without_the_structure():
    with pytest.raises(UserError, match="discrete-gradient.*n_dof, energy and dissipation"):
        odeint(Pendulum(), torch.ones(1, 2, dtype=torch.float64), torch.linspace(0, 1, 3), method="discrete-gradient")
    assert is_dissipative(DampedPendulum()) and not is_dissipative(Pendulum())


def test_network_friction_is_positive_semidefinite_and_energy_falls_along_its_flow():
    torch.manual_seed(0)
    model = build_model("dhnn", 4, [16], "tanh", seeds=[0, 1], dtype=torch.float64)
    assert isinstance(model, DissipativeHamiltonianNetwork)
    y = torch.randn(2, 64, 4, dtype=torch.float64)
    r = model.dissipation(y)
    assert r.shape == (2, 64, 2, 2) and float(torch.linalg.eigvalsh(r.detach()).min()) > -1e-12
    torch.testing.assert_close(r, r.transpose(-1, -2))
    y.requires_grad_(True)
    (grad,) = torch.autograd.grad(model.energy(y).sum(), y)
    assert bool(((grad * model(y)).sum(-1) <= 1e-14).all())


def test_network_vector_field_passes_gradcheck():
    model = build_model("dhnn", 2, [8], "tanh", seeds=[3], dtype=torch.float64)
    y = torch.randn(5, 2, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda z: model(z), (y,))
    assert torch.autograd.gradgradcheck(lambda z: model(z), (y,))


def _trained(system, seeds=(0, 1, 2)):
    data = system_data(system, DatasetSpec(n_orbits=20, t_end=15.0, dt=0.1), seed=0, dtype=torch.float64)
    model = build_model("dhnn", 2, [64], "tanh", seeds=list(seeds), dtype=torch.float64)
    train(model, data, TrainConfig(epochs=100, batch_size=100, lr=1e-2))
    return model, data


def test_trained_network_recovers_the_damping_and_its_forecast_loses_energy():
    """A damped pendulum's friction rate 0.1 within 10 % for every seed; the network's own
    energy never rises along its discrete-gradient forecast."""
    model, data = _trained(DampedPendulum(damping=0.1))
    rates = mean_dissipation(model, data.x_val)
    assert rates.shape == (3,)
    assert all(abs(r - 0.1) < 0.01 for r in rates), rates
    t = torch.arange(0, 20.0, 0.1, dtype=torch.float64)
    start = data.x_val[:4].unsqueeze(0).expand(3, 4, 2).contiguous()
    with torch.no_grad():
        rolled = odeint(model, start, t, method="discrete-gradient").movedim(0, -2)  # (E, N, T, 2)
        energy = model.energy(rolled.reshape(3, -1, 2)).reshape(3, 4, len(t))
    assert bool(torch.isfinite(energy).all()) and float((energy[..., 1:] - energy[..., :-1]).max()) < 1e-10


def test_a_conservative_record_teaches_a_friction_near_zero():
    model, data = _trained(Pendulum(), seeds=(0, 1))
    rates = mean_dissipation(model, data.x_val)
    assert all(0 <= r < 0.005 for r in rates), rates  # against 0.1 for the damped record


def test_a_driven_clock_needs_the_forcing_term():
    """A pendulum clock's escapement pumps energy in: friction alone cannot fit it, a learned
    force can (measured, 20 orbits, 40 epochs: validation MSE 0.027-0.034 without, 0.0003-0.0004
    with; the conventional network 0.0004)."""
    from systems import PendulumClock

    data = system_data(PendulumClock(), DatasetSpec(n_orbits=20, t_end=20.0, dt=0.1), seed=0, dtype=torch.float64)
    errors = {}
    for kind in ("dhnn", "dhnn-forced"):
        model = build_model(kind, 2, [32], "tanh", seeds=[0, 1], dtype=torch.float64)
        errors[kind] = train(model, data, TrainConfig(epochs=25, batch_size=100, lr=1e-2)).val_metric
    assert float(errors["dhnn-forced"].max()) < 0.2 * float(errors["dhnn"].min()), errors
    assert model.forcing(data.x_val[:3].expand(2, 3, 2)).shape == (2, 3, 1)
