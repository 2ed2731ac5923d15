"""The map: effects with bootstrap intervals, per meta seed and pooled; the claims table;
``physnet ablate`` and ``compare`` over several meta seeds through the CLI."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from physnet.cli.main import main
from physnet.cli.vary import parse_vary
from physnet.jobs.factorial import LARGE_FACTORIAL, plan_settings
from physnet.meta import meta_config_for
from physnet.reports.claim_verdicts import REPRODUCED, hessian_claim, participation_claim, size_claim
from physnet.study.effects import best_pure, effect, judged, meta_seed_effects, pooled_effect, study_effects
from physnet.study.run import StudyConfig


def test_effect_is_a_signed_difference_of_medians_with_a_bootstrap_interval():
    rng = np.random.default_rng(0)
    good, bad = rng.normal(1.0, 0.1, 40), rng.normal(2.0, 0.1, 40)
    e = effect(good, bad, higher_is_better=False)  # MSE: lower is better, so 'good' is better
    assert e["diff"] == pytest.approx(np.median(bad) - np.median(good))
    assert 0 < e["lo"] < e["diff"] < e["hi"] and judged(e) == "better"
    assert e["rel"] == pytest.approx(e["diff"] / np.median(bad))
    flipped = effect(good, bad, higher_is_better=True)
    assert flipped["diff"] == pytest.approx(-e["diff"]) and judged(flipped) == "worse"
    same = effect(good, rng.permutation(good), higher_is_better=False)
    assert same["lo"] <= 0 <= same["hi"] and judged(same) == "no significant difference"


def test_pooled_effect_resamples_within_each_meta_seed():
    """The pooled point estimate is the median difference of the pooled values; its interval
    comes from resampling each stratum with its own size (checked against a hand loop)."""
    rng = np.random.default_rng(1)
    firsts = [rng.normal(1.0, 0.2, 12), rng.normal(1.5, 0.2, 8)]
    others = [rng.normal(1.3, 0.2, 12), rng.normal(1.6, 0.2, 8)]
    e = pooled_effect(firsts, others, higher_is_better=False, seed=3)
    assert e["diff"] == pytest.approx(np.median(np.concatenate(others)) - np.median(np.concatenate(firsts)))
    hand = np.random.default_rng(3)
    boot_a = np.concatenate([x[hand.integers(0, len(x), (10_000, len(x)))] for x in firsts], axis=1)
    boot_b = np.concatenate([x[hand.integers(0, len(x), (10_000, len(x)))] for x in others], axis=1)
    lo, hi = np.percentile(np.median(boot_b, 1) - np.median(boot_a, 1), [2.5, 97.5])
    assert (e["lo"], e["hi"]) == pytest.approx((lo, hi))


def test_mix_is_judged_per_meta_seed_against_its_own_better_pure_type():
    """Meta seed 0's better type is type1, meta seed 1's is type2: the pooled comparison pairs
    the mix with each meta seed's own better type, never with a label."""
    rng = np.random.default_rng(2)
    seed0 = {
        "base": rng.normal(5, 0.1, 20),
        "type1": rng.normal(1, 0.1, 20),
        "type2": rng.normal(3, 0.1, 20),
        "mix": rng.normal(0.5, 0.1, 20),
    }
    seed1 = {
        "base": rng.normal(5, 0.1, 20),
        "type1": rng.normal(3, 0.1, 20),
        "type2": rng.normal(1, 0.1, 20),
        "mix": rng.normal(0.5, 0.1, 20),
    }
    result = meta_seed_effects({0: seed0, 1: seed1}, higher_is_better=False)
    assert [e["best_pure"] for e in result["per_meta_seed"].values()] == ["type1", "type2"]
    pooled = result["pooled"]["mix_vs_best_pure"]
    expected = np.median(np.concatenate([seed0["type1"], seed1["type2"]])) - np.median(
        np.concatenate([seed0["mix"], seed1["mix"]])
    )
    assert pooled["diff"] == pytest.approx(expected) and judged(pooled) == "better"
    assert best_pure({"type1": np.array([0.9]), "type2": np.array([0.8])}, higher_is_better=True) == "type1"
    one = study_effects(seed0, higher_is_better=False)
    assert one["controls"] == {} and judged(one["learned_vs_base"]) == "better"


