"""The building blocks of the paper's regime: RMSprop variants, sub-network options, inner
re-initialisation, the trajectory meta-loss, base zero, and the control arms."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
import torch

from physnet.activations import LearnedBank
from physnet.activations.sine_fit import SineAffineBank, fit_sine_affine
from physnet.data import TaskData
from physnet.meta import meta_config_for, meta_learn
from physnet.meta.unrolled import inner_loop, recomputed_meta_gradient
from physnet.networks import build_model
from physnet.study.arms import arm_bank, check_arms
from physnet.study.model_store import bank_from_spec, bank_spec
from physnet.training import TrainConfig, train
from physnet.training.functional_optim import FunctionalOptimizer, detached
from physnet.training.rmsprop import RMSprop
from systems import DatasetSpec, VanDerPol, make_dataset

RMSPROP_VARIANTS = [  # (decay, momentum, initial second moment): torch's default, the JAX and the PyTorch reference's
    (0.99, 0.0, 0.0),
    (0.1, 0.6, 0.0),
    (0.8, 0.0, 1.0),
]


def rmsprop_by_hand(
    p0: np.ndarray, gradient, steps: int, lr: float, decay: float, momentum: float, initial: float, eps: float = 1e-8
) -> np.ndarray:
    """The recursion of physnet.training.rmsprop, written out in NumPy."""
    p, v, m = p0.copy(), np.full_like(p0, initial), np.zeros_like(p0)
    for _ in range(steps):
        g = gradient(p)
        v = decay * v + (1 - decay) * g * g
        m = momentum * m + g / np.sqrt(v + eps)
        p = p - lr * m
    return p


def quadratic_gradient(p: np.ndarray) -> np.ndarray:
    return np.array([2.0, 0.5, -3.0]) * p + np.array([0.1, -0.2, 0.3])


@pytest.mark.parametrize("decay,momentum,initial", RMSPROP_VARIANTS)
def test_rmsprop_variants_follow_the_hand_written_recursion(decay, momentum, initial):
    p0 = np.array([1.0, -2.0, 0.5])
    expected = rmsprop_by_hand(p0, quadratic_gradient, 7, 0.05, decay, momentum, initial)
    # the torch.optim form (training the comparison's networks, and the outer optimizer)
    p = torch.tensor(p0, requires_grad=True)
    opt = RMSprop([p], 0.05, decay=decay, momentum=momentum, initial_scale=initial)
    for _ in range(7):
        p.grad = torch.from_numpy(quadratic_gradient(p.detach().numpy()))
        opt.step()
    np.testing.assert_allclose(p.detach().numpy(), expected, rtol=1e-12)
    # the functional form (the inner loop of meta-learning)
    inner = FunctionalOptimizer("rmsprop", 0.05, momentum=momentum, decay=decay, initial_scale=initial)
    params = {"p": torch.tensor(p0)}
    state = inner.init(params)
    for _ in range(7):
        params, state = inner.step(params, {"p": torch.from_numpy(quadratic_gradient(params["p"].numpy()))}, state)
    np.testing.assert_allclose(params["p"].numpy(), expected, rtol=1e-12)


def test_rmsprop_equals_torch_rmsprop_where_their_eps_placements_agree():
    """torch.optim.RMSprop puts eps outside the root; with a negligible eps both are the same recursion."""
    p0 = np.array([1.0, -2.0, 0.5])
    ours, theirs = torch.tensor(p0, requires_grad=True), torch.tensor(p0, requires_grad=True)
    a = RMSprop([ours], 0.01, decay=0.9, momentum=0.5, eps=1e-300)
    b = torch.optim.RMSprop([theirs], lr=0.01, alpha=0.9, momentum=0.5, eps=1e-300)
    for _ in range(5):
        for p in (ours, theirs):
            p.grad = torch.from_numpy(quadratic_gradient(p.detach().numpy()))
        a.step()
        b.step()
    torch.testing.assert_close(ours, theirs, rtol=1e-13, atol=0)


@pytest.fixture(scope="module")
def vdp_data():
    ds = make_dataset(VanDerPol(), DatasetSpec(n_orbits=6, t_end=4.0, dt=0.1), seed=0, dtype=torch.float64)
    return TaskData(ds.train.states, ds.train.derivatives, ds.val.states, ds.val.derivatives, "mse", ("x", "v"))


def test_rmsprop_training_of_an_ensemble_equals_sequential_runs(vdp_data):
    config = TrainConfig(epochs=2, batch_size=32, lr=1e-2, data_seed=3, optimizer="rmsprop", momentum=0.6, decay=0.1)
    batched = train(build_model("hnn", 2, [12], "sin", seeds=[0, 1], dtype=torch.float64), vdp_data, config)
    for i, seed in enumerate([0, 1]):
        alone = train(build_model("hnn", 2, [12], "sin", seeds=[seed], dtype=torch.float64), vdp_data, config)
        np.testing.assert_allclose(batched.val_loss[i].item(), alone.val_loss[0].item(), rtol=1e-9)


@pytest.mark.parametrize("sub_activation", ["tanh", "relu"])
def test_sub_network_options_define_the_activation(sub_activation):
    """``default`` init and residual scale s: f(x) = base(x) + s (a . h(w x + b) + c), h the hidden units."""
    bank = LearnedBank(
        2,
        "sin",
        7,
        generator=torch.Generator().manual_seed(3),
        sub_activation=sub_activation,
        init="default",
        residual_scale=0.2,
        dtype=torch.float64,
    )
    assert bank.w_out.abs().max() > 0 and bank.w_out.abs().max() <= 1 / np.sqrt(7)
    assert bank.w_in.abs().max() <= 1 and bank.b_out.abs().max() <= 1 / np.sqrt(7)
    x = torch.linspace(-4, 4, 33, dtype=torch.float64)
    h = {"tanh": torch.tanh, "relu": torch.relu}[sub_activation]
    for j in range(2):
        by_hand = torch.sin(x) + 0.2 * (h(x[:, None] * bank.w_in[j] + bank.b_in[j]) @ bank.w_out[j] + bank.b_out[j])
        torch.testing.assert_close(bank.apply_type(j, x), by_hand, rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError, match="valid: tanh, relu"):
        LearnedBank(2, "sin", 7, generator=torch.Generator().manual_seed(3), sub_activation="gelu")
    with pytest.raises(ValueError, match="residual scale"):
        LearnedBank(2, "sin", 7, generator=torch.Generator().manual_seed(3), residual_scale=0.0)


def small_vdp(**overrides):
    base = dict(small=True, outer_steps=4, inner_steps=6, hidden=(12,), width=6, dtype="float64")
    return meta_config_for("van-der-pol", **{**base, **overrides})


@pytest.mark.parametrize("mode,expected_same", [("same", True), ("fresh", False), ("none", False)])
def test_reinit_modes_set_the_inner_weights_of_each_outer_step(mode, expected_same):
    """``same``: every outer step starts from the identical inner draw (the JAX reference)."""
    import physnet.meta.run as meta_module  # where the outer loop calls outer_step

    starts = []
    real = meta_module.outer_step

    def spy(config, model, theta, *args):
        starts.append({k: v.detach().clone() for k, v in theta.items()})
        return real(config, model, theta, *args)

    with mock.patch.object(meta_module, "outer_step", spy):
        meta_learn(small_vdp(reinit=mode, outer_lr=1e-2))
    assert len(starts) == 4
    identical = [all(torch.equal(s[k], starts[0][k]) for k in s) for s in starts[1:]]
    assert all(identical) if expected_same else not any(identical)


def _tiny_meta_problem(vdp_data):
    bank = LearnedBank(2, "sin", 5, generator=torch.Generator().manual_seed(0), init="default", dtype=torch.float64)
    model = build_model("nn", 2, [6], bank, seeds=[0], dtype=torch.float64)
    params = list(bank.parameters())
    ids = {id(p) for p in params}
    theta0 = detached({n: p for n, p in model.named_parameters() if id(p) not in ids}, True)
    g = torch.Generator().manual_seed(2)
    batches = [torch.randint(0, len(vdp_data.x_train), (16,), generator=g) for _ in range(5)]
    return model, params, theta0, batches


def test_trajectory_meta_loss_equals_a_hand_computation(vdp_data):
    """Mean of the K inner losses, differentiated through all K plain SGD steps (and, first
    order, at each step's fixed weights), written out without the functional machinery."""
    from torch.func import functional_call

    model, params, theta0, batches = _tiny_meta_problem(vdp_data)
    lr = 0.05

    def loss_at(theta, idx):
        out = functional_call(model, theta, (vdp_data.x_train[idx],))
        return (out - vdp_data.y_train[idx]).pow(2).mean()

    for window, first_order in ((5, False), (0, True)):
        theta, total = {k: v.detach().requires_grad_(True) for k, v in theta0.items()}, 0
        for idx in batches:
            loss = loss_at(theta, idx)
            total = total + loss
            grads = torch.autograd.grad(loss, list(theta.values()), create_graph=not first_order, retain_graph=True)
            theta = {
                k: (v - lr * g).detach().requires_grad_(True) if first_order else v - lr * g
                for (k, v), g in zip(theta.items(), grads, strict=True)
            }
        expected = torch.autograd.grad(total / len(batches), params)
        inner = FunctionalOptimizer("sgd", lr)
        _, _, meta, losses = inner_loop(
            model,
            detached(theta0, True),
            inner.init(theta0),
            inner,
            vdp_data,
            batches,
            window,
            meta_loss="trajectory",
            params=params,
        )
        assert float(meta.detach()) == pytest.approx(float(total.detach()) / len(batches), rel=1e-12)
        assert len(losses) == len(batches)
        found = torch.autograd.grad(meta, params)
        for a, b in zip(found, expected, strict=True):
            torch.testing.assert_close(a, b, rtol=1e-9, atol=1e-12)
        # recomputation, segment by segment, gives the same meta-gradient
        *_, recomputed = recomputed_meta_gradient(
            model,
            detached(theta0, True),
            inner.init(theta0),
            inner,
            vdp_data,
            batches,
            window,
            params,
            2,
            meta_loss="trajectory",
        )
        for a, b in zip(recomputed, expected, strict=True):
            torch.testing.assert_close(a, b, rtol=1e-9, atol=1e-12)


def test_base_zero_moves_from_the_start():
    """A zero base with a zero output layer starts every type as the zero function, with zero
    slope, so the inner network's hidden weights get no gradient until the types have moved;
    meta-learning therefore starts base zero from the frameworks' default init: distinct,
    non-zero types whose network trains from the first step, and which move."""
    config = small_vdp(base="zero", outer_lr=1e-2, outer_steps=3)
    assert config.subnet_init_kind == "default"
    acts = meta_learn(config).history["activations"]
    assert np.abs(acts[0]).max() > 1e-3  # not the zero function at the start
    assert np.abs(acts[0, 0] - acts[0, 1]).max() > 1e-3  # two different types
    assert np.abs(acts[-1] - acts[0]).max() > 1e-4  # and they move


def test_sine_family_fit_recovers_a_member_exactly():
    grid = np.linspace(-10, 10, 100)
    fit = fit_sine_affine(grid, np.sin(1.7 * grid) - 0.4 * grid + 0.3)
    assert fit["a"] == pytest.approx(1.7, rel=1e-6) and fit["b"] == pytest.approx(-0.4, rel=1e-6)
    assert fit["c"] == pytest.approx(0.3, rel=1e-6) and fit["rms"] < 1e-6
    flipped = fit_sine_affine(grid, -np.sin(0.8 * grid))
    assert flipped["a"] == pytest.approx(-0.8, rel=1e-6) and flipped["rms"] < 1e-6
    # SciPy as the oracle of the least-squares optimum for a function outside the family
    from scipy.optimize import least_squares

    values = np.tanh(grid) + 0.1 * grid**2 / 10
    ours = fit_sine_affine(grid, values)
    best = min(
        least_squares(lambda q: np.sin(q[0] * grid) + q[1] * grid + q[2] - values, [a0, 0, 0]).cost
        for a0 in np.linspace(-3, 3, 61)
    )
    assert 0.5 * (ours["rms"] ** 2) * len(grid) <= best * (1 + 1e-6)


def test_control_arms_are_the_types_before_meta_learning_and_their_sine_fits():
    result = meta_learn(small_vdp(outer_lr=3e-2, outer_steps=2))
    frozen = result.frozen
    x = torch.linspace(-9, 9, 37, dtype=torch.float64)
    untrained = arm_bank("untrained2", frozen)
    np.testing.assert_allclose(untrained.values[0].numpy(), result.history["activations"][0][1])
    fit = arm_bank("fit1", frozen)
    assert isinstance(fit, SineAffineBank)
    a, b, c = fit.params[0].tolist()
    torch.testing.assert_close(fit.apply_type(0, x), torch.sin(a * x) + b * x + c)
    rebuilt = bank_from_spec(bank_spec(fit))  # stored with the arm's models
    torch.testing.assert_close(rebuilt.apply_type(0, x), fit.apply_type(0, x))
    old_file = type(frozen)(frozen.grid, frozen.values, frozen.kind)  # no types before meta-learning recorded
    with pytest.raises(ValueError, match="rerun `physnet meta`"):
        check_arms(["untrained1"], old_file)


def test_a_checkpoint_from_before_the_regime_options_resumes(tmp_path):
    ckpt = tmp_path / "ckpt.pt"
    config = small_vdp()
    meta_learn(config, checkpoint=ckpt, stop_after=2)
    state = torch.load(ckpt, weights_only=True)
    old = {
        k: v
        for k, v in state["config"].items()
        if k
        not in (
            "reinit",
            "meta_loss",
            "sub_activation",
            "subnet_init",
            "subnet_init_kind",
            "residual_scale",
            "inner_decay",
            "inner_initial_scale",
            "outer_decay",
            "inner_epochs",
        )
    }
    state["config"] = {**old, "reinit_inner": False}
    torch.save(state, ckpt)
    resumed = meta_learn(config, checkpoint=ckpt, resume=True)
    np.testing.assert_allclose(resumed.history["val_loss"], meta_learn(config).history["val_loss"], rtol=1e-9)


def test_inner_epochs_count_steps_from_the_data(vdp_data):
    config = small_vdp(inner_epochs=2, batch_size=32)
    resolved = config.for_data(len(vdp_data.x_train))
    assert resolved.inner_steps == 2 * (len(vdp_data.x_train) // 32)
