"""The frozen types' whole-layer Function against the type-by-type autograd evaluation:
values, first, second and third derivatives, float64 gradcheck and gradgradcheck."""

from __future__ import annotations

import pytest
import torch

from physnet.activations import DiverseActivation, FrozenBank
from physnet.activations.frozen import InterpolatedActivation
from physnet.activations.frozen_function import frozen_layer

GRID = torch.linspace(-10, 10, 41, dtype=torch.float64)


def _types() -> torch.Tensor:
    return torch.stack([torch.sin(GRID) + 0.1 * GRID, torch.tanh(GRID) * 2 - 0.05 * GRID**2 / 10])


def _plain(f: InterpolatedActivation) -> InterpolatedActivation:
    """The same interpolant through the search-and-gather path of plain autograd."""
    g = InterpolatedActivation(f.knots, torch.zeros(len(f.knots), dtype=torch.float64) + 1, f.kind)
    g.load_state_dict(f.state_dict())
    g.table = f.table
    g.uniform = False
    return g


def _derivatives(fn, x: torch.Tensor, order: int) -> list[torch.Tensor]:
    x = x.clone().requires_grad_(True)
    out = [fn(x)]
    for _ in range(order):
        (d,) = torch.autograd.grad(out[-1].sum(), x, create_graph=True)
        out.append(d)
    return out


@pytest.mark.parametrize("kind", ["linear", "cubic"])
def test_one_type_equals_plain_autograd_to_the_third_derivative(kind):
    fused = InterpolatedActivation(GRID, _types()[0], kind)
    assert fused.uniform
    plain = _plain(fused)
    x = torch.linspace(-13, 13, 2001, dtype=torch.float64)  # inside and outside the grid, knots included
    order = 3 if kind == "cubic" else 1  # a linear interpolant's slope is piecewise constant
    for ours, theirs in zip(_derivatives(fused, x, order), _derivatives(plain, x, order), strict=True):
        torch.testing.assert_close(ours, theirs, rtol=1e-12, atol=1e-12)
    if kind == "linear":
        assert float(_derivatives(fused, x, 2)[2].abs().max()) == 0.0


@pytest.mark.parametrize("kind", ["linear", "cubic"])
def test_a_layer_of_types_in_one_call_equals_type_by_type(kind):
    bank = FrozenBank(GRID, _types(), kind)
    assert bank.fused_layer
    assignment = torch.tensor([1, 0, 0, 1, 1, 0, 1])  # interleaved: not contiguous blocks
    layer = DiverseActivation(assignment, bank)
    x = torch.randn(3, 5, 7, dtype=torch.float64) * 6
    bank.fused_layer = False
    order = 2 if kind == "cubic" else 1
    reference = _derivatives(layer, x, order)
    bank.fused_layer = True
    for ours, theirs in zip(_derivatives(layer, x, order), reference, strict=True):
        torch.testing.assert_close(ours, theirs, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kind", ["linear", "cubic"])
def test_gradcheck_and_gradgradcheck(kind):
    bank = FrozenBank(GRID, _types(), kind)
    table = bank.layer_table
    offsets = torch.tensor([0, 42, 0, 42])
    f = lambda x: frozen_layer(x, table, offsets, -10.0, 2.0, 41)  # noqa: E731
    x = (torch.rand(6, 4, dtype=torch.float64) * 24 - 12).requires_grad_(True)
    x = x + 0.013  # away from knots, where a cubic's second derivative is continuous but not differentiable
    x = x.detach().requires_grad_(True)
    assert torch.autograd.gradcheck(f, (x,))
    if kind == "cubic":
        assert torch.autograd.gradgradcheck(f, (x,))


def test_nan_stays_nan_and_float32_follows_the_input():
    fused = InterpolatedActivation(GRID, _types()[0], "cubic")
    y = fused(torch.tensor([float("nan"), 0.5], dtype=torch.float32))
    assert torch.isnan(y[0]) and y.dtype == torch.float32 and torch.isfinite(y[1])
