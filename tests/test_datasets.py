"""Training pairs: exact derivatives, split by orbit, paper scale, noise, reproducibility."""

from __future__ import annotations

import pytest
import torch

from systems import DEFAULT_SPECS, DatasetSpec, HenonHeiles, VanDerPol, make_dataset


def test_split_is_by_orbit_and_targets_are_exact():
    vdp = VanDerPol()
    ds = make_dataset(vdp, DatasetSpec(n_orbits=10, t_end=5.0, dt=0.1), seed=0, dtype=torch.float64)
    assert set(ds.train.orbit.tolist()).isdisjoint(ds.val.orbit.tolist())
    assert len(set(ds.val.orbit.tolist())) == 2
    torch.testing.assert_close(ds.train.derivatives, vdp(0.0, ds.train.states))
    assert ds.train.states.shape == (8 * 51, 2) and ds.config["n_train"] == 8 * 51


def test_pairs_lie_on_true_orbits():
    """Consecutive pairs of one orbit are joined by the flow: a midpoint-rule step from
    the derivatives reproduces the next state to O(dt^3)."""
    ds = make_dataset(HenonHeiles(), DatasetSpec(n_orbits=4, t_end=2.0, dt=0.01), seed=1, dtype=torch.float64)
    s, d, o = ds.train.states, ds.train.derivatives, ds.train.orbit
    same = o[1:] == o[:-1]
    predicted = s[:-1] + 0.005 * (d[:-1] + d[1:])
    assert float((predicted - s[1:])[same].abs().max()) < 1e-6


@pytest.mark.parametrize("name", ["van-der-pol", "henon-heiles", "pendulum", "clock"])
def test_default_specs_reach_paper_scale(name):
    spec = DEFAULT_SPECS[name]
    n_pairs = spec.n_orbits * (int(round(spec.t_end / spec.dt)) + 1)
    assert 8_000 <= (1 - spec.val_fraction) * n_pairs <= 30_000


def test_noise_and_reproducibility():
    spec = DatasetSpec(n_orbits=6, t_end=2.0, dt=0.1, noise_std=0.01)
    a = make_dataset(VanDerPol(), spec, seed=4)
    b = make_dataset(VanDerPol(), spec, seed=4)
    torch.testing.assert_close(a.train.states, b.train.states, rtol=0, atol=0)
    clean = make_dataset(VanDerPol(), DatasetSpec(n_orbits=6, t_end=2.0, dt=0.1), seed=4)
    residual = a.train.states - clean.train.states
    assert float(residual.std()) == pytest.approx(0.01, rel=0.15)


def test_bad_specs_are_refused():
    with pytest.raises(ValueError, match="val_fraction"):
        make_dataset(VanDerPol(), DatasetSpec(n_orbits=4, val_fraction=1.0), seed=0)
    with pytest.raises(ValueError, match="2 orbits"):
        make_dataset(VanDerPol(), DatasetSpec(n_orbits=1), seed=0)
