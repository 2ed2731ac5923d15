"""Activations: fixed table, learned types, diverse layer (no cross-talk), freezing, files."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.interpolate import CubicSpline
from torch.func import functional_call

from physnet.activations import (
    ACTIVATIONS,
    DiverseActivation,
    FixedBank,
    FrozenBank,
    InterpolatedActivation,
    LearnedBank,
    activation_grid,
    freeze,
    get_activation,
    load_activations,
    save_activations,
    type_assignment,
)


def learned(k=2, base="sin", seed=0, dtype=torch.float64, randomise_output=True):
    bank = LearnedBank(k, base, 8, generator=torch.Generator().manual_seed(seed), dtype=dtype)
    if randomise_output:  # move away from the zero-initialised output layer
        g = torch.Generator().manual_seed(seed + 100)
        with torch.no_grad():
            bank.w_out.copy_(torch.randn(bank.w_out.shape, generator=g, dtype=dtype) * 0.3)
            bank.b_out.copy_(torch.randn(bank.b_out.shape, generator=g, dtype=dtype) * 0.3)
    return bank


def test_fixed_table_and_unknown_name():
    x = torch.linspace(-3, 3, 11)
    torch.testing.assert_close(get_activation("sin")(x), torch.sin(x))
    torch.testing.assert_close(get_activation("ramp")(x), torch.relu(x))
    torch.testing.assert_close(get_activation("zero")(x), torch.zeros_like(x))
    with pytest.raises(ValueError, match="valid activations: .*relu.*tanh"):
        get_activation("swish2")
    assert {"relu", "tanh", "sin", "sigmoid", "identity", "zero", "elu"} <= set(ACTIVATIONS)


@pytest.mark.parametrize("base", ["sin", "identity", "ramp", "sigmoid", "zero"])
def test_learned_types_start_as_base_but_not_identical(base):
    bank = LearnedBank(3, base, 50, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    x = torch.linspace(-10, 10, 201, dtype=torch.float64)
    for j in range(3):
        torch.testing.assert_close(bank.apply_type(j, x), get_activation(base)(x))
    # own initialisation per type: hidden layers differ, so the gradients differ
    assert not torch.allclose(bank.w_in[0], bank.w_in[1])
    loss = sum((bank.apply_type(j, x) - x.cos()).pow(2).mean() * (j + 1) for j in range(3))
    loss.backward()
    assert not torch.allclose(bank.w_out.grad[0], bank.w_out.grad[1] / 2)


def test_type_assignment_counts():
    assert type_assignment(7, 3).tolist() == [0, 0, 0, 1, 1, 2, 2]
    assert torch.bincount(type_assignment(100, 2)).tolist() == [50, 50]
    assert torch.bincount(type_assignment(10, 2, [0.3, 0.7])).tolist() == [3, 7]
    assert len(type_assignment(101, 4, [0.1, 0.2, 0.3, 0.4])) == 101
    with pytest.raises(ValueError, match="sum to one"):
        type_assignment(10, 2, [0.3, 0.3])
    with pytest.raises(ValueError, match="positive integer"):
        type_assignment(10, 0)
    with pytest.raises(ValueError, match="3 fractions"):
        type_assignment(10, 2, [0.2, 0.3, 0.5])


def test_each_neuron_uses_only_its_own_type_and_pre_activation():
    """No cross-talk: the Jacobian is diagonal and every output equals its own type's
    function of its own input, even where other types have act_j(0) != 0."""
    bank = learned(k=3, base="sigmoid")  # sigmoid(0) = 0.5 plus random offsets: a leak would show
    assignment = torch.tensor([2, 0, 1, 0, 2, 2, 1])
    layer = DiverseActivation(assignment, bank)
    x = torch.randn(5, 7, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    out = layer(x)
    for i, j in enumerate(assignment.tolist()):
        torch.testing.assert_close(out[:, i], bank.apply_type(j, x[:, i]), rtol=0, atol=0)
    jac = torch.autograd.functional.jacobian(lambda z: layer(z), x[0])
    off_diagonal = jac - torch.diag(torch.diagonal(jac))
    assert float(off_diagonal.abs().max()) == 0.0
    # a neuron's output does not move when only other neurons' inputs move
    y = x.clone()
    y[:, 1:] += 3.0
    torch.testing.assert_close(layer(y)[:, 0], out[:, 0], rtol=0, atol=0)


def test_one_batched_call_per_type():
    calls = []

    class Counting(FixedBank):
        def apply_type(self, j, x):
            calls.append(x.shape)
            return super().apply_type(j, x)

    layer = DiverseActivation(type_assignment(100, 2), Counting(["sin", "tanh"]))
    layer(torch.randn(32, 100))
    assert calls == [torch.Size([32, 50]), torch.Size([32, 50])]


def test_diverse_layer_float64_gradcheck():
    bank = learned(k=2, base="sin")
    layer = DiverseActivation(type_assignment(5, 2), bank)
    x = torch.randn(3, 5, dtype=torch.float64, requires_grad=True, generator=torch.Generator().manual_seed(0))

    params = [p.detach().clone().requires_grad_(True) for p in bank.parameters()]
    # parameters enter through functional_call, so gradcheck perturbs them directly

    names = [n for n, _ in bank.named_parameters()]
    fn = lambda x, *ps: functional_call(layer, {f"bank.{n}": p for n, p in zip(names, ps, strict=True)}, (x,))  # noqa: E731
    assert torch.autograd.gradcheck(fn, (x, *params))
    assert torch.autograd.gradgradcheck(fn, (x, *params))


@pytest.mark.parametrize("kind", ["linear", "cubic"])
def test_frozen_matches_sub_network_on_the_grid(kind):
    bank = learned(k=2, base="sin", dtype=torch.float32)
    grid = activation_grid()
    frozen = freeze(bank, kind, grid)
    for j in range(2):
        torch.testing.assert_close(
            frozen.apply_type(j, grid), bank.apply_type(j, grid.float()).double(), rtol=1e-6, atol=1e-6
        )
    # between grid points, the interpolant stays close to the smooth sub-network
    mid = (grid[1:] + grid[:-1]) / 2
    with torch.no_grad():
        err = (frozen.apply_type(0, mid) - bank.apply_type(0, mid.float()).double()).abs()
    if kind == "linear":  # h^2/8 max|f''| with h = 0.2
        assert float(err.max()) < 0.01
    else:  # fourth order inside; the natural end condition costs accuracy near +-10 only
        assert float(err[mid.abs() < 8].max()) < 1e-4 and float(err.max()) < 2e-3


def test_cubic_spline_agrees_with_scipy_natural_spline_and_is_c2():
    x = np.linspace(-10, 10, 100)
    y = np.sin(x) + 0.1 * x**2 / 10
    act = InterpolatedActivation(torch.tensor(x), torch.tensor(y), "cubic")
    probe = np.random.default_rng(0).uniform(-10, 10, 500)
    np.testing.assert_allclose(
        act(torch.tensor(probe)).numpy(), CubicSpline(x, y, bc_type="natural")(probe), rtol=1e-12, atol=1e-12
    )
    knots = torch.tensor(x[1:-1])

    def second_derivative(z):
        z = z.clone().requires_grad_(True)
        (d1,) = torch.autograd.grad(act(z).sum(), z, create_graph=True)
        (d2,) = torch.autograd.grad(d1.sum(), z)
        return d2

    eps = 1e-7
    jump = (second_derivative(knots + eps) - second_derivative(knots - eps)).abs().max()
    assert float(jump) < 1e-4  # continuous second derivative at every knot
    # C2 through the ends too: the natural spline's curvature is zero there, like the linear extension
    ends = torch.tensor([-10.0, 10.0], dtype=torch.float64)
    assert float(second_derivative(ends - eps).abs().max()) < 1e-4
    assert float(second_derivative(ends + eps).abs().max()) < 1e-4


@pytest.mark.parametrize("kind", ["linear", "cubic"])
def test_linear_extension_with_end_slopes(kind):
    x = torch.linspace(-10, 10, 100, dtype=torch.float64)
    act = InterpolatedActivation(x, torch.tanh(x / 3) + 0.05 * x, kind)
    z = torch.tensor([10.0 - 1e-9, 12.0, 25.0], dtype=torch.float64, requires_grad=True)
    (slope,) = torch.autograd.grad(act(z).sum(), z)
    torch.testing.assert_close(slope[1:], slope[:1].expand(2), rtol=1e-6, atol=1e-9)
    far = act(torch.tensor([-30.0], dtype=torch.float64))
    assert torch.isfinite(far).all()


@pytest.mark.parametrize("kind", ["linear", "cubic"])
def test_uneven_grid_search_and_even_grid_arithmetic_agree_with_scipy(kind):
    """Even grids find the piece arithmetically, uneven ones by search; both are checked
    against SciPy inside, on the knots themselves and beyond both ends (NaN stays NaN)."""
    rng = np.random.default_rng(1)
    even = np.linspace(-5, 5, 40)
    uneven = np.sort(np.concatenate([[-5.0, 5.0], rng.uniform(-5, 5, 38)]))
    for x, expect_uniform in ((even, True), (uneven, False)):
        y = np.tanh(x) + 0.3 * np.sin(2 * x)
        act = InterpolatedActivation(torch.tensor(x), torch.tensor(y), kind)
        assert act.uniform is expect_uniform
        inside = np.concatenate([rng.uniform(-5, 5, 300), x])
        ref = CubicSpline(x, y, bc_type="natural") if kind == "cubic" else (lambda z, x=x, y=y: np.interp(z, x, y))
        np.testing.assert_allclose(act(torch.tensor(inside)).numpy(), ref(inside), rtol=1e-12, atol=1e-12)
        slope_left = (ref(x[0] + 1e-6) - ref(x[0])) / 1e-6 if kind == "linear" else ref(x[0], 1)
        np.testing.assert_allclose(act(torch.tensor([-9.0])).numpy(), y[0] + slope_left * (-9.0 - x[0]), rtol=1e-5)
        out = act(torch.tensor([np.nan, 1e30, -1e30]))
        assert torch.isnan(out[0]) and torch.isfinite(out[1:]).all()
        slope_right = float(act.end_slopes[1])
        assert np.sign(float(out[1])) == np.sign(slope_right)  # far right: the right extension, not the left
        assert np.sign(float(out[2])) == -np.sign(slope_left)


def test_linear_interpolation_has_no_curvature():
    x = torch.linspace(-10, 10, 100, dtype=torch.float64)
    act = InterpolatedActivation(x, torch.sin(x), "linear")
    z = torch.tensor([0.33, 4.1], dtype=torch.float64, requires_grad=True)
    (d1,) = torch.autograd.grad(act(z).sum(), z, create_graph=True)
    # the derivative is piecewise constant: it may not even depend on z (no graph at all)
    d2 = torch.autograd.grad(d1.sum(), z, allow_unused=True)[0] if d1.requires_grad else None
    assert d2 is None or float(d2.abs().max()) == 0.0


def test_activations_file_round_trip(tmp_path):
    frozen = freeze(learned(k=2), "cubic", metadata={"task": "clock", "model": "hnn", "seed": 3, "base": "sin"})
    path = save_activations(tmp_path / "acts.npz", frozen)
    with np.load(path, allow_pickle=False) as data:
        assert set(data.files) == {"grid", "values", "metadata"}
    loaded = load_activations(path, k=2)
    torch.testing.assert_close(loaded.values, frozen.values)
    assert loaded.kind == "cubic" and loaded.metadata["task"] == "clock" and loaded.metadata["k"] == 2
    z = torch.linspace(-12, 12, 57, dtype=torch.float64)
    torch.testing.assert_close(loaded.apply_type(1, z), frozen.apply_type(1, z))
    assert load_activations(path, kind="linear").kind == "linear"


def test_pickled_payload_is_refused(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, grid=np.linspace(-1, 1, 5), values=np.zeros((1, 5)), metadata=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ValueError, match="pickled"):
        load_activations(path)


@pytest.mark.parametrize("case", ["missing", "truncated", "foreign", "wrong_k", "not_npz"])
def test_bad_activations_files(tmp_path, case):
    good = save_activations(tmp_path / "good.npz", freeze(learned(k=2), "linear"))
    path = tmp_path / "bad.npz"
    if case == "truncated":
        path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    elif case == "foreign":
        np.savez(path, weights=np.zeros(3))
    elif case == "not_npz":
        path.write_text("t,theta\n1,2\n")
    elif case == "wrong_k":
        path = good
    expected = {
        "missing": "not found",
        "truncated": "truncated",
        "foreign": "not an activations file",
        "wrong_k": "2 activation types but 3",
        "not_npz": "truncated or not",
    }[case]
    with pytest.raises((ValueError, FileNotFoundError), match=expected) as info:
        load_activations(path, k=3 if case == "wrong_k" else None)
    assert "\n" not in str(info.value)


def test_frozen_bank_select_and_shape_checks():
    frozen = freeze(learned(k=2), "linear")
    one = frozen.select([1])
    assert one.k == 1
    torch.testing.assert_close(one.values[0], frozen.values[1])
    with pytest.raises(ValueError, match="shaped"):
        FrozenBank(torch.linspace(-1, 1, 5), torch.zeros(5))
