"""Learned types on knots: cubic Hermite interpolation of the sub-network against direct
evaluation (convergence orders in float64), the meta-gradient against the direct one and a
central difference, resume, recomputation, and frozen files from a knots run."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from physnet.activations import LearnedBank, load_activations, save_activations
from physnet.activations.knots import evaluate_table, hermite_table
from physnet.data import TaskData
from physnet.meta import meta_config_for, meta_learn
from physnet.meta.unrolled import inner_loop, recomputed_meta_gradient
from physnet.networks import build_model
from physnet.training import TrainConfig, train
from physnet.training.functional_optim import FunctionalOptimizer, detached
from systems import DatasetSpec, VanDerPol, make_dataset


def test_hermite_table_reproduces_cubics_exactly_and_extends_linearly():
    """Cubic Hermite interpolation with exact slopes is exact for cubics; outside the knots
    it is the tangent line at the end knot."""
    lo, hi, g = -2.0, 3.0, 11
    p = lambda x: 0.3 * x**3 - x**2 + 0.5 * x - 1  # noqa: E731
    dp = lambda x: 0.9 * x**2 - 2 * x + 0.5  # noqa: E731
    knots = torch.linspace(lo, hi, g, dtype=torch.float64)
    table = hermite_table(lo, hi, p(knots), dp(knots))
    x = torch.linspace(lo, hi, 997, dtype=torch.float64)
    torch.testing.assert_close(evaluate_table(x, table, lo, hi), p(x), rtol=1e-12, atol=1e-12)
    outside = torch.tensor([-5.0, 4.0, 7.5], dtype=torch.float64)
    tangent = torch.where(outside < lo, p(lo) + dp(lo) * (outside - lo), p(hi) + dp(hi) * (outside - hi))
    torch.testing.assert_close(evaluate_table(outside, table, lo, hi), tangent, rtol=1e-12, atol=1e-12)


def _derivatives(bank: LearnedBank, x: torch.Tensor) -> list[torch.Tensor]:
    x = x.clone().requires_grad_(True)
    f = bank.apply_type(0, x)
    (f1,) = torch.autograd.grad(f.sum(), x, create_graph=True)
    (f2,) = torch.autograd.grad(f1.sum(), x)
    return [f.detach(), f1.detach(), f2]


def _bank(subnet_eval: str, g: int = 64) -> LearnedBank:
    return LearnedBank(
        1,
        "sin",
        20,
        generator=torch.Generator().manual_seed(4),
        init="default",
        residual_scale=0.5,
        subnet_eval=subnet_eval,
        knots=(-5.0, 5.0, g),
        dtype=torch.float64,
    )


def test_knot_activation_and_derivatives_converge_at_hermite_orders():
    """Against direct evaluation: value O(h^4), first derivative O(h^3), second O(h^2) -
    doubling the knots (halving h) shrinks the errors by about 16, 8 and 4."""
    x = torch.linspace(-5, 5, 4001, dtype=torch.float64)[:-1]  # at hi the linear extension takes over (f'' = 0)
    exact = _derivatives(_bank("direct"), x)
    errors = []
    for g in (33, 65, 129, 257):
        approx = _derivatives(_bank("knots", g), x)
        errors.append([float((a - e).abs().max()) for a, e in zip(approx, exact, strict=True)])
    errors = np.array(errors)
    orders = np.log2(errors[:-1] / errors[1:])  # per halving of h
    for order, expected in zip(orders.mean(0), (4, 3, 2), strict=True):
        assert order == pytest.approx(expected, abs=0.4)
    assert errors[-1, 0] < 1e-7 and errors[-1, 1] < 1e-5 and errors[-1, 2] < 1e-2


@pytest.fixture(scope="module")
def vdp_data():
    ds = make_dataset(VanDerPol(), DatasetSpec(n_orbits=6, t_end=4.0, dt=0.1), seed=0, dtype=torch.float64)
    return TaskData(ds.train.states, ds.train.derivatives, ds.val.states, ds.val.derivatives, "mse", ("x", "v"))


def _meta_gradient(vdp_data, subnet_eval, model_kind, optimizer, window, g=513, shift=None):
    bank = LearnedBank(
        2,
        "sin",
        6,
        generator=torch.Generator().manual_seed(0),
        init="default",
        subnet_eval=subnet_eval,
        knots=(-6.0, 6.0, g),
        dtype=torch.float64,
    )
    if shift is not None:
        with torch.no_grad():
            bank.w_out[shift[0], shift[1]] += shift[2]
    model = build_model(model_kind, 2, [8], bank, seeds=[0], dtype=torch.float64)
    params = list(bank.parameters())
    ids = {id(p) for p in params}
    theta0 = detached({n: p for n, p in model.named_parameters() if id(p) not in ids}, True)
    inner = FunctionalOptimizer(optimizer, 1e-2, momentum=0.5, decay=0.9)
    gen = torch.Generator().manual_seed(2)
    batches = [torch.randint(0, len(vdp_data.x_train), (16,), generator=gen) for _ in range(5)]
    loss = inner_loop(model, detached(theta0, True), inner.init(theta0), inner, vdp_data, batches, window)[2]
    grads = torch.autograd.grad(loss, params, allow_unused=True)  # an HNN never sees the constant c
    return loss, torch.cat(
        [(torch.zeros_like(p) if g is None else g).reshape(-1) for p, g in zip(params, grads, strict=True)]
    )


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "rmsprop"])
@pytest.mark.parametrize("model_kind", ["nn", "hnn"])
@pytest.mark.parametrize("window", [0, 4])
def test_knots_meta_gradient_equals_the_direct_one(vdp_data, optimizer, model_kind, window):
    """First order (window 0) and unrolled (4 steps), NN and HNN (whose loss differentiates
    the activation), every inner optimizer: within the interpolation's error at 513 knots."""
    _, direct = _meta_gradient(vdp_data, "direct", model_kind, optimizer, window)
    _, knots = _meta_gradient(vdp_data, "knots", model_kind, optimizer, window)
    assert float((knots - direct).norm() / direct.norm()) < 1e-5


