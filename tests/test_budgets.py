"""The answer at two budgets: reproduce's section equals the equivalent ablate run, its words
follow its numbers, and the budgets option is checked."""

from __future__ import annotations

import json

import pytest

from physnet.cli.vary import parse_vary
from physnet.jobs.ablate import run_ablation
from physnet.jobs.budgets import SHORT_FOLDER, budget_sentence, parse_budgets
from physnet.jobs.reproduce import reproduce_model
from physnet.tasks.presets import RunRequest

TINY_META = {"outer_steps": 2, "inner_steps": 3, "hidden": (12,), "width": 6}
KEYS = [
    f"{effect}{suffix}"
    for effect in ("learned_vs_base", "mix_vs_best_pure")
    for suffix in ("", "_lo", "_hi", "_rel", "_rel_lo", "_rel_hi")
]


def test_reproduce_at_two_budgets_equals_the_ablation_over_epochs(tmp_path):
    summary = reproduce_model(
        "van-der-pol",
        "nn",
        tmp_path / "reproduce",
        RunRequest(
            quick=True,
            meta_overrides=TINY_META,
            compare_overrides={"seeds": 3, "epochs": 7, "hidden": (12,), "tune_seeds": 2},
        ),
    )
    budgets = summary["budgets"]
    assert [b["budget"] for b in budgets] == ["short", "full"] and [b["epochs"] for b in budgets] == [5, 7]
    assert (tmp_path / "reproduce" / SHORT_FOLDER / "runs.csv").exists()
    report = (tmp_path / "reproduce" / "report.md").read_text()
    assert report.rstrip().endswith(budget_sentence(budgets[-1], quick=True))
    assert "With the quick budget (7 epochs)" in report and "Trained fully" not in report
    assert "## Does learned diversity help here?" in report
    varies = [
        parse_vary("epochs=5,7"),
        parse_vary("meta.outer_steps=2"),
        parse_vary("meta.inner_steps=3"),
        parse_vary("hidden=12"),
        parse_vary("width=6"),
        parse_vary("tune_seeds=2"),
    ]
    ablation = run_ablation("van-der-pol", "nn", varies, tmp_path / "ablate", RunRequest(seeds=3, quick=True))
    assert len(ablation["effects"]) == 2
    for ours, theirs in zip(budgets, ablation["effects"], strict=True):
        assert ours["epochs"] == theirs["epochs"] and ours["best_pure"] == theirs["best_pure"]
        for key in KEYS:
            assert ours[key] == pytest.approx(theirs[key], rel=1e-12, abs=0), key
    stored = json.loads((tmp_path / "reproduce" / "summary.json").read_text())["budgets"]
    assert stored == budgets


def test_sentences_follow_the_intervals():
    row = {"budget": "short", "epochs": 5, "best_pure": "type2"}
    for key, (rel, lo, hi) in {"learned_vs_base": (0.62, 0.48, 0.71), "mix_vs_best_pure": (-0.02, -0.1, 0.05)}.items():
        row.update({key: rel, f"{key}_lo": lo, f"{key}_hi": hi, f"{key}_rel": rel})
        row.update({f"{key}_rel_lo": lo, f"{key}_rel_hi": hi})
    assert budget_sentence(row) == (
        "With the short budget (5 epochs), the learned types beat sine by 62 % [+48, +71] %; the mix showed no "
        "significant difference from the better pure type (-2 % [-10, +5] %)."
    )
    full = {**row, "budget": "full", "epochs": 40, "learned_vs_base_lo": -0.02, "learned_vs_base_rel_lo": -0.02}
    full.update(learned_vs_base_rel=0.03, learned_vs_base=0.03)
    assert budget_sentence(full).startswith(
        "With the full budget (40 epochs), learned vs sine +3 % [-2, +71] %: no significant difference"
    )
    assert budget_sentence(full, quick=True).startswith("With the quick budget (40 epochs)")
    within = {**full, "learned_vs_base_verdict": "within the noise"}
    assert "learned vs sine +3 % [-2, +71] %: within the noise of the data" in budget_sentence(within)
    worse = {**row, "learned_vs_base_lo": -0.5, "learned_vs_base_hi": -0.1, "learned_vs_base_rel": -0.3}
    assert "did worse than sine by 30 %" in budget_sentence(worse)


@pytest.mark.parametrize("text", ["short", "medium,full", ""])
def test_bad_budgets_are_refused(text):
    with pytest.raises(ValueError, match="--budgets takes short,full or full"):
        parse_budgets(text)


def test_budgets_default_to_both():
    assert parse_budgets(None) == ("short", "full") and parse_budgets("full,short") == ("short", "full")


def test_one_budget_when_asked_and_under_a_preset(tmp_path):
    compare = {"seeds": 2, "epochs": 6, "hidden": (12,), "tune": None, "arms": ("base", "type1")}
    summary = reproduce_model(
        "van-der-pol", "nn", tmp_path / "full",
        RunRequest(quick=True, meta_overrides=TINY_META, compare_overrides=compare, budgets=("full",)),
    )  # fmt: skip
    assert "budgets" not in summary or not summary["budgets"]
    assert not (tmp_path / "full" / SHORT_FOLDER).exists()
    assert "Does learned diversity help here?" not in (tmp_path / "full" / "report.md").read_text()
