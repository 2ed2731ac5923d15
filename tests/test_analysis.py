"""Participation ratio and Hessian statistics against exact computations."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from physnet.analysis import HessianOperator, hutchinson_trace, participation_ratio, spectral_density
from physnet.networks import build_model


def test_participation_ratio_limits_and_eigenvalues():
    g = torch.Generator().manual_seed(0)
    direction = torch.randn(30, generator=g, dtype=torch.float64)
    rank_one = torch.randn(500, 1, generator=g, dtype=torch.float64) * direction
    assert float(participation_ratio(rank_one)) == pytest.approx(1.0, abs=1e-9)
    iso = torch.randn(200_000, 30, generator=g, dtype=torch.float64)
    assert float(participation_ratio(iso)) == pytest.approx(30, rel=0.01)
    x = torch.randn(300, 12, generator=g, dtype=torch.float64) @ torch.randn(12, 12, generator=g, dtype=torch.float64)
    lam = np.linalg.eigvalsh(np.cov(x.numpy(), rowvar=False))
    assert float(participation_ratio(x)) == pytest.approx(lam.sum() ** 2 / (lam**2).sum(), rel=1e-10)
    # fewer samples than neurons goes through the Gram matrix: same answer
    few = x[:8]
    lam = np.linalg.eigvalsh(np.cov(few.numpy(), rowvar=False))
    assert float(participation_ratio(few)) == pytest.approx(lam.sum() ** 2 / (lam**2).sum(), rel=1e-8)
    # ensembles: one value per member
    assert participation_ratio(torch.stack([x, rank_one[:300, :12]])).shape == (2,)


@pytest.fixture(params=["classifier", "hnn"])
def small_problem(request):
    """A small trained-ish network and its loss, with the exact Hessian."""
    g = torch.Generator().manual_seed(1)
    if request.param == "classifier":
        model = build_model("classifier", 5, [8], "tanh", dim_out=3, seeds=[0], dtype=torch.float64)
        x, y = torch.randn(64, 5, generator=g, dtype=torch.float64), torch.randint(0, 3, (64,), generator=g)
        loss_of = lambda out: torch.nn.functional.cross_entropy(out, y)  # noqa: E731
    else:  # the loss itself contains dH/dy
        model = build_model("hnn", 2, [6], "sin", seeds=[0], dtype=torch.float64)
        x = torch.randn(64, 2, generator=g, dtype=torch.float64)
        y = torch.stack([x[:, 1], -torch.sin(x[:, 0])], -1)
        loss_of = lambda out: (out - y).pow(2).mean()  # noqa: E731
    params = list(model.parameters())
    names = [n for n, _ in model.named_parameters()]
    shapes = [p.shape for p in params]

    def flat_loss(flat):
        pieces, start = {}, 0
        for n, s in zip(names, shapes, strict=True):
            k = int(np.prod(s))
            pieces[n] = flat[start : start + k].view(s)
            start += k
        return loss_of(torch.func.functional_call(model, pieces, (x,)))

    flat = torch.cat([p.detach().reshape(-1) for p in params])
    exact = torch.autograd.functional.hessian(flat_loss, flat).numpy()
    op = HessianOperator(lambda: loss_of(model(x)), params)
    return op, exact


def test_hessian_vector_products_match_the_exact_hessian(small_problem):
    op, exact = small_problem
    v = torch.randn(op.n, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    np.testing.assert_allclose(op.matvec(v).numpy(), exact @ v.numpy(), rtol=1e-8, atol=1e-10)


def test_hutchinson_trace_within_a_few_percent(small_problem):
    op, exact = small_problem
    est = hutchinson_trace(op, tol=0.01, max_probes=3000, seed=0)
    true = np.trace(exact)
    assert abs(est.trace - true) < max(0.05 * abs(true), 4 * est.stderr)
    assert est.stderr > 0 and est.probes >= 10


def test_lanczos_top_eigenvalue_and_density_moments(small_problem):
    op, exact = small_problem
    lam = np.linalg.eigvalsh(exact)
    sld = spectral_density(op, steps=min(60, op.n), probes=8, seed=1)
    assert sld.top_eigenvalue == pytest.approx(lam.max(), rel=0.01)
    # quadrature is exact for each probe: its k-th moment is v^T H^k v / v^T v for the same v
    g = torch.Generator().manual_seed(1)
    probes = [torch.randn(op.n, generator=g, dtype=torch.float64).numpy() for _ in range(8)]
    for k in (1, 2, 3):
        hk = np.linalg.matrix_power(exact, k)
        per_probe = np.array([v @ hk @ v / (v @ v) for v in probes])
        assert sld.moment(k) == pytest.approx(per_probe.mean(), rel=1e-6, abs=1e-9)
        # and consistent with the exact spectrum within the probes' sampling error
        se = per_probe.std(ddof=1) / np.sqrt(len(per_probe))
        assert abs(sld.moment(k) - (lam**k).mean()) < 4 * se + 1e-9
    grid = np.linspace(lam.min() - 1, lam.max() + 1, 2000)
    assert np.trapezoid(sld.density(grid, sigma=0.05), grid) == pytest.approx(1.0, abs=0.02)
    tol = 1e-3 * np.abs(lam).max()
    assert 0 <= sld.fraction_near_zero(tol) <= 1


@pytest.mark.slow
def test_flat_fraction_matches_the_exact_spectrum_of_a_trained_network():
    """An over-parameterised classifier trained to a minimum has a cluster of eigenvalues
    near zero; 60 Lanczos steps (a tenth of the dimension) must find its share."""
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(200, 10, generator=g, dtype=torch.float64), torch.randint(0, 5, (200,), generator=g)
    model = build_model("classifier", 10, [40], "tanh", dim_out=5, seeds=[0], dtype=torch.float64)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(300):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    params = list(model.parameters())
    op = HessianOperator(lambda: torch.nn.functional.cross_entropy(model(x), y), params)
    exact = torch.stack([op.matvec(e) for e in torch.eye(op.n, dtype=torch.float64)]).numpy()
    lam = np.linalg.eigvalsh((exact + exact.T) / 2)
    sld = spectral_density(op, steps=60, probes=8, seed=3)
    for rel in (1e-2, 3e-2):
        true = np.mean(np.abs(lam) < rel * lam.max())
        assert 0.1 < true < 0.9  # a real cluster, not a trivial 0 or 1
        assert sld.fraction_near_zero(rel * sld.top_eigenvalue) == pytest.approx(true, abs=0.05)
    xs = np.linspace(lam.min(), lam.max(), 7)
    np.testing.assert_allclose(sld.cumulative(xs), [np.mean(lam <= v) for v in xs], atol=0.08)


def test_participation_per_hidden_layer_and_for_separable_networks(tmp_path):
    from physnet.study import StudyConfig, run_study
    from physnet.study.analysis import analyze_study, hidden_layers

    x = torch.randn(50, 4, generator=torch.Generator().manual_seed(0))
    sep = build_model("hnn-separable", 4, [7], "tanh", seeds=[0, 1, 2])
    layers = hidden_layers(sep, x)
    assert list(layers) == ["V_L1", "T_L1"] and layers["V_L1"].shape == (3, 50, 7)
    with torch.no_grad():  # the potential sees q only
        _, h = sep.potential(x[:, :2].expand(3, 50, 2), return_hidden=True)
    torch.testing.assert_close(layers["V_L1"], h[0])

    config = StudyConfig(
        task="van-der-pol", model="nn", hidden=(8, 6), arms=("base", "tanh"), seeds=2, epochs=1, small=True
    )
    run_study(config, None, tmp_path)
    rows, _ = analyze_study(tmp_path, hessian=None)
    assert len(rows) == 4 and all(np.isfinite(r["r"]) and np.isfinite(r["r_L2"]) for r in rows)
    from physnet.study.model_store import load_arm
    from physnet.tasks.registry import get_task

    net, _ = load_arm(tmp_path / "models" / "tanh.pt")
    val = get_task("van-der-pol").load(small=True).x_val
    second = hidden_layers(net, val)["L2"]
    expected = participation_ratio(second).numpy()
    got = [r["participation_ratio_L2"] for r in rows if r["arm"] == "tanh"]
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    assert all(r["r_L2"] == pytest.approx(r["participation_ratio_L2"] / 6) for r in rows)
