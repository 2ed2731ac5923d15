"""Sparse regression, the reference arm: its library against closed forms and pysindy's own,
the compressed least-squares problem against pysindy on the whole matrix, exact recovery of
van der Pol from noise-free pairs, reproducible bootstrap fits, and a fit that blows up."""

from __future__ import annotations

import numpy as np
import pysindy as ps
import pytest
import torch

from physnet.data import TaskData
from physnet.errors import UserError
from physnet.references.library import Library, angle_states, monomial_exponents, n_terms
from physnet.references.sindy import (
    Pairs,
    bootstrap_fits,
    check_degree,
    equations,
    fit_coefficients,
    regression_pairs,
    select_library,
)
from physnet.references.sparse_field import SparseVectorField
from physnet.study.arm_skill import ERROR_CAP, forecast_skill
from physnet.tasks.rollout_data import rollout_data
from systems import VanDerPol


def _vdp_pairs(n: int, seed: int, noise: float = 0.0) -> Pairs:
    g = torch.Generator().manual_seed(seed)
    x = (torch.rand(n, 2, generator=g, dtype=torch.float64) * 2 - 1) * torch.tensor([3.0, 6.0], dtype=torch.float64)
    xdot = VanDerPol().vector_field(torch.zeros(()), x)
    if noise:
        xdot = xdot + noise * torch.randn(xdot.shape, generator=g, dtype=torch.float64)
    return Pairs(x, xdot, torch.arange(n) // 50)


def test_library_columns_are_the_named_terms():
    lib = Library(("theta", "w"), 3, angles=(0,), harmonics=2)
    y = torch.tensor([[0.3, -1.7], [2.0, 0.5]], dtype=torch.float64)
    theta = lib.features(y)
    assert theta.shape == (2, len(lib)) == (2, n_terms(2, 3, 1, 2)) == (2, 10 + 4)
    names = lib.names()
    th, w = y[:, 0], y[:, 1]
    expected = {
        "sin(theta)": th.sin(),
        "cos(theta)": th.cos(),
        "sin(2 theta)": (2 * th).sin(),
        "cos(2 theta)": (2 * th).cos(),
        "1": torch.ones(2, dtype=torch.float64),
        "theta": th,
        "w": w,
        "theta^2": th**2,
        "theta w": th * w,
        "w^2": w**2,
        "theta^2 w": th**2 * w,
        "w^3": w**3,
    }
    for name, column in expected.items():
        torch.testing.assert_close(theta[:, names.index(name)], column)


def test_a_lower_degree_library_is_a_prefix_of_a_higher_one():
    y = torch.randn(7, 3, dtype=torch.float64)
    high, low = Library(("a", "b", "c"), 4), Library(("a", "b", "c"), 2)
    torch.testing.assert_close(high.features(y)[:, : len(low)], low.features(y))
    assert high.names()[: len(low)] == low.names()


def test_the_monomials_are_pysindys():
    x = np.random.default_rng(0).normal(size=(20, 3))
    theirs = ps.PolynomialLibrary(degree=4).fit(x)
    ours = {tuple(p) for p in monomial_exponents(3, 4)}
    assert ours == {tuple(int(v) for v in p) for p in theirs.powers_}
    assert len(ours) == theirs.n_output_features_


def test_angle_states_by_name():
    assert angle_states(("theta", "theta_dot")) == (0,)
    assert angle_states(("theta1", "theta_2", "p1", "p2")) == (0, 1)
    assert angle_states(("x", "v")) == ()


def test_the_compressed_problem_gives_pysindys_fit_on_the_whole_matrix():
    pairs = _vdp_pairs(400, 1, noise=0.3)
    lib = Library(("x", "v"), 3)
    ours = fit_coefficients(pairs, lib, 0.01)
    theta = lib.features(pairs.x).numpy()
    targets = pairs.xdot.numpy()
    scale = np.linalg.norm(targets, axis=0)
    optimizer = ps.STLSQ(threshold=0.01, alpha=1e-5, normalize_columns=True, max_iter=20)
    optimizer.fit(theta, targets / scale)
    np.testing.assert_allclose(ours, optimizer.coef_.T * scale, rtol=1e-8, atol=1e-10)


def test_van_der_pol_is_recovered_exactly_from_noise_free_pairs():
    fit, held = _vdp_pairs(2000, 2), _vdp_pairs(500, 3)
    selection = select_library(fit, held, ("x", "v"))
    chosen = selection.chosen
    assert chosen.terms == 4 and chosen.held_mse < 1e-20
    xi = fit_coefficients(fit, chosen.library, chosen.threshold)
    names = chosen.library.names()
    expected = np.zeros_like(xi)
    expected[names.index("v"), 0] = 1.0
    expected[names.index("x"), 1] = -1.0
    expected[names.index("v"), 1] = 2.7
    expected[names.index("x^2 v"), 1] = -2.7
    np.testing.assert_allclose(xi, expected, atol=1e-6)
    assert equations(chosen.library, xi) == ["dx/dt = 1 v", "dv/dt = - 1 x + 2.7 v - 2.7 x^2 v"]


def test_bootstrap_fits_differ_across_seeds_and_repeat_for_a_seed():
    pairs = _vdp_pairs(1000, 4, noise=0.5)
    lib = Library(("x", "v"), 3)
    first = bootstrap_fits(pairs, lib, 0.01, [0, 1, 2]).coefficients
    again = bootstrap_fits(pairs, lib, 0.01, [2, 0]).coefficients
    assert not torch.allclose(first[0], first[1]) and not torch.allclose(first[1], first[2])
    torch.testing.assert_close(again[0], first[2], rtol=0, atol=0)
    torch.testing.assert_close(again[1], first[0], rtol=0, atol=0)


def test_an_ensemble_member_is_its_own_field():
    lib = Library(("x", "v"), 2)
    coefficients = torch.randn(3, len(lib), 2, dtype=torch.float64)
    field = SparseVectorField(lib, coefficients)
    y = torch.randn(3, 5, 2, dtype=torch.float64)
    together = field.vector_field(None, y)
    for e in range(3):
        torch.testing.assert_close(together[e], field.member(e).vector_field(None, y[e]))
        torch.testing.assert_close(together[e], lib.features(y[e]) @ coefficients[e])


def test_a_fit_that_blows_up_is_a_lost_rollout_not_a_crash():
    # member 0: the exact spring q' = p, p' = -q; member 1: q' = q^2 too (leaves to infinity)
    lib = Library(("q", "p"), 2)
    names = lib.names()
    coefficients = torch.zeros(2, len(lib), 2, dtype=torch.float64)
    coefficients[:, names.index("p"), 0] = 1.0
    coefficients[:, names.index("q"), 1] = -1.0
    coefficients[1, names.index("q^2"), 0] = 5.0
    t = torch.arange(101, dtype=torch.float64) * 0.1
    y0 = torch.tensor([[1.0, 0.0]], dtype=torch.float64)
    orbit = torch.stack([torch.cos(t), -torch.sin(t)], dim=-1)
    data = TaskData(orbit, orbit, orbit, orbit, state_names=("q", "p"), val_orbit=torch.zeros(101), dt=0.1)
    skill = forecast_skill(SparseVectorField(lib, coefficients), data, "rk4", reference=(y0, t, orbit[None]))
    assert skill.error[0, 0].max() < 1e-4
    assert skill.error[1, 0, -1] == ERROR_CAP and np.isnan(skill.rollouts[1, 0, -1]).all()


def test_a_degree_with_more_terms_than_pairs_is_refused_with_both_numbers():
    with pytest.raises(
        UserError, match="--sindy-degree 5: its library has 21 terms but the training split has only 12 pairs"
    ):
        check_degree(2, 5, 12)
    fit = _vdp_pairs(12, 5)
    with pytest.raises(UserError, match="21 terms"):
        select_library(fit, fit, ("x", "v"), degree=5)
    chosen = select_library(fit, fit, ("x", "v")).chosen  # left to choose: only degrees that fit
    assert len(chosen.library) <= 12


def test_rollout_targets_give_midpoint_derivatives():
    t = torch.arange(201, dtype=torch.float64) * 0.01
    orbit = torch.stack([torch.cos(t), -torch.sin(t)], dim=-1)
    data = TaskData(orbit, orbit, orbit, orbit, state_names=("q", "p"), train_orbit=torch.zeros(201), dt=0.01)
    data = rollout_data(data, 3)
    pairs = regression_pairs(data)
    assert len(pairs) == 200  # the last state has no next one
    # the spring's field at the step's midpoint, to second order in the step
    np.testing.assert_allclose(pairs.xdot[:, 0], pairs.x[:, 1], atol=1e-5)
    np.testing.assert_allclose(pairs.xdot[:, 1], -pairs.x[:, 0], atol=1e-5)


def test_no_regression_on_a_classifier():
    data = TaskData(
        torch.zeros(4, 3),
        torch.zeros(4, dtype=torch.long),
        torch.zeros(4, 3),
        torch.zeros(4, dtype=torch.long),
        loss="cross_entropy",
    )
    with pytest.raises(UserError, match="classification task has none"):
        regression_pairs(data)