@pytest.mark.parametrize("model_kind", ["nn", "hnn"])
def test_knots_meta_gradient_equals_a_central_difference_of_its_own_loss(vdp_data, model_kind):
    _, grad = _meta_gradient(vdp_data, "knots", model_kind, "rmsprop", 4, g=65)
    eps = 1e-6
    for j, w in [(0, 1), (1, 4)]:
        up = float(_meta_gradient(vdp_data, "knots", model_kind, "rmsprop", 4, g=65, shift=(j, w, eps))[0].detach())
        down = float(_meta_gradient(vdp_data, "knots", model_kind, "rmsprop", 4, g=65, shift=(j, w, -eps))[0].detach())
        # w_out is the third parameter block: (w_in, b_in, w_out, b_out), each (2, 6) but b_out (2,)
        index = 2 * 2 * 6 + j * 6 + w
        assert grad[index].item() == pytest.approx((up - down) / (2 * eps), rel=1e-5, abs=1e-10)


def test_recomputation_and_resume_are_unchanged_on_knots(vdp_data, tmp_path):
    bank = LearnedBank(
        2,
        "sin",
        6,
        generator=torch.Generator().manual_seed(0),
        init="default",
        subnet_eval="knots",
        knots=(-6.0, 6.0, 129),
        dtype=torch.float64,
    )
    model = build_model("hnn", 2, [8], bank, seeds=[0], dtype=torch.float64)
    params = list(bank.parameters())
    ids = {id(p) for p in params}
    theta0 = detached({n: p for n, p in model.named_parameters() if id(p) not in ids}, True)
    inner = FunctionalOptimizer("adam", 1e-2)
    gen = torch.Generator().manual_seed(2)
    batches = [torch.randint(0, len(vdp_data.x_train), (16,), generator=gen) for _ in range(7)]
    loss = inner_loop(model, detached(theta0, True), inner.init(theta0), inner, vdp_data, batches, 6)[2]
    plain = [
        torch.zeros_like(p) if g is None else g
        for p, g in zip(params, torch.autograd.grad(loss, params, allow_unused=True), strict=True)
    ]
    *_, recomputed = recomputed_meta_gradient(
        model, detached(theta0, True), inner.init(theta0), inner, vdp_data, batches, 6, params, 2
    )
    for a, b in zip(recomputed, plain, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-13)
    config = meta_config_for(
        "van-der-pol",
        small=True,
        outer_steps=4,
        inner_steps=5,
        hidden=(10,),
        width=6,
        mode="unrolled",
        dtype="float64",
        outer_lr=3e-2,
        checkpoint_every=1,
    )
    assert config.subnet_eval_kind == "knots"  # the default for tanh sub-networks
    whole = meta_learn(config)
    ckpt = tmp_path / "checkpoint.pt"
    meta_learn(config, checkpoint=ckpt, stop_after=2)
    resumed = meta_learn(config, checkpoint=ckpt, resume=True)
    np.testing.assert_allclose(resumed.history["activations"], whole.history["activations"], rtol=1e-12)


def test_a_frozen_file_from_a_knots_run_loads_and_trains(tmp_path, vdp_data):
    result = meta_learn(
        meta_config_for(
            "van-der-pol",
            small=True,
            outer_steps=2,
            inner_steps=4,
            hidden=(10,),
            width=6,
            subnet_eval="knots",
            outer_lr=3e-2,
        )
    )
    assert result.frozen.metadata["subnet_eval"] == "knots"
    save_activations(tmp_path / "acts.npz", result.frozen)
    types = load_activations(tmp_path / "acts.npz")
    x = torch.linspace(-9, 9, 55, dtype=torch.float64)
    for j in range(2):  # the frozen samples are the learned type's values on the grid
        np.testing.assert_allclose(
            types.values[j].numpy(), result.bank.sample(types.grid).double()[j].numpy(), rtol=1e-6, atol=1e-6
        )
    net = build_model("nn", 2, [10], types, seeds=[0, 1])
    losses = train(net, vdp_data.to("cpu", torch.float32), TrainConfig(epochs=3, batch_size=32)).train_loss
    assert losses[-1].max() < losses[0].max() and torch.isfinite(x).all()


@pytest.mark.parametrize(
    "mode,meta_loss", [("first-order", "trajectory"), ("unrolled", "final"), ("unrolled", "trajectory")]
)
def test_sharing_the_knot_tables_within_an_outer_step_changes_nothing(monkeypatch, mode, meta_loss):
    """meta_learn builds each type's knot table once per outer step; rebuilding it at every
    call gives the same meta-learning (float64), recomputation included."""
    import contextlib

    config = meta_config_for(
        "van-der-pol",
        small=True,
        outer_steps=3,
        inner_steps=5,
        hidden=(10,),
        width=6,
        mode=mode,
        meta_loss=meta_loss,
        dtype="float64",
        outer_lr=3e-2,
        subnet_eval="knots",
        recompute=2 if mode == "unrolled" else None,
    )
    shared = meta_learn(config)
    monkeypatch.setattr(LearnedBank, "reuse_knot_tables", lambda self: contextlib.nullcontext())
    rebuilt = meta_learn(config)
    np.testing.assert_allclose(shared.history["activations"], rebuilt.history["activations"], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(shared.history["meta_loss"], rebuilt.history["meta_loss"], rtol=1e-12, equal_nan=True)
