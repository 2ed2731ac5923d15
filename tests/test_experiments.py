"""Studies: statistics against SciPy, the protocol end to end per task, resume and extension,
stored models, bad input."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
import torch
from scipy.stats import mannwhitneyu

from physnet.activations import LearnedBank, freeze, save_activations
from physnet.cli.main import main
from physnet.jobs.reproduce import reproduce_model
from physnet.study import (
    StudyConfig,
    arm_summary,
    bootstrap_median_difference,
    load_arm,
    mann_whitney_p,
    run_study,
    summarize,
)
from physnet.study.model_forecast import forecast
from physnet.tasks.presets import RunRequest
from physnet.tasks.registry import get_task
from physnet.training import evaluate

TINY_META = {"outer_steps": 2, "inner_steps": 3, "hidden": (12,), "width": 6}
TINY_COMPARE = {"seeds": 3, "epochs": 2, "hidden": (12,)}


def test_mann_whitney_on_known_samples():
    a, b = [1, 2, 3, 4, 5], [6, 7, 8, 9, 10]
    assert mann_whitney_p(a, b) == pytest.approx(2 / 252)  # exact: only the extreme orderings
    rng = np.random.default_rng(0)
    x, y = rng.normal(0, 1, 40), rng.normal(0.5, 1, 35)
    assert mann_whitney_p(x, y) == pytest.approx(mannwhitneyu(x, y, alternative="two-sided").pvalue)


def test_arm_summary_and_bootstrap_interval():
    v = np.array([4.0, 1.0, 3.0, 2.0, 10.0])
    s = arm_summary(v)
    assert (s["median"], s["mean"], s["q1"], s["q3"], s["min"], s["max"]) == (3.0, 4.0, 2.0, 4.0, 1.0, 10.0)
    rng = np.random.default_rng(1)
    a, b = rng.normal(1.0, 0.3, 200), rng.normal(0.0, 0.3, 200)
    lo, hi = bootstrap_median_difference(a, b, seed=3)
    assert lo < 1.0 < hi and hi - lo < 0.3
    assert (lo, hi) == bootstrap_median_difference(a, b, seed=3)
    arms, tests = summarize({"mix": a, "base": b})
    assert set(tests) == {"mix_vs_base"} and tests["mix_vs_base"]["p_value"] < 1e-10


@pytest.fixture(scope="module")
def activations(tmp_path_factory):
    bank = LearnedBank(2, "sin", 6, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        bank.w_out.normal_(0, 0.3, generator=torch.Generator().manual_seed(1))
    path = tmp_path_factory.mktemp("acts") / "acts.npz"
    save_activations(path, freeze(bank, "cubic", metadata={"task": "test"}))
    return path


@pytest.mark.parametrize(
    "task, model", [("van-der-pol", "nn"), ("henon-heiles", "nn"), ("henon-heiles", "hnn"), ("clock", "hnn")]
)
def test_every_task_end_to_end_at_a_tiny_budget(tmp_path, task, model):
    summary = reproduce_model(
        task, model, tmp_path, RunRequest(quick=True, meta_overrides=TINY_META, compare_overrides=TINY_COMPARE)
    )
    with open(tmp_path / "runs.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert set(rows[0]) >= {"arm", "seed", "metric", "model", "hidden"}
    assert len(rows) == 4 * 3 and {r["arm"] for r in rows} == {"base", "type1", "type2", "mix"}
    saved = json.loads((tmp_path / "summary.json").read_text())
    assert saved["task"] == task and saved["metric"] == "val_mse" and saved["higher_is_better"] is False
    for arm in ("base", "type1", "type2", "mix"):
        assert (
            set(saved["arms"][arm]) >= {"median", "mean", "q1", "q3", "values"}
            and len(saved["arms"][arm]["values"]) == 3
        )
        assert (tmp_path / "models" / f"{arm}.pt").exists()
    for other in ("base", "type1", "type2"):
        test = saved["tests"][f"mix_vs_{other}"]
        assert 0 <= test["p_value"] <= 1 and test["median_diff_ci"][0] <= test["median_diff_ci"][1]
    assert saved["config"]["seeds"] == 3
    report = (tmp_path / "report.md").read_text()
    assert "On this run, one-step" in report and "| mix |" in report
    for name in (
        "boxplot.png",
        "activation_evolution.png",
        "forecast_rollouts.png",
        "forecast_error.png",
        "forecast_skill.csv",
        "meta/activations.npz",
    ):
        assert (tmp_path / name).exists(), name
    assert summary["wall_seconds"] > 0
    forecast = saved["forecast"]
    assert set(forecast["metrics"]) >= {"rollout_error", "vpt"} and "forecast (" in report
    assert all(len(a["values"]) == 3 for a in forecast["metrics"]["vpt"]["arms"].values())
    if task == "van-der-pol":  # a rerun that resumes the finished work keeps the whole wall time
        again = reproduce_model(
            task, model, tmp_path, RunRequest(quick=True, meta_overrides=TINY_META, compare_overrides=TINY_COMPARE)
        )
        assert again["wall_seconds"] == pytest.approx(summary["wall_seconds"] + again["wall_seconds_this_run"])
        assert "in the last run, which resumed" in (tmp_path / "report.md").read_text()


def test_stored_models_reload_with_their_trained_weights(tmp_path, activations):
    from physnet.activations import load_activations

    config = StudyConfig(task="van-der-pol", model="nn", seeds=3, epochs=2, hidden=(12,), small=True)
    result = run_study(config, load_activations(activations), tmp_path)
    data = get_task("van-der-pol").load(small=True)
    net, arch = load_arm(tmp_path / "models" / "mix.pt")
    assert arch["seeds"] == [0, 1, 2]
    loss, _ = evaluate(net, data.x_val, data.y_val, "mse")
    np.testing.assert_allclose(loss.numpy(), result.values["mix"], rtol=1e-5)
    first = forecast(net, data, method="rk4", steps=20, member=1)
    again = forecast(load_arm(tmp_path / "models" / "mix.pt")[0], data, method="rk4", steps=20, member=1)
    np.testing.assert_array_equal(first.model, again.model)


def test_interrupted_study_resumes_and_larger_seeds_extend(tmp_path, activations):
    from physnet.activations import load_activations

    frozen = load_activations(activations)
    config = StudyConfig(task="van-der-pol", model="nn", seeds=2, epochs=1, hidden=(8,), small=True)

    def interrupt(arm, seeds):
        if arm == "type2":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_study(config, frozen, tmp_path, on_arm=interrupt)
    with open(tmp_path / "runs.csv") as fh:
        kept = list(csv.DictReader(fh))
    assert {r["arm"] for r in kept} == {"base", "type1"}  # finished arms are kept
    trained = []
    run_study(config, frozen, tmp_path, on_arm=lambda arm, seeds: trained.append((arm, seeds)))
    assert trained == [("type2", [0, 1]), ("mix", [0, 1])]
    trained.clear()
    bigger = StudyConfig(task="van-der-pol", model="nn", seeds=3, epochs=1, hidden=(8,), small=True)
    result = run_study(bigger, frozen, tmp_path, on_arm=lambda arm, seeds: trained.append((arm, seeds)))
    assert trained == [(arm, [2]) for arm in ("base", "type1", "type2", "mix")]
    assert all(len(v) == 3 for v in result.values.values())
    assert load_arm(tmp_path / "models" / "base.pt")[1]["seeds"] == [0, 1, 2]
    # the first seeds' results are unchanged by the extension
    with open(tmp_path / "runs.csv") as fh:
        rows = {(r["arm"], r["seed"]): r["metric"] for r in csv.DictReader(fh)}
    assert all(rows[(r["arm"], r["seed"])] == r["metric"] for r in kept)


def test_cli_compare_and_forecast(tmp_path, activations, capsys):
    out = tmp_path / "study"
    assert (
        main(
            [
                "compare",
                "van-der-pol",
                "--activations",
                str(activations),
                "--seeds",
                "2",
                "--epochs",
                "1",
                "--hidden",
                "8",
                "--small",
                "--arms",
                "base,mix,relu",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    summary = json.loads((out / "summary.json").read_text())
    assert list(summary["arms"]) == ["base", "mix", "relu"]
    assert (out / "boxplot.png").exists()
    fdir = tmp_path / "fc"
    assert (
        main(
            [
                "forecast",
                str(out),
                "--arm",
                "mix",
                "--seed",
                "1",
                "--method",
                "rk4",
                "--steps",
                "30",
                "--out",
                str(fdir),
            ]
        )
        == 0
    )
    header = (fdir / "forecast.csv").read_text().splitlines()[0]
    assert header == "orbit,t,state,truth,median,lower_50,upper_50,lower_90,upper_90,members"
    assert (fdir / "orbits.png").exists() and (fdir / "phase.png").exists()
    assert json.loads((fdir / "config.json").read_text())["seeds"] == [1]  # --seed: one network
    assert main(["analyze", str(out), "--participation", "--hessian", "--hessian-seeds", "1"]) == 0
    rows = (out / "analysis.csv").read_text().splitlines()
    assert len(rows) == 1 + 3 * 2 and rows[1].startswith("base,0,")


@pytest.mark.parametrize(
    "argv, message",
    [
        (["compare", "lorenz"], "unknown task"),
        (["compare", "van-der-pol", "--arms", "base,swish"], "unknown arm"),
        (["compare", "van-der-pol", "--seeds", "0"], "--seeds: expected a positive integer"),
        (["compare", "van-der-pol", "--arms", "mix"], "need an activations file"),
        (["forecast", "/nonexistent-run", "--arm", "mix"], "not a study folder"),
    ],
)
def test_bad_input_one_line_exit_2(tmp_path, capsys, argv, message):
    code = None
    try:
        code = main([*argv, "--out", str(tmp_path / "o")])
    except SystemExit as exit_:  # argparse refuses unknown arms itself
        code = exit_.code
    assert code == 2
    assert message in capsys.readouterr().err


def test_activations_with_too_few_types_and_changed_settings(tmp_path, capsys):
    bank = LearnedBank(1, "sin", 4, generator=torch.Generator().manual_seed(0))
    one = save_activations(tmp_path / "one.npz", freeze(bank, "linear"))
    assert main(["compare", "van-der-pol", "--activations", str(one), "--out", str(tmp_path / "a")]) == 2
    assert "holds 1 type(s) but the arms need 2" in capsys.readouterr().err
    out = tmp_path / "b"
    base = ["compare", "van-der-pol", "--arms", "base", "--seeds", "1", "--epochs", "1", "--hidden", "8", "--small"]
    assert main([*base, "--out", str(out)]) == 0
    assert main([*base, "--lr", "0.5", "--out", str(out)]) == 2
    assert "other settings (lr)" in capsys.readouterr().err
    assert main([*base, "--lr", "0.5", "--out", str(out), "--force"]) == 0


def test_size_sweep_writes_a_folder_per_size(tmp_path):
    from physnet.jobs.sweep import sweep_sizes

    summaries = sweep_sizes(
        "van-der-pol",
        "nn",
        [6, 12],
        tmp_path,
        RunRequest(quick=True, meta_overrides=TINY_META, compare_overrides={"seeds": 2, "epochs": 1}),
    )
    assert list(summaries) == ["6", "12"]
    saved = json.loads((tmp_path / "summary.json").read_text())
    assert set(saved["sizes"]) == {"6", "12"} and saved["sizes"]["12"]["config"]["hidden"] == [12]
    assert (tmp_path / "sizes.png").exists() and (tmp_path / "size-6" / "runs.csv").exists()


def test_reproduce_all_times_each_task_and_links_the_reports(tmp_path, monkeypatch):
    import json

    from physnet.jobs.reproduce_all import reproduce_all
    from physnet.tasks.settings import SMOKE_ENV

    monkeypatch.setenv(SMOKE_ENV, "1")  # smoke budgets: what is checked here is the timing and the links
    timings = reproduce_all(tmp_path, RunRequest(quick=True, seeds=2), tasks=("van-der-pol",))
    saved = json.loads((tmp_path / "timings.json").read_text())
    assert (
        set(saved["tasks"]) == {"van-der-pol"}
        and saved["total_seconds"] >= saved["tasks"]["van-der-pol"]["seconds"] > 0
    )
    assert saved["peak_rss_mb"] > 0 and timings["quick"] is True
    assert (tmp_path / "van-der-pol" / "report.md").exists()
    assert "van-der-pol/report.md" in (tmp_path / "report.md").read_text()


def test_reproduce_all_refuses_task_options(tmp_path, capsys):
    from physnet.cli.main import main

    assert main(["reproduce", "all", "--preset", "reference", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "reproduce all takes neither" in err
