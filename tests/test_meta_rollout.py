"""Meta-learning through rollouts (physnet/meta/unrolled.py ``batch_loss`` on rollout data):
the weights swapped in once per window and an energy model's field in closed form give the
same inner loss, inner gradient and unrolled meta-gradient as swapping them in at every
integrator stage with autograd's field (float64), and the unrolled meta-gradient through
rollouts matches a central difference."""

from __future__ import annotations

import pytest
import torch
from torch.func import functional_call

from physnet.activations import LearnedBank
from physnet.meta.unrolled import batch_loss, inner_loop
from physnet.networks import build_model
from physnet.tasks.from_system import system_data
from physnet.tasks.rollout_data import rollout_data
from physnet.training.functional_optim import FunctionalOptimizer, detached
from physnet.training.losses import member_loss
from physnet.training.rollout import predict
from systems import DampedPendulum, DatasetSpec

MODELS = ("nn", "hnn", "dhnn")


@pytest.fixture(scope="module")
def windows():
    system = DampedPendulum(damping=0.1)
    data = system_data(system, DatasetSpec(n_orbits=4, t_end=3.0, dt=0.1), seed=0, dtype=torch.float64)
    return rollout_data(data, 4)


def _network(kind: str, subnet_eval: str = "knots"):
    g = torch.Generator().manual_seed(0)
    bank = LearnedBank(2, "sin", 6, generator=g, init="default", subnet_eval=subnet_eval, dtype=torch.float64)
    model = build_model(kind, 2, [7], bank, seeds=[0], dtype=torch.float64)
    bank_ids = {id(p) for p in bank.parameters()}
    theta = detached({n: p for n, p in model.named_parameters() if id(p) not in bank_ids}, True)
    return model, bank, theta


def _per_stage_loss(model, theta, data, idx):
    """The reference: ``functional_call`` around every stage, autograd's field."""
    pred = predict(lambda x: functional_call(model, theta, (x,)), data.x_train[idx], data.rollout)
    return member_loss(pred, data.y_train[idx], data.loss, 1)[0]


def _gradients(loss, tensors):
    found = torch.autograd.grad(loss, tensors, allow_unused=True)
    return [torch.zeros_like(t) if g is None else g for t, g in zip(tensors, found, strict=True)]


@pytest.mark.parametrize("subnet_eval", ["knots", "direct"])
@pytest.mark.parametrize("kind", MODELS)
def test_the_inner_loss_on_rollouts_and_its_gradients_equal_the_per_stage_path(windows, kind, subnet_eval):
    model, bank, theta = _network(kind, subnet_eval)
    idx = torch.arange(0, len(windows.x_train), 3)
    wrt = list(theta.values()) + list(bank.parameters())
    fast, slow = batch_loss(model, theta, windows, idx), _per_stage_loss(model, theta, windows, idx)
    assert float(fast.detach()) == pytest.approx(float(slow.detach()), rel=1e-12)
    for a, b in zip(_gradients(fast, wrt), _gradients(slow, wrt), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-9, atol=1e-12)


def _meta_loss(model, theta, data, batches, window):
    inner = FunctionalOptimizer("adam", 1e-2)
    return inner_loop(model, detached(theta, True), inner.init(theta), inner, data, batches, window)[2]


@pytest.mark.parametrize("kind", MODELS)
def test_the_unrolled_meta_gradient_through_rollouts_equals_the_per_stage_path(windows, kind, monkeypatch):
    model, bank, theta = _network(kind)
    g = torch.Generator().manual_seed(1)
    batches = [torch.randint(0, len(windows.x_train), (12,), generator=g) for _ in range(4)]
    (fast,) = torch.autograd.grad(_meta_loss(model, theta, windows, batches, 3), [bank.w_out])
    monkeypatch.setattr("physnet.meta.unrolled.batch_loss", _per_stage_loss)
    (slow,) = torch.autograd.grad(_meta_loss(model, theta, windows, batches, 3), [bank.w_out])
    torch.testing.assert_close(fast, slow, rtol=1e-8, atol=1e-12)
    assert float(fast.abs().max()) > 0  # the sub-networks shape the rollouts


def test_the_unrolled_meta_gradient_through_rollouts_matches_finite_differences(windows):
    model, bank, theta = _network("hnn")
    g = torch.Generator().manual_seed(2)
    batches = [torch.randint(0, len(windows.x_train), (12,), generator=g) for _ in range(4)]
    (grad,) = torch.autograd.grad(_meta_loss(model, theta, windows, batches, 3), [bank.w_out])
    eps = 1e-6
    for j, w in [(0, 1), (1, 4)]:
        values = []
        for shift in (eps, -2 * eps, eps):
            with torch.no_grad():
                bank.w_out[j, w] += shift
            values.append(float(_meta_loss(model, theta, windows, batches, 3).detach()))
        numeric = (values[0] - values[1]) / (2 * eps)
        assert grad[j, w].item() == pytest.approx(numeric, rel=1e-5, abs=1e-10)
