"""The frozen types' compiled kernels against the plain ones (the same numbers to float
rounding), and the switch between them."""

from __future__ import annotations

import shutil

import pytest
import torch

from physnet.activations import FrozenBank
from physnet.activations import frozen_function as ff

pytestmark = pytest.mark.skipif(
    not shutil.which("g++") and not shutil.which("c++"), reason="torch.compile needs a C++ compiler"
)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_compiled_kernels_equal_plain_code(dtype):
    grid = torch.linspace(-10, 10, 100, dtype=torch.float64)
    bank = FrozenBank(grid, torch.stack([torch.sin(grid), torch.tanh(grid) + 0.1 * grid]), "cubic")
    offsets = torch.tensor([0, 101] * 8)
    x = torch.randn(4, 9, 16, dtype=dtype) * 7
    x[0, 0, :3] = torch.tensor([float("nan"), float("inf"), -float("inf")], dtype=dtype)
    gy, up = torch.randn_like(x), torch.randn_like(x)
    table = bank.layer_table.to(dtype)
    compiled = ff._kernels()
    assert compiled is not ff._EAGER
    tol = {"rtol": 1e-5, "atol": 1e-5} if dtype == torch.float32 else {"rtol": 1e-12, "atol": 1e-12}
    tol["equal_nan"] = True  # NaN in, NaN out; 0 * inf in the extension pieces at +-inf
    args = (-10.0, 99 / 20, 100)
    torch.testing.assert_close(compiled["value"](x, table, offsets, *args), ff._value(x, table, offsets, *args), **tol)
    torch.testing.assert_close(
        compiled["slope"](x, table, offsets, gy, *args), ff._slope(x, table, offsets, gy, *args), **tol
    )
    for ours, plain in zip(
        compiled["second"](x, table, offsets, gy, up, *args), ff._second(x, table, offsets, gy, up, *args), strict=True
    ):
        torch.testing.assert_close(ours, plain, **tol)


def test_set_compiled_switches_to_plain_code_and_back():
    try:
        ff.set_compiled(False)
        assert ff._kernels() is ff._EAGER
    finally:
        ff.set_compiled(True)
    assert ff._kernels() is not ff._EAGER
