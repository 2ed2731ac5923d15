"""Tuning every arm the same way: a learning rate per ensemble member, the held-back slice,
the chosen rate, resuming, and bad input."""

from __future__ import annotations

import csv
import json
from dataclasses import replace

import numpy as np
import pytest
import torch

import physnet
from physnet.cli.main import main
from physnet.networks import build_model
from physnet.study import StudyConfig, run_study
from physnet.study.rate_choice import shared_rates
from physnet.study.tuning import DEFAULT_GRIDS, choose_rate, tuning_from_rows, tuning_split
from physnet.tasks.from_series import series_data
from physnet.tasks.registry import get_task
from physnet.tasks.series_file import SeriesTable
from physnet.training import TrainConfig, train
from problems import HarmonicOscillator


@pytest.fixture(scope="module")
def vdp64():
    return get_task("van-der-pol").load(seed=0, small=True).to("cpu", torch.float64)


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "rmsprop"])
def test_a_rate_per_member_equals_separate_runs_at_each_rate(vdp64, optimizer):
    rates = [3e-4, 3e-3, 3e-2]
    config = TrainConfig(
        epochs=2, batch_size=64, optimizer=optimizer, momentum=0.0 if optimizer == "adam" else 0.6, weight_decay=1e-3
    )
    together = build_model("hnn", 2, [16], "tanh", seeds=[4, 5, 6], dtype=torch.float64)
    joint = train(together, vdp64, config, member_lr=rates)
    for i, lr in enumerate(rates):
        alone = build_model("hnn", 2, [16], "tanh", seeds=[4 + i], dtype=torch.float64)
        single = train(alone, vdp64, TrainConfig(**{**config.to_dict(), "lr": lr}))
        torch.testing.assert_close(joint.val_metric[i : i + 1], single.val_metric, rtol=1e-10, atol=0)
        torch.testing.assert_close(joint.train_loss[:, i : i + 1], single.train_loss, rtol=1e-10, atol=0)
        for name, p in alone.state_dict().items():
            if ".layers." not in name:  # the activation's buffers are shared, not per member
                continue
            torch.testing.assert_close(together.state_dict()[name][i : i + 1], p, rtol=1e-9, atol=1e-12)


def test_member_rates_are_checked(vdp64):
    model = build_model("nn", 2, [8], "tanh", seeds=[0, 1], dtype=torch.float64)
    with pytest.raises(ValueError, match="one rate per member"):
        train(model, vdp64, TrainConfig(epochs=1), member_lr=[1e-3])
    with pytest.raises(ValueError, match="finite and positive"):
        train(model, vdp64, TrainConfig(epochs=1), member_lr=[1e-3, float("nan")])


def test_a_diverging_member_is_flagged_and_the_others_train_as_alone(vdp64):
    config = TrainConfig(epochs=3, batch_size=64, optimizer="sgd")
    together = build_model("nn", 2, [16], "identity", seeds=[0, 1], dtype=torch.float64)
    joint = train(together, vdp64, config, member_lr=[1e-3, 1e6], nonfinite="flag")
    assert joint.diverged.tolist() == [False, True]
    assert joint.val_metric[1] == float("inf")
    assert not np.isfinite(joint.train_loss[-1, 1].item())
    alone = build_model("nn", 2, [16], "identity", seeds=[0], dtype=torch.float64)
    single = train(alone, vdp64, TrainConfig(epochs=3, batch_size=64, lr=1e-3, optimizer="sgd"))
    torch.testing.assert_close(joint.val_metric[:1], single.val_metric, rtol=1e-10, atol=0)


def _rows_of(x: torch.Tensor) -> set[tuple[float, ...]]:
    return {tuple(r) for r in x.double().tolist()}


def test_the_tuning_slice_is_whole_orbits_of_the_training_split_never_validation():
    task = physnet.system_task(HarmonicOscillator(), name="tuning-harmonic", orbits=20, t_end=3.0)
    data = task.load(seed=0)
    part, how = tuning_split(data, 0.2)
    assert "by orbit" in how and "of 16 training orbits" in how
    held_orbits = set(part.val_orbit.tolist())
    assert len(held_orbits) == 3  # round(0.2 * 16)
    assert held_orbits.isdisjoint(set(part.train_orbit.tolist()))
    assert held_orbits <= set(data.train_orbit.tolist())
    assert held_orbits.isdisjoint(set(data.val_orbit.tolist()))
    assert _rows_of(part.x_val).isdisjoint(_rows_of(data.x_val))
    assert len(part.x_train) + len(part.x_val) == len(data.x_train)


