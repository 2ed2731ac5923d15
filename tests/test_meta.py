"""Meta-learning (Algorithm 1): meta-gradients, learned types, benefit over the base, resume."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from physnet.activations import LearnedBank
from physnet.data import TaskData
from physnet.meta import MetaConfig, meta_config_for, meta_learn
from physnet.meta.learn import inner_loop
from physnet.networks import build_model
from physnet.training import TrainingDivergedError
from physnet.training.functional_optim import FunctionalOptimizer, detached
from systems import DatasetSpec, VanDerPol, make_dataset


@pytest.fixture(scope="module")
def tiny_data():
    ds = make_dataset(VanDerPol(), DatasetSpec(n_orbits=6, t_end=4.0, dt=0.1), seed=0, dtype=torch.float64)
    return TaskData(ds.train.states, ds.train.derivatives, ds.val.states, ds.val.derivatives, "mse", ("x", "v"))


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "rmsprop"])
@pytest.mark.parametrize("model_kind", ["nn", "hnn"])
def test_unrolled_meta_gradient_matches_finite_differences(tiny_data, optimizer, model_kind):
    """The outer gradient differentiates through every inner update: compare it with a
    central difference of the meta loss in one sub-network weight (float64)."""
    bank = LearnedBank(2, "sin", 5, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    with torch.no_grad():
        bank.w_out.normal_(0, 0.3, generator=torch.Generator().manual_seed(1))
    model = build_model(model_kind, 2, [6], bank, seeds=[0], dtype=torch.float64)
    bank_ids = {id(p) for p in bank.parameters()}
    theta0 = detached({n: p for n, p in model.named_parameters() if id(p) not in bank_ids}, True)
    inner = FunctionalOptimizer(optimizer, 1e-2, momentum=0.5)
    g = torch.Generator().manual_seed(2)
    batches = [torch.randint(0, len(tiny_data.x_train), (16,), generator=g) for _ in range(5)]

    def meta_loss(window):
        return inner_loop(model, detached(theta0, True), inner.init(theta0), inner, tiny_data, batches, window)[2]

    (grad,) = torch.autograd.grad(meta_loss(4), [bank.w_out])
    (first_order,) = torch.autograd.grad(meta_loss(0), [bank.w_out])
    eps = 1e-6
    for j, w in [(0, 1), (1, 3)]:
        values = []
        for shift in (eps, -2 * eps, eps):
            with torch.no_grad():
                bank.w_out[j, w] += shift
            values.append(float(meta_loss(0).detach()))
        up, down = values[0], values[1]
        numeric = (up - down) / (2 * eps)
        assert grad[j, w].item() == pytest.approx(numeric, rel=1e-4, abs=1e-9)
    # first order ignores the inner updates' dependence on theta_s, so it differs
    assert not torch.allclose(grad, first_order, rtol=1e-3)


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "rmsprop"])
@pytest.mark.parametrize("model_kind", ["nn", "hnn"])
def test_recomputed_meta_gradient_equals_plain_unrolling(tiny_data, optimizer, model_kind):
    """Storing the inner state every M steps and rebuilding the graph segment by segment
    gives the plain unrolled meta-gradient (float64), for any M and any truncation."""
    from physnet.meta.unrolled import recomputed_meta_gradient

    bank = LearnedBank(2, "sin", 5, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    with torch.no_grad():
        bank.w_out.normal_(0, 0.3, generator=torch.Generator().manual_seed(1))
    model = build_model(model_kind, 2, [6], bank, seeds=[0], dtype=torch.float64)
    params = list(bank.parameters())
    bank_ids = {id(p) for p in params}
    theta0 = detached({n: p for n, p in model.named_parameters() if id(p) not in bank_ids}, True)
    inner = FunctionalOptimizer(optimizer, 1e-2, momentum=0.5)
    g = torch.Generator().manual_seed(2)
    batches = [torch.randint(0, len(tiny_data.x_train), (16,), generator=g) for _ in range(8)]
    for window in (7, 4, 0):
        theta, state, loss, _ = inner_loop(
            model, detached(theta0, True), inner.init(theta0), inner, tiny_data, batches, window
        )
        plain = [
            torch.zeros_like(p) if d is None else d
            for p, d in zip(params, torch.autograd.grad(loss, params, allow_unused=True), strict=True)
        ]
        for segment in (1, 3, 7):
            th, st, loss2, _, grads = recomputed_meta_gradient(
                model, detached(theta0, True), inner.init(theta0), inner, tiny_data, batches, window, params, segment
            )
            assert float(loss2) == pytest.approx(float(loss.detach()), rel=1e-12)
            for a, b in zip(grads, plain, strict=True):
                torch.testing.assert_close(a, b, rtol=1e-9, atol=1e-12)
            for n in theta:
                torch.testing.assert_close(th[n], theta[n].detach(), rtol=1e-12, atol=1e-14)
    assert any(float(p.abs().max()) > 0 for p in plain)


def test_meta_learning_with_recomputation_equals_plain_unrolling():
    runs = [meta_learn(small_vdp(mode="unrolled", dtype="float64", outer_steps=3, recompute=r)) for r in (None, 4)]
    np.testing.assert_allclose(runs[0].history["activations"], runs[1].history["activations"], rtol=1e-9, atol=1e-12)


def small_vdp(**overrides) -> MetaConfig:
    base = dict(small=True, outer_steps=6, inner_steps=10, hidden=(20,), width=10, checkpoint_every=2)
    return meta_config_for("van-der-pol", **{**base, **overrides})


def test_learned_types_differ_after_meta_learning():
    result = meta_learn(small_vdp(outer_lr=3e-2))
    acts = result.history["activations"]
    torch.testing.assert_close(torch.tensor(acts[0, 0]), torch.tensor(acts[0, 1]))  # both start as the base
    assert np.abs(acts[-1, 0] - acts[-1, 1]).max() > 1e-2
    assert np.abs(acts[-1, 0] - acts[0, 0]).max() > 1e-2
    assert result.frozen.kind == "linear" and result.frozen.metadata["task"] == "van-der-pol"


@pytest.mark.slow
def test_meta_learning_beats_the_same_network_with_the_base_activation():
    """Same initial weights and batches; the only difference is whether the outer loop
    updates the activations (outer_lr = 0 keeps them at the base, sine). Median over
    five seeds of the final validation loss on the whole split."""

    def final(seed, outer_lr):
        config = meta_config_for(
            "van-der-pol", small=True, outer_steps=30, inner_steps=20, inner_lr=3e-3, outer_lr=outer_lr, seed=seed
        )
        return meta_learn(config).history["val_loss"][-1]

    seeds = range(5)
    meta = np.median([final(s, 3e-2) for s in seeds])
    base = np.median([final(s, 0.0) for s in seeds])
    assert meta < base


def test_resume_after_interruption_equals_uninterrupted_run(tmp_path):
    config = small_vdp(mode="unrolled", reinit="fresh")
    full = meta_learn(config)
    ckpt = tmp_path / "ckpt.pt"
    partial = meta_learn(config, checkpoint=ckpt, stop_after=3)
    assert not partial.completed and ckpt.exists()
    resumed = meta_learn(config, checkpoint=ckpt, resume=True)
    assert resumed.completed
    for key in ("val_loss", "meta_loss", "activations"):
        np.testing.assert_allclose(resumed.history[key], full.history[key], rtol=1e-6, equal_nan=True)


def test_resume_refuses_a_checkpoint_from_other_settings(tmp_path):
    ckpt = tmp_path / "ckpt.pt"
    meta_learn(small_vdp(), checkpoint=ckpt, stop_after=2)
    with pytest.raises(ValueError, match="other settings .*width"):
        meta_learn(small_vdp(width=12), checkpoint=ckpt, resume=True)


def test_diverging_loss_names_the_step_and_keeps_the_checkpoint(tmp_path):
    ckpt = tmp_path / "ckpt.pt"
    config = small_vdp(inner_lr=1e3, inner_optimizer="sgd", checkpoint_every=1)
    with pytest.raises(TrainingDivergedError, match=r"inner step \d+ at outer step \d+") as info:
        meta_learn(config, checkpoint=ckpt)
    assert "\n" not in str(info.value)
    # a checkpoint is named only where one was written (diverging at outer step 1 leaves none)
    assert ("checkpoint kept" in str(info.value)) == ckpt.exists()


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"k": 0}, "positive integer"),
        ({"fractions": (0.2, 0.3)}, "sum to one"),
        ({"fractions": (0.5, 0.25, 0.25)}, "3 type fractions"),
        ({"mode": "second-order"}, "valid: first-order, unrolled"),
        ({"truncate": 50, "inner_steps": 10}, "truncate"),
        ({"device": "cuda:7"} if not torch.cuda.is_available() else {"k": -1}, "CUDA|positive"),
    ],
)
def test_bad_settings_are_refused(overrides, message):
    with pytest.raises(ValueError, match=message):
        small_vdp(**overrides)


def test_hamiltonian_task_freezes_with_cubic_spline():
    config = meta_config_for("clock", "hnn", small=True, outer_steps=2, inner_steps=5, hidden=(16,), width=8)
    assert config.interpolation_kind == "cubic"
    result = meta_learn(config)
    assert result.frozen.kind == "cubic" and result.frozen.metadata["model"] == "hnn"
    assert np.isfinite(result.history["val_loss"]).all()
