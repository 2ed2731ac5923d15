"""The whole-layer knot interpolant (one autograd Function with hand-written derivatives)
against the plain-autograd Hermite evaluation, and its derivatives against float64
finite differences up to third order (a Hamiltonian network's unrolled meta-gradient)."""

from __future__ import annotations

import torch

from physnet.activations import DiverseActivation, LearnedBank
from physnet.activations.diverse import type_assignment
from physnet.activations.knot_function import interpolate_layer, stacked_coefficients
from physnet.activations.knots import evaluate_table, hermite_table

LO, HI, G, K = -3.0, 3.0, 12, 2
ASSIGN = torch.tensor([0, 1, 1, 0, 1])


def _params():
    gen = torch.Generator().manual_seed(0)
    return [torch.randn(G, generator=gen, dtype=torch.float64, requires_grad=True) for _ in range(2 * K)]


def _layer(x, *p):
    tables = [hermite_table(LO, HI, p[j], p[K + j]) for j in range(K)]
    return interpolate_layer(x, stacked_coefficients(tables), ASSIGN * (G + 1), (LO, HI, G))


def _reference(x, *p):
    tables = [hermite_table(LO, HI, p[j], p[K + j]) for j in range(K)]
    return torch.stack([evaluate_table(x[..., i], tables[int(ASSIGN[i])], LO, HI) for i in range(len(ASSIGN))], -1)


def _inputs():
    gen = torch.Generator().manual_seed(1)
    x = torch.rand(3, len(ASSIGN), generator=gen, dtype=torch.float64) * 9 - 4.5  # inside and outside [LO, HI]
    return x.requires_grad_()


def test_layer_interpolant_equals_the_per_type_hermite_evaluation_with_its_gradients():
    x, p = _inputs(), _params()
    y, ref = _layer(x, *p), _reference(x, *p)
    torch.testing.assert_close(y, ref, rtol=0, atol=1e-13)
    w = torch.linspace(-1, 1, y.numel(), dtype=torch.float64).view_as(y)
    got = torch.autograd.grad((y * w).sum(), [x, *p])
    want = torch.autograd.grad((ref * w).sum(), [x, *p])
    for g, r in zip(got, want, strict=True):
        torch.testing.assert_close(g, r, rtol=1e-12, atol=1e-12)


def test_layer_interpolant_first_second_and_third_derivatives_pass_float64_gradchecks():
    x, p = _inputs(), _params()
    assert torch.autograd.gradcheck(_layer, (x, *p))
    assert torch.autograd.gradgradcheck(_layer, (x, *p))

    def slope_energy(x, *p):  # differentiates the interpolant once inside (as an HNN's vector field)
        y = _layer(x, *p)
        (gx,) = torch.autograd.grad((y * y).sum(), x, create_graph=True)
        return gx

    assert torch.autograd.gradgradcheck(slope_energy, (x, *p))


def test_a_gradient_with_respect_to_x_only_leaves_the_table_gradient_out_and_changes_nothing():
    x, p = _inputs(), _params()
    (gx_only,) = torch.autograd.grad(_layer(x, *p).sum(), x)
    gx_all, *_ = torch.autograd.grad(_layer(x, *p).sum(), [x, *p])
    torch.testing.assert_close(gx_only, gx_all, rtol=0, atol=0)


def test_nan_pre_activations_give_nan_outputs_not_an_index_error():
    p = _params()
    x = torch.tensor([[float("nan"), 0.5, float("inf"), -float("inf"), 1.0]], dtype=torch.float64)
    y = _layer(x, *p)
    assert torch.isnan(y[0, 0]) and torch.isfinite(y[0, 1]) and torch.isfinite(y[0, 4])


def test_a_knots_layer_in_one_call_equals_the_type_by_type_evaluation():
    bank = LearnedBank(
        3,
        "sin",
        8,
        generator=torch.Generator().manual_seed(2),
        init="default",
        subnet_eval="knots",
        dtype=torch.float64,
    )
    assignment = type_assignment(7, 3)
    layer = DiverseActivation(assignment[torch.randperm(7, generator=torch.Generator().manual_seed(3))], bank)
    x = torch.randn(4, 7, dtype=torch.float64, generator=torch.Generator().manual_seed(4)) * 4
    by_type = torch.stack([bank.apply_type(int(layer.assignment[i]), x[:, i]) for i in range(7)], -1)
    torch.testing.assert_close(layer(x), by_type, rtol=0, atol=1e-13)