def test_claims_are_judged_from_the_numbers():
    rows = [
        {"arm": arm, "metric": acc, "r": r}
        for arm, base in (("mix", 0.7), ("relu", 0.5), ("sin", 0.6))
        for acc, r in zip(np.linspace(base - 0.05, base + 0.05, 10), np.linspace(base - 0.1, base, 10), strict=True)
    ]
    assert participation_claim(rows, "test").verdict == REPRODUCED
    flat = {
        "type1": {"hessian_trace": {"median": 9.0, "n": 3}, "flat_fraction": {"median": 0.1}},
        "type2": {"hessian_trace": {"median": 5.0, "n": 3}, "flat_fraction": {"median": 0.2}},
        "mix": {"hessian_trace": {"median": 2.0, "n": 3}, "flat_fraction": {"median": 0.3}},
    }
    assert hessian_claim(flat, "test").verdict == REPRODUCED
    flat["mix"]["hessian_trace"]["median"] = 20.0
    assert hessian_claim(flat, "test").verdict == "not reproduced"
    rng = np.random.default_rng(0)
    better = {
        "effects": {
            "best_pure": "type1",
            "mix_vs_best_pure": effect(rng.normal(0.9, 0.01, 20), rng.normal(0.8, 0.01, 20), True),
        },
        "arms": {"mix": {"median": 0.9}, "type1": {"median": 0.8}},
    }
    worse = {
        "effects": {
            "best_pure": "type1",
            "mix_vs_best_pure": effect(rng.normal(0.7, 0.01, 20), rng.normal(0.8, 0.01, 20), True),
        },
        "arms": {"mix": {"median": 0.7}, "type1": {"median": 0.8}},
    }
    assert size_claim({"25": better, "50": better}, "test").verdict == REPRODUCED
    assert size_claim({"25": better, "50": worse}, "test").verdict == "mixed"


def test_vary_parses_values_by_the_settings_type():
    assert parse_vary("epochs=5,10").values == (5, 10) and parse_vary("epochs=5").targets == ("compare",)
    assert parse_vary("hidden=50,64-64").values == ((50,), (64, 64))
    assert parse_vary("hidden=50").targets == ("meta", "compare")
    assert parse_vary("meta.hidden=50").targets == ("meta",)
    assert parse_vary("outer-lr=1e-3,0.01").values == (1e-3, 0.01)
    assert parse_vary("truncate=none,5").values == (None, 5)
    with pytest.raises(ValueError, match="not a number"):
        parse_vary("outer_lr=fast")
    with pytest.raises(ValueError, match="unknown setting 'epoch'"):
        parse_vary("epoch=5")


