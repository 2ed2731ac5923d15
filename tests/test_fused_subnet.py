"""The fused sub-network Function: the same function and derivatives (to three orders) as
plain autograd, with and without compiled kernels, and the same meta-learning runs."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from physnet.activations import LearnedBank, fused_subnet
from physnet.activations.fused_subnet import fused_residual, set_compiled
from physnet.meta import meta_config_for, meta_learn


def plain(x, w, b, a):
    return (torch.tanh(x.unsqueeze(-1) * w + b) * a).sum(-1)


def inputs(seed=0, shape=(7, 3), width=5, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    x = (2 * torch.randn(shape, generator=g, dtype=dtype)).requires_grad_()
    return [x] + [torch.randn(width, generator=g, dtype=dtype).requires_grad_() for _ in range(3)]


@pytest.fixture
def uncompiled():
    was = fused_subnet.compiled_enabled()
    set_compiled(False)
    yield
    set_compiled(was)


def test_gradcheck_and_gradgradcheck(uncompiled):
    args = inputs()
    assert torch.autograd.gradcheck(fused_residual, args)
    assert torch.autograd.gradgradcheck(fused_residual, args)


def derivatives(fn, args, seed=1):
    """Value, an inner gradient's dependence on every input (second order), and a third-order
    quantity, the Hamiltonian networks' unrolled case, for comparing two implementations."""
    x, w, b, a = args
    g = torch.Generator().manual_seed(seed)
    r, v = (torch.randn(x.shape, generator=g, dtype=x.dtype) for _ in range(2))
    y = fn(x, w, b, a)
    (gx,) = torch.autograd.grad((y * r).sum(), x, create_graph=True)
    first = torch.autograd.grad((gx * v).sum() + (y * y).sum(), args, create_graph=True)
    third = torch.autograd.grad(sum((f * f).sum() for f in first), args)
    return [y.detach(), *[f.detach() for f in first], *third]


def test_second_and_third_derivatives_equal_plain_autograd(uncompiled):
    args = inputs(shape=(4, 6), width=8)
    for ours, ref in zip(derivatives(fused_residual, args), derivatives(plain, args), strict=True):
        torch.testing.assert_close(ours, ref, rtol=1e-12, atol=1e-12)


def test_compiled_kernels_equal_plain_autograd():
    """The compiled kernels (float32, a realistic size): same values and meta-gradient
    ingredients as plain autograd, to float32 rounding."""
    if not set_compiled(True):
        pytest.skip("torch.compile is unavailable on this machine (the fallback is tested above)")
    try:
        for shape in [(50, 40), (30, 40)]:  # a second size exercises the recompiled kernels
            args = inputs(shape=shape, width=16, dtype=torch.float32)
            for ours, ref in zip(derivatives(fused_residual, args), derivatives(plain, args), strict=True):
                torch.testing.assert_close(ours, ref, rtol=2e-4, atol=2e-4 * float(ref.abs().max()))
    finally:
        set_compiled(False)


def test_learned_bank_fused_is_the_same_function(uncompiled):
    bank = LearnedBank(2, "sin", 6, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    with torch.no_grad():
        bank.w_out.normal_(0, 0.5, generator=torch.Generator().manual_seed(1))
    x = torch.linspace(-4, 4, 33, dtype=torch.float64).reshape(3, 11)
    ref = [bank.apply_type(j, x) for j in range(2)]
    bank.fused = True
    for j in range(2):
        torch.testing.assert_close(bank.apply_type(j, x), ref[j], rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("model", ["nn", "hnn"])
def test_meta_learning_with_compile_equals_plain(model):
    """``compile=True`` runs the same unrolled meta-learning (float64): the learned types after
    three outer steps agree with plain autograd's (an HNN exercises third derivatives)."""
    task = "van-der-pol" if model == "nn" else "henon-heiles"
    base = dict(
        small=True,
        outer_steps=3,
        inner_steps=6,
        hidden=(12,),
        width=8,
        mode="unrolled",
        dtype="float64",
        outer_lr=3e-2,
        subnet_eval="direct",
    )  # the fused kernels evaluate the sub-networks directly
    try:
        runs = [meta_learn(meta_config_for(task, model, **base, compile=c)) for c in (False, True)]
    finally:
        set_compiled(False)
    np.testing.assert_allclose(runs[1].history["activations"], runs[0].history["activations"], rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(runs[1].history["meta_loss"], runs[0].history["meta_loss"], rtol=1e-9)
    assert np.abs(runs[0].history["activations"][-1] - runs[0].history["activations"][0]).max() > 1e-4


def test_resume_may_switch_compile_on(tmp_path):
    """``compile`` changes how, not what: a checkpoint written without it resumes with it,
    and the result equals an uninterrupted run (float64)."""
    base = dict(
        small=True,
        outer_steps=4,
        inner_steps=5,
        hidden=(10,),
        width=6,
        mode="unrolled",
        dtype="float64",
        outer_lr=3e-2,
        checkpoint_every=1,
        subnet_eval="direct",
    )
    whole = meta_learn(meta_config_for("van-der-pol", **base))
    ckpt = tmp_path / "checkpoint.pt"
    meta_learn(meta_config_for("van-der-pol", **base), checkpoint=ckpt, stop_after=2)
    try:
        resumed = meta_learn(meta_config_for("van-der-pol", **base, compile=True), checkpoint=ckpt, resume=True)
    finally:
        set_compiled(False)
    np.testing.assert_allclose(resumed.history["activations"], whole.history["activations"], rtol=1e-9, atol=1e-11)


def test_without_a_compiler_meta_learning_warns_and_runs_plain(monkeypatch):
    """Where torch.compile fails (no C++ compiler), ``compile=True`` says so in one warning
    and runs plain autograd: the same result as ``compile=False``."""
    set_compiled(False)

    def broken(fn, **kwargs):
        def fail(*args):
            raise RuntimeError("no working C++ compiler found\nmore detail")

        return fail

    monkeypatch.setattr(torch, "compile", broken)
    base = dict(
        small=True,
        outer_steps=2,
        inner_steps=3,
        hidden=(8,),
        width=4,
        mode="unrolled",
        dtype="float64",
        subnet_eval="direct",
    )
    with pytest.warns(RuntimeWarning, match="torch.compile unavailable .*no working C\\+\\+ compiler found\\)"):
        run = meta_learn(meta_config_for("van-der-pol", **base, compile=True))
    assert not fused_subnet.compiled_enabled() and not run.bank.fused
    plain = meta_learn(meta_config_for("van-der-pol", **base))
    np.testing.assert_array_equal(run.history["activations"], plain.history["activations"])
