"""Plain training: ensembles equal sequential runs, whole-split validation, divergence."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from physnet.data import TaskData
from physnet.networks import build_model
from physnet.training import TrainConfig, TrainingDivergedError, evaluate, train
from systems import DatasetSpec, VanDerPol, make_dataset


@pytest.fixture(scope="module")
def vdp_data():
    ds = make_dataset(VanDerPol(), DatasetSpec(n_orbits=8, t_end=5.0, dt=0.1), seed=0, dtype=torch.float64)
    return TaskData(ds.train.states, ds.train.derivatives, ds.val.states, ds.val.derivatives, "mse", ("x", "v"))


@pytest.mark.parametrize("kind,optimizer", [("nn", "adam"), ("hnn", "adam"), ("nn", "sgd")])
def test_batched_ensemble_equals_sequential_runs_in_float64(vdp_data, kind, optimizer):
    seeds = [0, 1, 2]
    config = TrainConfig(
        epochs=2, batch_size=32, lr=1e-2, data_seed=5, optimizer=optimizer, momentum=0.8 if optimizer == "sgd" else 0.0
    )
    ens = build_model(kind, 2, [16], "sin", seeds=seeds, dtype=torch.float64)
    batched = train(ens, vdp_data, config)
    for i, s in enumerate(seeds):
        single = build_model(kind, 2, [16], "sin", seeds=[s], dtype=torch.float64)
        alone = train(single, vdp_data, config)
        np.testing.assert_allclose(batched.val_loss[i].item(), alone.val_loss[0].item(), rtol=1e-6)
        np.testing.assert_allclose(batched.train_loss[:, i].numpy(), alone.train_loss[:, 0].numpy(), rtol=1e-6)


def test_sgd_with_momentum_is_heavy_ball(vdp_data):
    """Two steps on one full batch against the heavy-ball recursion written out by hand."""
    config = TrainConfig(epochs=2, batch_size=len(vdp_data.x_train), lr=1e-2, optimizer="sgd", momentum=0.8)
    model = build_model("nn", 2, [8], "tanh", seeds=[0], dtype=torch.float64)
    by_hand = build_model("nn", 2, [8], "tanh", seeds=[0], dtype=torch.float64)
    train(model, vdp_data, config)
    params = list(by_hand.parameters())
    velocity = [torch.zeros_like(p) for p in params]
    for _ in range(2):
        loss = (by_hand(vdp_data.x_train) - vdp_data.y_train).pow(2).mean()
        grads = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for p, v, g in zip(params, velocity, grads, strict=True):
                v.mul_(0.8).add_(g)
                p.sub_(1e-2 * v)
    for a, b in zip(model.parameters(), params, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.skipif(
    not __import__("shutil").which("g++") and not __import__("shutil").which("c++"),
    reason="torch.compile needs a C++ compiler",
)
def test_compiled_training_matches_eager(vdp_data):
    data = vdp_data.to("cpu", torch.float32)
    results = []
    for compiled in (False, True):
        model = build_model("nn", 2, [16], "sin", seeds=[0, 1, 2])
        results.append(train(model, data, TrainConfig(epochs=2, batch_size=32, lr=1e-2, compile=compiled)))
    torch.testing.assert_close(results[1].val_loss, results[0].val_loss, rtol=1e-3, atol=1e-6)


@pytest.mark.skipif(
    not __import__("shutil").which("g++") and not __import__("shutil").which("c++"),
    reason="torch.compile needs a C++ compiler",
)
@pytest.mark.parametrize("kind", ["hnn", "hnn-separable"])
def test_compiled_hamiltonian_training_matches_eager(vdp_data, kind):
    """A Hamiltonian network trains through torch.func.grad when compiled: the same losses
    as autograd.grad in eager mode, with a frozen cubic bank of two types (the mix arm)."""
    from physnet.activations import LearnedBank, freeze

    data = vdp_data.to("cpu", torch.float32)
    bank = LearnedBank(2, "sin", 6, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        bank.w_out.normal_(0, 0.5, generator=torch.Generator().manual_seed(1))
    frozen = freeze(bank, "cubic")
    results = []
    for compiled in (False, True):
        model = build_model(kind, 2, [16], frozen, seeds=[0, 1, 2])
        results.append(train(model, data, TrainConfig(epochs=2, batch_size=32, lr=1e-2, compile=compiled)))
    torch.testing.assert_close(results[1].train_loss, results[0].train_loss, rtol=1e-3, atol=1e-7)
    torch.testing.assert_close(results[1].val_loss, results[0].val_loss, rtol=1e-3, atol=1e-7)
    model = build_model(kind, 2, [16], frozen, seeds=[0, 1], dtype=torch.float64)
    y = data.x_val[:20].double().expand(2, -1, -1)
    torch.testing.assert_close(model.traceable_forward(y), model(y), rtol=1e-12, atol=1e-12)


def test_unknown_optimizer_is_refused():
    with pytest.raises(ValueError, match="valid: adam, sgd"):
        TrainConfig(optimizer="lbfgs")


def test_validation_uses_the_whole_split(vdp_data):
    model = build_model("nn", 2, [8], "tanh", seeds=[0], dtype=torch.float64)
    loss, metric = evaluate(model, vdp_data.x_val, vdp_data.y_val, "mse", chunk=7)
    with torch.no_grad():
        manual = (model(vdp_data.x_val) - vdp_data.y_val).pow(2).mean()
    torch.testing.assert_close(loss[0], manual)
    torch.testing.assert_close(metric, loss)


def test_training_lowers_the_loss(vdp_data):
    model = build_model("nn", 2, [32], "tanh", seeds=[0], dtype=torch.float64)
    before, _ = evaluate(model, vdp_data.x_val, vdp_data.y_val, "mse")
    after = train(model, vdp_data, TrainConfig(epochs=30, batch_size=32, lr=1e-2))
    assert float(after.val_loss[0]) < 0.1 * float(before[0])


def test_diverging_training_names_the_step(vdp_data):
    model = build_model("nn", 2, [32], "identity", seeds=[0])  # float32 overflows
    with pytest.raises(TrainingDivergedError, match=r"epoch \d+, step \d+"):
        train(model, vdp_data.to("cpu", torch.float32), TrainConfig(epochs=50, batch_size=32, lr=1e20))
