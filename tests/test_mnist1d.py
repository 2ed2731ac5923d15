"""MNIST-1D: offline generation, the caller's RNG untouched, cache, and the task end to end."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from physnet.jobs.reproduce import reproduce_model
from physnet.tasks.mnist1d import generate_mnist1d, load_mnist1d
from physnet.tasks.presets import RunRequest


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


@pytest.mark.slow
def test_mnist1d_reproduce_tiny(tmp_path, cache):
    summary = reproduce_model(
        "mnist1d",
        "classifier",
        tmp_path,
        RunRequest(
            quick=True,
            meta_overrides={"outer_steps": 2, "inner_steps": 5, "hidden": (16,), "width": 6},
            compare_overrides={"seeds": 3, "epochs": 2, "hidden": (16,)},
        ),
    )
    saved = json.loads((tmp_path / "summary.json").read_text())
    assert saved["metric"] == "val_accuracy" and saved["higher_is_better"] is True
    assert all(0 <= v <= 1 for arm in saved["arms"].values() for v in arm["values"])
    assert summary["arms"]["mix"]["median"] > 0.1  # above chance after two epochs
    assert "On this run, one-step" in (tmp_path / "report.md").read_text()
    header = (tmp_path / "analysis.csv").read_text().splitlines()[0]
    assert header == "arm,seed,metric,participation_ratio,r,hessian_trace,hessian_top,flat_fraction"
    analysis = json.loads((tmp_path / "analysis.json").read_text())["arms"]
    assert set(analysis) == {"base", "type1", "type2", "mix", "relu", "tanh"}  # the arms
    for arm in analysis.values():
        assert 1 <= arm["participation_ratio"]["median"] <= 16 and arm["hessian_trace"]["n"] == 2
    assert (tmp_path / "participation.png").exists() and (tmp_path / "hessian_density.png").exists()


def test_reference_preset_sets_the_papers_code_settings(tmp_path, cache):
    from physnet.cli.main import main

    out = tmp_path / "meta"
    assert (
        main(
            [
                "meta",
                "mnist1d",
                "--preset",
                "reference",
                "--quick",
                "--outer-steps",
                "1",
                "--inner-steps",
                "2",
                "--no-progress",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    config = json.loads((out / "config.json").read_text())["config"]
    assert config["hidden"] == [200] and config["mode"] == "unrolled" and config["unrolled_steps"] == 2
    assert config["inner_optimizer"] == "rmsprop" and config["outer_optimizer"] == "sgd"
    assert config["outer_grad_clip"] == 0.1 and config["grid"] == [-5.0, 5.0, 100] and config["compile"] is True
    study = tmp_path / "study"
    assert (
        main(
            [
                "compare",
                "mnist1d",
                "--preset",
                "reference",
                "--activations",
                str(out / "activations.npz"),
                "--small",
                "--epochs",
                "1",
                "--seeds",
                "2",
                "--arms",
                "base,mix",
                "--out",
                str(study),
            ]
        )
        == 0
    )
    saved = json.loads((study / "config.json").read_text())["config"]
    assert (saved["hidden"], saved["optimizer"], saved["lr"], saved["momentum"], saved["batch_size"]) == (
        [200],
        "sgd",
        0.01,
        0.8,
        200,
    )
    assert saved["seeds"] == 2 and saved["epochs"] == 1  # explicit options override the preset


def test_unknown_preset_is_one_line(tmp_path, capsys):
    from physnet.cli.main import main

    assert main(["compare", "van-der-pol", "--preset", "reference", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "has no preset 'reference'" in err and "its presets: paper" in err
