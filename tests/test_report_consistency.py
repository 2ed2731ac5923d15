"""Every section of a report that states a verdict agrees with its own tables, for planted
cases of each kind: a clear win, a difference whose whole interval lies within the noise band,
and a wide interval (no significant difference, never "within the noise")."""

from __future__ import annotations

import numpy as np
import pytest

from physnet.jobs.ablate import ablation_tables
from physnet.jobs.budgets import budget_section
from physnet.reports.forecast_report import forecast_clause, forecast_section
from physnet.reports.outputs import forecast_models_lines
from physnet.reports.task_report import effects_section, stats_table, verdict
from physnet.study.arm_skill import Skill
from physnet.study.effects import judged, study_effects
from physnet.study.integration_floor import IntegrationFloor
from physnet.study.statistics import summarize
from physnet.study.study_skill import skill_summary
from physnet.study.verdict import (
    BETTER,
    MIX_PHRASES,
    NOISE_FRACTION,
    NOT_SIGNIFICANT,
    WITHIN_INTEGRATION,
    WITHIN_NOISE,
    WORSE,
)

FLOOR = 0.4  # the targets' noise floor: the band is 5 % of it, 0.02


def planted(seed: int = 0) -> dict[str, np.ndarray]:
    """A mix with a clear win over ``base``, a difference within the noise of ``type1`` (both
    tight), a wide interval against ``type2``, and a clear loss to ``tanh`` (lower is better)."""
    rng = np.random.default_rng(seed)
    mix = 1.0 + 0.001 * rng.standard_normal(40)
    return {
        "mix": mix,
        "base": 2.0 + 0.001 * rng.standard_normal(40),
        "type1": 1.003 + 0.001 * rng.standard_normal(40),
        "type2": 1.15 + 0.8 * rng.standard_normal(40),
        "tanh": 0.5 + 0.001 * rng.standard_normal(40),
    }


EXPECTED = {"base": BETTER, "type1": WITHIN_NOISE, "type2": NOT_SIGNIFICANT, "tanh": WORSE}


def _summary(values: dict[str, np.ndarray]) -> dict:
    arms, tests = summarize(values, floor=FLOOR)
    scale = {
        "target_variance": 1.0,
        "noise_floor": {"mse": FLOOR, "method": "planted"},
        "noise_fraction": NOISE_FRACTION,
    }
    return {
        "arms": arms,
        "tests": tests,
        "higher_is_better": False,
        "metric": "val_mse",
        "scale": scale,
        "effects": study_effects(values, False, floor=FLOOR),
    }


def _table_words(table: str) -> dict[str, str]:
    rows = [line.split("|") for line in table.splitlines()[2:]]
    return {cells[1].strip(): cells[-5].strip() for cells in rows}


def test_the_headline_and_the_statistics_table_say_the_same():
    summary = _summary(planted())
    words, headline = _table_words(stats_table(summary)), verdict(summary)
    assert {arm: words[arm] for arm in EXPECTED} == EXPECTED
    for arm, word in EXPECTED.items():
        assert f"{MIX_PHRASES[word]} {arm} (" in headline


def test_a_wide_interval_is_no_significant_difference_even_with_a_small_median_difference():
    rng = np.random.default_rng(3)
    mix = 1.0 + 0.5 * rng.standard_normal(40)
    values = {"mix": mix, "base": rng.permutation(mix) + 0.001}  # medians within the band, interval far wider
    summary = _summary(values)
    assert _table_words(stats_table(summary))["base"] == NOT_SIGNIFICANT
    assert "within the noise" not in verdict(summary)


def test_the_effects_section_says_what_its_numbers_say():
    values = planted()
    # type1 is the better pure type; learned vs base a clear win, the mix within the noise of type1
    summary = _summary(values)
    lines = effects_section(summary)
    effects = summary["effects"]
    assert effects["best_pure"] == "type1"
    assert judged(effects["learned_vs_base"]) == BETTER and judged(effects["mix_vs_best_pure"]) == WITHIN_NOISE
    assert any(line.startswith("- learned (type1) vs base: better (") for line in lines)
    assert any(line.startswith("- mix vs the better pure type (type1): within the noise (") for line in lines)


class _Result:
    def __init__(self, values: dict[str, np.ndarray]) -> None:
        self.values = values
        self.higher_is_better = False
        self.arms, _ = summarize(values)
        self.scale = {"noise_floor": {"mse": FLOOR}}


class _Setting:
    def __init__(self, epochs: int) -> None:
        self.values = (("epochs", epochs),)


