"""A Hamiltonian network trained on the ideal pendulum recovers H and its rollouts keep it."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from physnet import odeint
from physnet.data import TaskData
from physnet.networks import build_model
from physnet.training import TrainConfig, train
from systems import DatasetSpec, Pendulum, make_dataset


@pytest.fixture(scope="module")
def pendulum_data():
    ds = make_dataset(Pendulum(), DatasetSpec(n_orbits=30, t_end=10.0, dt=0.1), seed=0, dtype=torch.float64)
    return TaskData(ds.train.states, ds.train.derivatives, ds.val.states, ds.val.derivatives, "mse")


@pytest.fixture(scope="module", params=["hnn", "hnn-separable"])
def trained(request, pendulum_data):
    model = build_model(request.param, 2, [32], "tanh", seeds=[0], dtype=torch.float64)
    result = train(model, pendulum_data, TrainConfig(epochs=60, batch_size=64, lr=1e-2))
    return request.param, model, result


def test_learned_hamiltonian_matches_true_one_up_to_a_constant(trained):
    _, model, result = trained
    q, p = torch.meshgrid(
        torch.linspace(-2, 2, 41, dtype=torch.float64),
        torch.linspace(-1.8, 1.8, 41, dtype=torch.float64),
        indexing="ij",
    )
    y = torch.stack([q, p], -1).reshape(-1, 2)
    true = Pendulum().hamiltonian(y)
    inside = true < 0.4  # the energies the data covers (amplitudes up to 2 rad)
    with torch.no_grad():
        learned = model.hamiltonian(y)
    assert np.corrcoef(true[inside].numpy(), learned[inside].numpy())[0, 1] > 0.99
    assert float(result.val_loss[0]) < 1e-2


@pytest.mark.slow
def test_symplectic_rollout_keeps_learned_energy_bounded(trained):
    kind, model, _ = trained
    method = "implicit-midpoint" if kind == "hnn" else "leapfrog"
    t = torch.arange(10_001, dtype=torch.float64) * 0.1
    with torch.no_grad():
        ys = odeint(model, torch.tensor([[1.0, 0.0]], dtype=torch.float64), t, method=method)
        energy = model.hamiltonian(ys)[:, 0].numpy()
    error = np.abs(energy - energy[0])
    quarter = len(error) // 4
    assert error[-quarter:].max() < 1.1 * error[:quarter].max()  # no secular growth
    with torch.no_grad():  # depth of the learned well between the bottom and the turning point
        depth = float(
            model.hamiltonian(torch.tensor([1.0, 0.0], dtype=torch.float64))
            - model.hamiltonian(torch.tensor([0.0, 0.0], dtype=torch.float64))
        )
    assert depth == pytest.approx(1 - np.cos(1.0), rel=0.05)
    assert error.max() < 1e-2 * depth
    assert np.abs(ys[:, 0, 0].numpy()).max() < 1.2  # still librating with amplitude ~1