def test_factorials_over_the_limit_need_yes():
    meta = meta_config_for("clock", "hnn")
    compare = StudyConfig(task="clock", model="hnn")
    varies = [
        parse_vary("epochs=" + ",".join(str(i) for i in range(1, 31))),
        parse_vary("lr=" + ",".join(str(0.001 * i) for i in range(1, 21))),
    ]
    with pytest.raises(ValueError, match=f"600 settings \\(over {LARGE_FACTORIAL}\\); pass --yes"):
        plan_settings(varies, meta, compare)
    assert len(plan_settings(varies, meta, compare, yes=True)) == 600
    with pytest.raises(ValueError, match="setting optimizer=nadam"):
        plan_settings([parse_vary("optimizer=nadam")], meta, compare)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["ablate", "clock", "--vary", "epoch=5"], "unknown setting 'epoch'"),
        (["ablate", "clock", "--vary", "epochs=five"], "not an integer"),
        (["ablate", "clock", "--vary", "epochs=" + ",".join(map(str, range(1, 502)))], "pass --yes"),
        (["ablate", "clock", "--vary", "epochs=5", "--meta-seeds", "0"], "--meta-seeds: expected a positive integer"),
        (["reproduce", "clock", "--meta-seeds", "0"], "--meta-seeds: expected a positive integer"),
        (["reproduce", "clock", "--preset", "reference"], "has no preset 'reference'"),
        (["ablate", "van-der-pol", "--vary", "epochs=5", "--preset", "reference"], "has no preset 'reference'"),
        (["compare", "clock", "--meta-seeds", "2"], "needs --activations to be a folder"),
    ],
)
def test_bad_input_is_one_line_exit_2(tmp_path, capsys, argv, message):
    out = tmp_path / "never"
    assert main([*argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err, err
    assert not out.exists()  # refused before any folder or work


def _rows(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.slow
def test_tiny_ablate_through_the_cli_writes_its_tables_and_resumes(tmp_path, capsys):
    argv = [
        "ablate",
        "clock",
        "--preset",
        "paper",
        "--quick",
        "--vary",
        "epochs=1,2",
        "--vary",
        "outer_lr=0,1e-3",
        "--meta-seeds",
        "2",
        "--seeds",
        "3",
        "--no-progress",
        "--out",
        str(tmp_path),
    ]
    overrides = ["--vary", "meta.hidden=8"]
    assert main(argv + overrides) == 0
    rows, effects = _rows(tmp_path / "ablation.csv"), _rows(tmp_path / "effects.csv")
    assert list(rows[0]) == ["epochs", "outer_lr", "meta.hidden", "meta_seed", "arm", "n", "median", "q1", "q3"]
    assert len(rows) == 4 * 2 * 8 and {r["arm"] for r in rows} >= {"base", "mix", "untrained1", "fit2"}
    assert list(effects[0])[:11] == [
        "epochs",
        "outer_lr",
        "meta.hidden",
        "meta_seed",
        "best_pure",
        "learned_vs_base",
        "learned_vs_base_lo",
        "learned_vs_base_hi",
        "mix_vs_best_pure",
        "mix_vs_best_pure_lo",
        "mix_vs_best_pure_hi",
    ]
    assert len(effects) == 4 * 2
    for e in effects:
        assert float(e["learned_vs_base_lo"]) <= float(e["learned_vs_base"]) <= float(e["learned_vs_base_hi"])
    # meta-learning is shared by settings that differ only in comparison settings (epochs)
    assert sorted(p.name for p in (tmp_path / "meta").iterdir()) == [
        "outer_lr=0.001_meta.hidden=8",
        "outer_lr=0.0_meta.hidden=8",
    ]
    assert (tmp_path / "ablation.png").stat().st_size > 0 and "# Ablation: clock / hnn" in (
        tmp_path / "report.md"
    ).read_text()
    # outer_lr = 0 leaves the types as they started: type1 equals the untrained control seed for seed
    frozen_runs = _rows(tmp_path / "studies" / "epochs=1_outer_lr=0.0_meta.hidden=8" / "meta-seed-0" / "runs.csv")
    by = {(r["arm"], r["seed"]): r["metric"] for r in frozen_runs}
    assert all(by[("type1", s)] == by[("untrained1", s)] for s in ("0", "1", "2"))
    # a rerun resumes: same numbers, nothing retrained
    before = (tmp_path / "effects.csv").read_text()
    stamps = {p: p.stat().st_mtime_ns for p in tmp_path.glob("studies/*/*/runs.csv")}
    assert main(argv + overrides) == 0
    assert (tmp_path / "effects.csv").read_text() == before
    assert stamps == {p: p.stat().st_mtime_ns for p in tmp_path.glob("studies/*/*/runs.csv")}
    assert json.loads((tmp_path / "config.json").read_text())["vary"]["epochs"] == [1, 2]
