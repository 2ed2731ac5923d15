"""Failed trainings: the rule, the reasons, their place in runs.csv, summary.json, the box plot
and the report (its warning before the verdict)."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
import torch

from physnet.activations import FrozenBank
from physnet.reports.outputs import write_study
from physnet.reports.task_report import task_report
from physnet.study import StudyConfig, run_study
from physnet.study.failures import (
    MIN_R2,
    arm_failures,
    classify_failures,
    failure_lines,
    failure_rule,
    mark_stuck,
    needs_warning,
    target_variance,
)


def test_target_variance_is_the_mse_of_predicting_each_column_mean():
    y = torch.tensor([[0.0, 10.0], [2.0, 10.0], [4.0, 16.0]], dtype=torch.float64)
    mean_predictor = (y - y.mean(0)).pow(2).mean()
    assert target_variance(y) == pytest.approx(float(mean_predictor))
    rule = failure_rule(y, "mse")
    assert rule.max_train_loss == pytest.approx((1 - MIN_R2) * float(mean_predictor))


def test_the_classification_rule_is_chance_plus_five_points():
    labels = torch.tensor([0] * 6 + [1] * 2 + [2] * 2)
    rule = failure_rule(labels, "cross_entropy")
    assert rule.chance == pytest.approx(0.6) and rule.min_accuracy == pytest.approx(0.65)
    history = np.ones((4, 3))
    assert classify_failures(history, np.array([0.9, 0.64, 0.66]), rule) == ["", "stalled", ""]


def test_reasons_diverged_stalled_still_learning():
    rule = failure_rule(torch.tensor([[0.0], [2.0]], dtype=torch.float64), "mse")  # variance 1: fails above 0.5
    history = np.array(
        [
            [1.0, 1.0, 1.0, 1.0],
            [0.9, 1.0, 0.9, 0.5],
            [0.8, 1.0, 0.7, np.nan],
            [0.1, 0.99, 0.6, np.nan],
        ]
    )
    assert classify_failures(history, np.zeros(4), rule) == ["", "stalled", "still-learning", "diverged"]


def test_warning_when_any_arm_fails_often_or_arms_differ():
    same = {"base": {"n": 50, "failed": 2}, "mix": {"n": 50, "failed": 2}}
    assert not needs_warning(same)  # 4 % each, equal
    assert needs_warning({"base": {"n": 50, "failed": 1}, "mix": {"n": 50, "failed": 0}})
    assert needs_warning({"base": {"n": 10, "failed": 2}, "mix": {"n": 10, "failed": 2}})  # 20 % > 10 %
    assert failure_lines({"base": {"n": 50, "failed": 0}, "mix": {"n": 50, "failed": 0}}, None) == []


def test_arm_failures_counts_rows_below_the_seed_count_and_old_rows_as_not_failed():
    rows = [
        {"arm": "base", "seed": "0", "failure": "stalled"},
        {"arm": "base", "seed": "1"},  # a study written before failures were recorded
        {"arm": "base", "seed": "7", "failure": "diverged"},  # beyond --seeds 2
    ]
    counts = arm_failures(rows, ("base",), 2)["base"]
    assert counts["n"] == 2 and counts["failed"] == 1 and counts["stalled"] == 1 and counts["diverged"] == 0


def test_a_planted_diverging_arm_is_counted_and_the_warning_comes_first(tmp_path):
    """Types that amplify by 10^4 overflow at a rate where sine trains: every seed of that arm
    diverges, the other arm trains; the study finishes and says so before its verdict."""
    grid = torch.linspace(-10, 10, 101, dtype=torch.float64)
    frozen = FrozenBank(grid, torch.stack([1e4 * grid, 1e4 * grid]), "linear")
    config = StudyConfig(
        task="van-der-pol",
        model="nn",
        arms=("base", "mix"),
        seeds=3,
        epochs=2,
        small=True,
        hidden=(16,),
        optimizer="sgd",
        lr=1e-2,
    )
    result = run_study(config, frozen, tmp_path)
    with open(tmp_path / "runs.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    mix = [r for r in rows if r["arm"] == "mix"]
    assert [r["failed"] for r in mix] == ["1", "1", "1"] and {r["failure"] for r in mix} == {"diverged"}
    assert all(r["metric"] == "inf" for r in mix)
    assert result.failures["mix"]["failed"] == 3 and result.failures["mix"]["diverged"] == 3
    assert result.failed_seeds["mix"].all()
    summary = write_study(tmp_path, config, result)
    assert json.loads((tmp_path / "summary.json").read_text())["failures"]["mix"]["diverged"] == 3
    assert (tmp_path / "boxplot.png").stat().st_size > 0
    meta = {"val_loss_initial": 1.0, "val_loss_final": 0.5, "outer_steps": 1, "mode": "first-order"}
    report = task_report("t", summary, {**meta, "interpolation": "linear"}, [], 1.0)
    warning, verdict = report.find("**Warning: training failed"), report.find("On this run, one-step")
    assert 0 < warning < verdict
    assert "mix 3 of 3 (3 diverged)" in report and "learning rate" in report


def _rows(arm: str, losses: list[str]) -> list[dict]:
    return [{"arm": arm, "seed": str(i), "train_loss": v, "failure": ""} for i, v in enumerate(losses)]


def test_seeds_far_above_their_arms_lower_quartile_are_stuck():
    rule = failure_rule(torch.tensor([[0.0], [2.0]], dtype=torch.float64), "mse")  # variance 1
    rows = _rows("base", ["0.004", "0.005", "0.28", "0.03", "0.29"]) + _rows("mix", ["0.28", "0.3", "0.001", "nan"])
    rows[-1]["failure"] = "diverged"
    marked = mark_stuck(rows, rule)  # base's q1 is 0.005: 0.28 and 0.29 are stuck, 0.03 (6x) is not
    # mix's own q1 (0.14) would pass its 0.28 and 0.3; the study's (0.0047) does not
    assert [r["failure"] for r in marked] == ["", "", "stuck", "", "stuck", "stuck", "stuck", "", "diverged"]
    assert rows[2]["failure"] == ""  # the input is left alone
    # one lucky seed does not fail the others: the lower quartile here is 0.21
    assert mark_stuck(_rows("short", ["0.28", "0.3", "0.29", "0.001"]), rule) == _rows(
        "short", ["0.28", "0.3", "0.29", "0.001"]
    )
    # an arm whose seeds mostly stuck (Duffing's HNN at lr 1e-2) is judged against the study's quartile
    mostly = _rows("base", ["0.2876", "0.2877", "0.2875", "0.004"]) + _rows("type1", ["0.004", "0.0039", "0.0041"])
    assert [r["failure"] for r in mark_stuck(mostly, rule)] == ["stuck", "stuck", "stuck", "", "", "", ""]
    assert mark_stuck(rows, failure_rule(torch.tensor([0, 1]), "cross_entropy")) is rows  # classification: no