@pytest.mark.parametrize("quick", [False, True])
def test_the_closing_answer_at_two_budgets_says_what_its_table_says(quick):
    short = planted(0)  # learned (type1) beats base; the mix within the noise of type1
    rng = np.random.default_rng(2)
    full = {arm: v + (0.6 * rng.standard_normal(40) if arm != "base" else 0) for arm, v in planted(2).items()}
    full["base"] = full["type1"] + 0.6 * rng.standard_normal(40)  # wide: no significant difference
    settings = [_Setting(5), _Setting(20)]
    _, _, pooled = ablation_tables(settings, [], 1, {(0, 0): _Result(short), (1, 0): _Result(full)})
    per_seed = [study_effects(v, False, floor=FLOOR) for v in (short, full)]
    rows = [
        {"budget": name, "epochs": e, **p, "best_pure": pe["best_pure"]}
        for name, e, p, pe in zip(("short", "full"), (5, 20), pooled, per_seed, strict=True)
    ]
    lines = budget_section(rows, quick=quick)
    table = [
        line for line in lines if line.startswith("| short") or line.startswith("| full") or line.startswith("| quick")
    ]
    sentences = [line for line in lines if line.startswith("With ")]
    assert len(table) == 2 and len(sentences) == 2
    assert f"({BETTER})" in table[0].split("|")[4] and f"({WITHIN_NOISE})" in table[0].split("|")[5]
    assert (
        "the learned types beat sine" in sentences[0] and "was within the noise of the better pure type" in sentences[0]
    )
    assert f"({NOT_SIGNIFICANT})" in table[1].split("|")[4]
    assert "no significant difference" in sentences[1].split(";")[0]
    label = "quick" if quick else "full"
    assert sentences[1].startswith(f"With the {label} budget (20 epochs)") and table[1].startswith(f"| {label} ")
    assert all("Trained fully" not in line and "not significant" not in line for line in lines)


def _skill(scores: np.ndarray) -> Skill:
    t = np.arange(3.0)
    metrics = {"rollout_error": scores, "vpt": np.full(len(scores), 2.0)}
    return Skill(
        t, np.zeros((1, 3, 2)), np.zeros((len(scores), 1, 3, 2)), np.zeros((len(scores), 1, 3)), 1.0, metrics, "rk4"
    )


def test_the_forecast_clause_and_table_agree_and_know_the_integration_floor():
    rng = np.random.default_rng(4)
    mix = 0.1 + 0.001 * rng.standard_normal(30)
    skills = {
        "mix": _skill(mix),
        "base": _skill(0.5 + 0.001 * rng.standard_normal(30)),  # clear
        "type1": _skill(0.104 + 0.001 * rng.standard_normal(30)),  # inside the floor of 0.02
        "type2": _skill(0.1 + 0.3 * rng.standard_normal(30)),  # wide
    }
    floor = IntegrationFloor("rk4", 4, "truth", {"rollout_error": 0.02})
    forecast = skill_summary(skills, references={"truth": _skill(np.array([0.02]))}, floor=floor)
    expected = {"base": BETTER, "type1": WITHIN_INTEGRATION, "type2": NOT_SIGNIFICANT}
    clause = forecast_clause(forecast)
    for arm, word in expected.items():
        assert f"{MIX_PHRASES[word]} {arm} (" in clause
    table = "\n".join(forecast_section(forecast))
    for arm, word in expected.items():
        row = next(line for line in table.splitlines() if line.startswith(f"| {arm} |"))
        assert f"(mix: {word})" in row.split("|")[2]
    assert "| truth (exact field: the integration floor) | 0.02 |" in table


def test_the_models_summary_uses_the_forecast_tables_statistic_and_rule():
    def study(scores: np.ndarray, floor: float) -> dict:
        arms, _ = summarize({"mix": scores})
        return {
            "forecast": {
                "metrics": {"rollout_error": {"arms": arms}},
                "integration": {"floor": {"rollout_error": floor}},
            }
        }

    rng = np.random.default_rng(5)
    nn, hnn = 0.17 + 0.01 * rng.standard_normal(30), 0.117 + 0.01 * rng.standard_normal(30)
    lines = forecast_models_lines({"nn": study(nn, 0.016), "hnn": study(hnn, 0.016)})
    assert lines[0].startswith("The HNN mix has the lowest forecast error") and "better against the NN mix" in lines[0]
    close = forecast_models_lines({"nn": study(hnn + 0.002, 0.016), "hnn": study(hnn, 0.016)})
    assert f"{WITHIN_INTEGRATION} against the NN mix" in close[0]
