"""MNIST-1D: offline generation, the caller's RNG untouched, cache, and the task end to end."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from physnet.experiments.reproduce import reproduce_model
from physnet.mnist1d_data import generate_mnist1d, load_mnist1d


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    path = tmp_path_factory.mktemp("cache")
    mp = pytest.MonkeyPatch()
    mp.setenv("PHYSNET_CACHE", str(path))
    yield path
    mp.undo()


def test_generation_keeps_global_rng_and_default_split():
    random.seed(3)
    np.random.seed(3)
    expected = (random.random(), np.random.rand())
    random.seed(3)
    np.random.seed(3)
    data = generate_mnist1d()
    assert (random.random(), np.random.rand()) == expected
    assert data["x"].shape == (4000, 40) and data["x_test"].shape == (1000, 40)
    assert sorted(np.unique(data["y"])) == list(range(10))


def test_cache_is_used_and_a_corrupt_one_regenerated(cache):
    first = load_mnist1d(cache)
    path = cache / "mnist1d-default.npz"
    assert path.exists()
    np.testing.assert_array_equal(load_mnist1d(cache)["x"], first["x"])
    path.write_bytes(b"corrupt")
    np.testing.assert_array_equal(load_mnist1d(cache)["x_test"], first["x_test"])


def test_mnist1d_reproduce_tiny(tmp_path, cache):
    summary = reproduce_model("mnist1d", "classifier", tmp_path, quick=True,
                              meta_overrides={"outer_steps": 2, "inner_steps": 5, "hidden": (16,), "width": 6},
                              compare_overrides={"seeds": 3, "epochs": 2, "hidden": (16,)})
    saved = json.loads((tmp_path / "summary.json").read_text())
    assert saved["metric"] == "val_accuracy" and saved["higher_is_better"] is True
    assert all(0 <= v <= 1 for arm in saved["arms"].values() for v in arm["values"])
    assert summary["arms"]["mix"]["median"] > 0.1  # above chance after two epochs
    assert "On this run the mix" in (tmp_path / "report.md").read_text()
    header = (tmp_path / "analysis.csv").read_text().splitlines()[0]
    assert header == "arm,seed,metric,participation_ratio,r,hessian_trace,hessian_top,flat_fraction"
    analysis = json.loads((tmp_path / "analysis.json").read_text())["arms"]
    assert set(analysis) == {"base", "type1", "type2", "mix"}
    for arm in analysis.values():
        assert 1 <= arm["participation_ratio"]["median"] <= 16 and arm["hessian_trace"]["n"] == 2
    assert (tmp_path / "participation.png").exists() and (tmp_path / "hessian_density.png").exists()
