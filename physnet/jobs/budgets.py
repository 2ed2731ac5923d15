"""The answer at two budgets: does learned diversity help after a *short* training (a few
epochs, where the paper's effect lives) and after the *full* (tuned) one?

The two budgets are an ablation over one axis, ``epochs``: the studies come from
:func:`~physnet.jobs.ablation.plan_settings` and their effects from
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
from physnet.jobs.ablation import Setting, Vary, plan_settings
from physnet.meta import MetaConfig
from physnet.reports.outputs import write_study
from physnet.study.config import StudyConfig
from physnet.study.folder import check_study_folder
from physnet.study.run import StudyResult, run_study

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


def _effect_text(row: dict, key: str) -> str:
    if row[key] == "":
        return "not run"
    rel, lo, hi = (100 * row[key + s] for s in ("_rel", "_rel_lo", "_rel_hi"))
    if row[key + "_lo"] > 0:
        word = "better"
    elif row[key + "_hi"] < 0:
        word = "worse"
    else:
        word = "not significant"
    return f"{rel:+.0f} % [{lo:+.0f}, {hi:+.0f}] % ({word})"


def budget_sentence(row: dict) -> str:
    """One plain sentence for one budget."""
    when = f"With {row['epochs']} epochs" if row["budget"] == "short" else f"Trained fully ({row['epochs']} epochs)"
    learned = row["learned_vs_base"]
    if learned == "":
        return f"{when}: no learned-vs-base comparison was run."
    lo, hi, rel = row["learned_vs_base_lo"], row["learned_vs_base_hi"], 100 * row["learned_vs_base_rel"]
    span = f"{100 * row['learned_vs_base_rel_lo']:+.0f}, {100 * row['learned_vs_base_rel_hi']:+.0f}"
    if lo > 0:
        head = f"{when}, the learned types beat sine by {rel:.0f} % [{span}] %"
    elif hi < 0:
        head = f"{when}, the learned types did worse than sine by {-rel:.0f} % [{span}] %"
    else:
        head = f"{when}, learned vs sine {rel:+.0f} % [{span}] %: not significant"
    mix = row["mix_vs_best_pure"]
    if mix == "":
        return head + "."
    mlo, mhi = row["mix_vs_best_pure_lo"], row["mix_vs_best_pure_hi"]
    verb = "beat" if mlo > 0 else "did worse than" if mhi < 0 else "did not differ significantly from"
    rel = (100 * row["mix_vs_best_pure" + s] for s in ("_rel", "_rel_lo", "_rel_hi"))
    return head + "; the mix {} the better pure type ({:+.0f} % [{:+.0f}, {:+.0f}] %).".format(verb, *rel)


def budget_section(rows: list[dict], *, meta_seeds: int = 1) -> list[str]:
    """The report's closing section *Does learned diversity help here?* (empty without rows)."""
    if not rows:
        return []
    pooled = f", pooled over {meta_seeds} meta seeds" if meta_seeds > 1 else ""
    lines = [
        "",
        "## Does learned diversity help here?",
        "",
        "The two effects at a short and at the full training budget, sharing one meta-learning"
        f"{pooled}: differences of medians as a share of the second arm's median, signed so that positive "
        "favours the learned types (or the mix), with 95 % bootstrap intervals; significant where the interval "
        "excludes zero. The same numbers as `physnet ablate` with `--vary epochs=...`.",
        "",
        "| budget | epochs | better pure type | learned vs sine | mix vs better pure type |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['budget']} | {r['epochs']} | {r['best_pure'] or '-'} | {_effect_text(r, 'learned_vs_base')} | "
            f"{_effect_text(r, 'mix_vs_best_pure')} |"
        )
    lines.append("")
    lines += [budget_sentence(r) for r in rows]
    return lines + [""]


__all__ = [
    "check_short_folder",
    "run_short_budget",
    "BUDGETS",
    "SHORT_EPOCHS",
    "SHORT_FOLDER",
    "budget_effects",
    "budget_section",
    "budget_sentence",
    "budget_settings",
    "parse_budgets",
]
