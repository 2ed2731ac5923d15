"""The reference arms in a study: sparse regression and the exact field beside the networks,
the report's first question, and every refusal of their options (one line, before any work)."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

from physnet.cli.main import main
from physnet.reports.reference_report import conclusion, worth_it_section
from physnet.study import StudyConfig, compare
from physnet.study.effects import effect
from physnet.study.verdict import BETTER, NOT_SIGNIFICANT, WORSE


def _one_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["compare", "van-der-pol", "--baselines", "sindy,ols"], "unknown reference arm 'ols'"),
        (["compare", "van-der-pol", "--substeps", "0"], "--substeps: expected a positive integer"),
        (["compare", "van-der-pol", "--substeps", "-3"], "--substeps: expected a positive integer"),
        (["forecast", "somewhere", "--arm", "mix", "--substeps", "0"], "--substeps: expected a positive integer"),
        (
            ["compare", "mnist1d", "--baselines", "sindy", "--quick", "--arms", "base"],
            "a classification task has no vector field",
        ),
        (
            ["compare", "van-der-pol", "--small", "--quick", "--arms", "base", "--sindy-degree", "200"],
            "its library has 20301 terms but the training split has only",
        ),
    ],
)
def test_reference_options_refused_in_one_line_before_any_work(tmp_path, capsys, argv, message):
    out = tmp_path / "study"
    began = time.perf_counter()
    assert main([*argv, "--out", str(out)]) == 2
    assert message in _one_line(capsys)
    assert time.perf_counter() - began < 30 and not out.exists()


def test_a_study_runs_sparse_regression_and_the_truth_beside_its_arms(tmp_path, capsys):
    out = tmp_path / "study"
    argv = ["compare", "van-der-pol", "--small", "--quick", "--seeds", "3", "--arms", "base,tanh", "--tune", "none"]
    assert main([*argv, "--epochs", "3", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "sindy: median val_mse" in printed and "is a neural network worth it here?" in printed
    summary = json.loads((out / "summary.json").read_text())
    sindy = summary["references"]["sindy"]
    assert sindy["n"] == 3 and sindy["failed"] == 0 and sindy["terms"] == 4  # van der Pol's four terms
    assert sindy["median"] < 1e-10 < summary["arms"]["base"]["median"]
    assert summary["worth_it"]["effect"]["hi"] < 0  # sparse regression better, by its interval
    forecast = summary["forecast"]
    assert set(forecast["references"]) == {"sindy", "truth"}
    floor = forecast["integration"]
    assert floor["reference"] == "truth" and floor["reached"]
    truth = forecast["references"]["truth"]["metrics"]["rollout_error"]["median"]
    assert truth == pytest.approx(floor["floor"]["rollout_error"])
    rows = (out / "forecast_skill.csv").read_text().splitlines()
    assert sum(r.startswith("sindy,") for r in rows) == 3 and sum(r.startswith("truth,") for r in rows) == 1
    record = json.loads((out / "sindy.json").read_text())
    assert np.asarray(record["coefficients"]).shape == (3, 10, 2)


def test_no_reference_arms_when_asked_and_the_api_takes_them():
    config = StudyConfig.for_task("van-der-pol", small=True, seeds=2, epochs=2, arms=("base",), baselines=())
    assert compare(config).sindy is None
    result = compare(StudyConfig.for_task("van-der-pol", small=True, seeds=2, epochs=2, arms=("base",), tune=None))
    assert result.sindy is not None and result.baselines == ("sindy", "truth")
    assert result.worth_it()["arm"] == "base"


def _summary(one_step: dict, forecast: dict | None) -> dict:
    sindy = {
        "library": {"text": "polynomial of degree 3", "terms": 10, "state_names": ["x", "v"]},
        "threshold": 0.01,
        "chosen_on": "the tuning slice",
        "terms": 4,
        "equations": ["dx/dt = 1 v"],
        "n": 20,
        "failed": 0,
        "median": 1e-3,
    }
    out = {"references": {"sindy": sindy}, "worth_it": one_step, "metric": "val_mse"}
    if forecast is not None:
        out["forecast"] = {
            "worth_it": forecast,
            "references": {"sindy": {"metrics": {"rollout_error": {"median": 0.5}, "vpt": {"median": 1.9}}}},
            "metrics": {"vpt": {"arms": {"mix": {"median": 12.5}}}},
            "horizon": 13.4,
        }
    return out


def _versus(shift: float) -> dict:
    rng = np.random.default_rng(0)
    sindy = 1.0 + 0.01 * rng.standard_normal(30)
    return {"arm": "mix", "effect": effect(sindy - shift, sindy, False)}  # positive shift: the network lower, better


@pytest.mark.parametrize(
    "one_step, forecast, expected",
    [
        (-0.5, -0.5, "the networks' question below is academic"),
        (-0.5, 0.5, "its forecasts go wrong sooner: the networks forecast better"),
        (0.5, 0.5, "a neural network is worth it on these data"),
        (0.5, -0.5, "The networks fit one step ahead better, but sparse regression forecasts better"),
        (0.0, 0.0, "Neither is clearly better"),
    ],
)
def test_the_first_answer_follows_the_two_verdicts(one_step, forecast, expected):
    section = "\n".join(worth_it_section(_summary(_versus(one_step), _versus(forecast))))
    assert expected in section
    assert "Valid prediction time (median): sparse regression 1.9, mix 12.5 of 13.4." in section
    words = {-0.5: "sparse regression is better", 0.5: "the network is better", 0.0: NOT_SIGNIFICANT}
    assert section.count(words[one_step]) + section.count(words[forecast]) >= 1 + (one_step == forecast)


def test_the_conclusion_without_a_forecast_does_not_claim_one():
    text = conclusion(WORSE, None, 4)
    assert "forecasts" not in text and "4 terms" in text
    assert "worth it" in conclusion(BETTER, None, 4)
