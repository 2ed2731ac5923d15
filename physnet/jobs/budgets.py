"""The answer at two budgets: does learned diversity help after a *short* training (a few
epochs, where the paper's effect lives) and after the *full* (tuned) one?

The two budgets are an ablation over one axis, ``epochs``: the studies come from
:func:`~physnet.jobs.factorial.plan_settings` and their effects from
:func:`~physnet.jobs.ablate.ablation_tables`, so ``reproduce``'s section and
``physnet ablate TASK --vary epochs=5,FULL`` give the same numbers. Both budgets share one
meta-learning per meta seed.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from physnet.activations import FrozenBank
from physnet.data import TaskData
from physnet.errors import UserError
from physnet.jobs.ablate import ablation_tables
from physnet.jobs.factorial import Setting, Vary, plan_settings
from physnet.meta import MetaConfig
from physnet.reports.outputs import write_study
from physnet.study.config import StudyConfig
from physnet.study.folder import check_study_folder
from physnet.study.run import StudyResult, run_study
from physnet.study.verdict import BETTER, NOT_SIGNIFICANT, WITHIN_NOISE, WORSE, decide
from physnet.tasks.presets import RunRequest

#: Epochs of the short budget.
SHORT_EPOCHS = 5
#: The budgets ``reproduce --budgets`` takes.
BUDGETS = ("short", "full")
#: Where a reproduction keeps its short-budget study (its full one is the folder itself).
SHORT_FOLDER = "short-budget"


def parse_budgets(text: str | tuple[str, ...] | None) -> tuple[str, ...]:
    """``short,full`` (the default) or ``full``.

    Raises:
        ValueError: an unknown budget, or none.
    """
    if text is None:
        return BUDGETS
    names = tuple(dict.fromkeys(b.strip() for b in (text.split(",") if isinstance(text, str) else text) if b.strip()))
    unknown = [b for b in names if b not in BUDGETS]
    if unknown or "full" not in names:
        raise UserError(f"--budgets takes short,full or full, got {','.join(names) or '(nothing)'}")
    return tuple(b for b in BUDGETS if b in names)


def requested_budgets(request: RunRequest) -> tuple[str, ...]:
    """The budgets a run trains at: ``request.budgets`` parsed, else short and full without a
    preset and full alone under one (a preset's training is the point)."""
    if request.preset is not None and request.budgets is None:
        return ("full",)
    return parse_budgets(request.budgets)


def budget_settings(meta: MetaConfig, study: StudyConfig, budgets: tuple[str, ...]) -> tuple[Vary, list[Setting]]:
    """The ablation axis and its settings: the short budget (when asked for and shorter than
    the full one) and the full one, in that order."""
    epochs = [study.epochs]
    if "short" in budgets and study.epochs > SHORT_EPOCHS:
        epochs.insert(0, SHORT_EPOCHS)
    vary = Vary("epochs", ("compare",), tuple(epochs))
    return vary, plan_settings([vary], meta, study)


def check_short_folder(out: Path, settings: list[Setting], force: bool) -> None:
    """Refuse, before meta-learning, a short-budget folder holding another study (as ``run_study`` would)."""
    if len(settings) == 2:
        record = {"study": settings[0].compare.relevant()}
        check_study_folder(out / SHORT_FOLDER, record, force, ignore=("activations",))


def run_short_budget(
    plan: tuple[Vary, list[Setting], dict[tuple[int, int], StudyResult]],
    meta_seed: int,
    frozen: FrozenBank | None,
    out: Path,
    data: TaskData,
    extra: dict,
    **options: Any,
) -> list[dict]:
    """The short budget's study into ``out/SHORT_FOLDER`` (its ``summary.json`` and box plot
    written; its result added to ``plan``'s results, where the full one already is) and this
    meta seed's effects at both budgets (:func:`budget_effects`); nothing without a short
    budget. ``options`` go to ``run_study``."""
    vary, settings, results = plan
    if len(settings) < 2:
        return []
    short = replace(settings[0].compare, baselines=())  # the reference arms do not depend on the budget
    results[(0, meta_seed)] = run_study(short, frozen, out / SHORT_FOLDER, data=data, **options)
    write_study(out / SHORT_FOLDER, short, results[(0, meta_seed)], extra)
    return budget_effects(settings, vary, {(i, 0): results[(i, meta_seed)] for i in range(len(settings))}, 1)


def budget_effects(
    settings: list[Setting], vary: Vary, results: dict[tuple[int, int], StudyResult], meta_seeds: int
) -> list[dict]:
    """Per budget (short first): the two effects pooled over meta seeds, as ``ablate`` gives them
    (``epochs``, ``best_pure``, ``learned_vs_base``, ``mix_vs_best_pure`` and their ``_lo``,
    ``_hi``, ``_rel``, ``_rel_lo``, ``_rel_hi``), plus the budget's name."""
    _, per_seed, pooled = ablation_tables(settings, [vary], meta_seeds, results)
    if meta_seeds == 1:  # one meta seed: its own effects (with its better pure type)
        pooled = [{**p, "best_pure": e["best_pure"]} for p, e in zip(pooled, per_seed, strict=True)]
    names = ["short", "full"] if len(settings) == 2 else ["full"]
    return [{"budget": name, **p} for name, p in zip(names, pooled, strict=True)]


def _verdict(row: dict, key: str) -> str:
    """The effect's verdict by the one rule (:mod:`physnet.study.verdict`: the interval, and
    "within the noise" where the whole interval lies in the noise band)."""
    word = row.get(key + "_verdict")
    return word if word else decide(row[key], row[key + "_lo"], row[key + "_hi"])


def _effect_text(row: dict, key: str) -> str:
    if row[key] == "":
        return "not run"
    rel, lo, hi = (100 * row[key + s] for s in ("_rel", "_rel_lo", "_rel_hi"))
    return f"{rel:+.0f} % [{lo:+.0f}, {hi:+.0f}] % ({_verdict(row, key)})"


def budget_name(row: dict, quick: bool = False) -> str:
    """``the short budget (5 epochs)``, ``the full budget (20 epochs)``, or for a ``--quick``
    run ``the quick budget (8 epochs)``: never "trained fully" for a first look."""
    name = "short" if row["budget"] == "short" else "quick" if quick else "full"
    return f"the {name} budget ({row['epochs']} epochs)"


#: How a sentence says the learned types' verdict against sine.
LEARNED_WORDS = {
    BETTER: "the learned types beat sine by {rel:.0f} % [{span}] %",
    WORSE: "the learned types did worse than sine by {neg:.0f} % [{span}] %",
    NOT_SIGNIFICANT: "learned vs sine {rel:+.0f} % [{span}] %: no significant difference",
    WITHIN_NOISE: "learned vs sine {rel:+.0f} % [{span}] %: within the noise of the data",
}
#: How it says the mix's verdict against the better pure type.
MIX_WORDS = {
    BETTER: "beat",
    WORSE: "did worse than",
    NOT_SIGNIFICANT: "showed no significant difference from",
    WITHIN_NOISE: "was within the noise of",
}


def budget_sentence(row: dict, quick: bool = False) -> str:
    """One plain sentence for one budget, by the one verdict rule."""
    when = f"With {budget_name(row, quick)}"
    learned = row["learned_vs_base"]
    if learned == "":
        return f"{when}: no learned-vs-base comparison was run."
    rel = 100 * row["learned_vs_base_rel"]
    span = f"{100 * row['learned_vs_base_rel_lo']:+.0f}, {100 * row['learned_vs_base_rel_hi']:+.0f}"
    head = f"{when}, " + LEARNED_WORDS[_verdict(row, "learned_vs_base")].format(rel=rel, neg=-rel, span=span)
    mix = row["mix_vs_best_pure"]
    if mix == "":
        return head + "."
    verb = MIX_WORDS[_verdict(row, "mix_vs_best_pure")]
    rel3 = (100 * row["mix_vs_best_pure" + s] for s in ("_rel", "_rel_lo", "_rel_hi"))
    return head + "; the mix {} the better pure type ({:+.0f} % [{:+.0f}, {:+.0f}] %).".format(verb, *rel3)


def budget_section(rows: list[dict], *, meta_seeds: int = 1, quick: bool = False) -> list[str]:
    """The report's closing section *Does learned diversity help here?* (empty without rows)."""
    if not rows:
        return []
    pooled = f", pooled over {meta_seeds} meta seeds" if meta_seeds > 1 else ""
    lines = [
        "",
        "## Does learned diversity help here?",
        "",
        "The two effects at a short and at the " + ("quick" if quick else "full") + " training budget, sharing one "
        f"meta-learning{pooled}: differences of medians as a share of the second arm's median, signed so that "
        "positive favours the learned types (or the mix), with 95 % bootstrap intervals; by the one rule of the "
        "report (significant where the interval excludes zero; within the noise where the whole interval lies in "
        "the data's noise band). The same numbers as `physnet ablate` with `--vary epochs=...`.",
        "",
        "| budget | epochs | better pure type | learned vs sine | mix vs better pure type |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        name = "quick" if quick and r["budget"] == "full" else r["budget"]
        lines.append(
            f"| {name} | {r['epochs']} | {r['best_pure'] or '-'} | {_effect_text(r, 'learned_vs_base')} | "
            f"{_effect_text(r, 'mix_vs_best_pure')} |"
        )
    lines.append("")
    lines += [budget_sentence(r, quick) for r in rows]
    return lines + [""]


__all__ = [
    "check_short_folder",
    "requested_budgets",
    "run_short_budget",
    "BUDGETS",
    "SHORT_EPOCHS",
    "SHORT_FOLDER",
    "budget_effects",
    "budget_name",
    "budget_section",
    "budget_sentence",
    "budget_settings",
    "parse_budgets",
]