def _table(n: int, groups: int | None) -> SeriesTable:
    t = np.arange(n) * 0.1
    states = np.stack([np.sin(t + 0.01 * np.arange(n)), np.cos(t)], axis=1)
    index = np.zeros(n, dtype=np.int64) if groups is None else np.repeat(np.arange(groups), n // groups)
    labels = ("all",) if groups is None else tuple(f"g{i}" for i in range(groups))
    return SeriesTable(t, states, None, index, ("x", "v"), labels, "mem.csv", grouped=groups is not None)


def test_the_tuning_slice_of_a_grouped_series_is_whole_groups():
    table = _table(200, 10)
    data = series_data(table, table.states.copy())
    part, how = tuning_split(data, 0.2)
    assert "by group" in how
    assert set(part.val_orbit.tolist()) == {6, 7}  # the last 2 of the 8 training groups
    assert set(part.val_orbit.tolist()).isdisjoint(set(data.val_orbit.tolist()))


def test_the_tuning_slice_of_one_series_is_the_end_of_the_training_rows_in_time():
    table = _table(200, None)
    data = series_data(table, table.states.copy())
    part, how = tuning_split(data, 0.2)
    assert "in time" in how
    n = len(data.x_train)
    torch.testing.assert_close(part.x_val, data.x_train[n - len(part.x_val) :])
    torch.testing.assert_close(part.x_train, data.x_train[: n - len(part.x_val)])
    assert _rows_of(part.x_val).isdisjoint(_rows_of(data.x_val))


def test_the_tuning_slice_of_independent_samples_is_a_fixed_share():
    data = get_task("mnist1d").load(small=True)
    part, how = tuning_split(data, 0.2)
    assert "at random" in how and len(part.x_val) == 200
    again, _ = tuning_split(data, 0.2)
    torch.testing.assert_close(part.x_val, again.x_val)


def test_too_small_a_training_split_is_refused_with_the_counts():
    task = physnet.system_task(HarmonicOscillator(), name="tuning-tiny", orbits=2, t_end=3.0)
    with pytest.raises(ValueError, match="at least 2 training orbits.*has 1"):
        tuning_split(task.load(seed=0), 0.2)
    with pytest.raises(ValueError, match="10 rows on each side.*has 32 rows"):
        table = _table(40, None)
        tuning_split(series_data(table, table.states.copy()), 0.2)


def test_choose_rate_takes_the_best_median_and_counts_nan_as_worst():
    rates = (1e-3, 1e-2, 1e-1)
    values = np.array([[3.0, 3.0, 3.0], [1.0, 2.0, 9.0], [0.5, np.nan, np.nan]])
    assert choose_rate(rates, values, False)[0] == 1e-2
    accuracy = np.array([[0.3, 0.3, 0.3], [0.1, 0.2, 0.9], [0.95, np.nan, np.nan]])
    assert choose_rate(rates, accuracy, True)[0] == 1e-3


def test_a_tuned_study_runs_each_arm_at_the_rate_its_recorded_curves_give_and_resumes(tmp_path, monkeypatch):
    config = StudyConfig(
        task="van-der-pol",
        model="nn",
        arms=("base", "tanh"),
        seeds=3,
        epochs=2,
        small=True,
        hidden=(16,),
        tune="lr",
        tune_seeds=2,
    )
    result = run_study(config, None, tmp_path)
    with open(tmp_path / "tuning.csv", newline="") as fh:
        tuning = list(csv.DictReader(fh))
    with open(tmp_path / "runs.csv", newline="") as fh:
        runs = list(csv.DictReader(fh))
    grid = DEFAULT_GRIDS["adam"]
    recorded_rates = {float(r["lr"]) for r in tuning}
    assert set(grid) <= recorded_rates  # the grid, and past its end where an arm's best sat there
    assert recorded_rates - set(grid) == set(result.tuning["extended"])
    curves = {arm: tuning_from_rows(arm, tuning, False) for arm in ("base", "tanh")}
    expected = shared_rates(curves, False)
    for arm in ("base", "tanh"):
        chosen = expected[arm].chosen
        assert result.tuning["chosen"][arm] == chosen and chosen in expected[arm].ties
        assert {float(r["lr"]) for r in runs if r["arm"] == arm} == {chosen}
    recorded = json.loads((tmp_path / "config.json").read_text())
    assert recorded["tuned_lr"] == result.tuning["chosen"]

    def no_tuning(*args, **kwargs):
        raise AssertionError("a finished arm's tuning was run again")

    monkeypatch.setattr("physnet.study.tuning.tune_arm", no_tuning)
    again = run_study(replace(config, seeds=4), None, tmp_path)  # extends the study, reusing the tuning
    assert again.tuning["chosen"] == result.tuning["chosen"]
    np.testing.assert_array_equal(again.values["base"][:3], result.values["base"])


def test_tuning_in_memory_equals_tuning_in_a_folder(tmp_path):
    config = StudyConfig(
        task="van-der-pol", model="nn", arms=("base",), seeds=2, epochs=1, small=True, tune="lr", tune_seeds=2
    )
    in_memory = physnet.compare(config)
    folder = physnet.compare(config, out=tmp_path)
    assert in_memory.tuning == folder.tuning
    np.testing.assert_array_equal(in_memory.values["base"], folder.values["base"])


@pytest.mark.parametrize(
    "options, message",
    [
        (["--tune", "momentum"], "invalid choice"),
        (["--tune-seeds", "0"], "positive integer"),
        (["--tune-grid", "1e-3,-1"], "finite numbers > 0"),
        (["--tune-grid", "1e-3,inf"], "finite numbers"),
        (["--tune", "lr", "--lr", "1e-3"], "--lr fixes the learning rate and --tune lr chooses it"),
    ],
)
def test_bad_tuning_options_are_one_line(tmp_path, capsys, options, message):
    code = main(["compare", "van-der-pol", "--quick", "--arms", "base", "--out", str(tmp_path / "x"), *options])
    err = capsys.readouterr().err
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x").exists()


def test_a_system_too_small_to_tune_is_refused_before_any_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tinysys.py").write_text(
        "from problems import HarmonicOscillator\nclass Tiny(HarmonicOscillator):\n    name = 'tiny'\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    code = main(["compare", "tinysys:Tiny", "--orbits", "2", "--arms", "base", "--quick", "--out", "out"])
    err = capsys.readouterr().err
    assert code == 2 and "training split has 1" in err and "--tune none" in err
    assert not (tmp_path / "out").exists()
