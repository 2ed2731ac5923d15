"""An ablation's files: ``ablation.csv`` (every arm per setting and meta seed), ``effects.csv``
(the two effects per setting and meta seed), ``ablation.png`` (the effects against the
settings) and ``report.md`` (pooled over meta seeds); from :func:`physnet.jobs.ablate.run_ablation`'s
tables."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from physnet.io import write_atomically, write_figure
from physnet.plots.ablation import plot_ablation
from physnet.study.verdict import BETTER

ABLATION_HEADER = ["meta_seed", "arm", "n", "median", "q1", "q3"]
EFFECTS_HEADER = [
    "meta_seed",
    "best_pure",
    "learned_vs_base",
    "learned_vs_base_lo",
    "learned_vs_base_hi",
    "mix_vs_best_pure",
    "mix_vs_best_pure_lo",
    "mix_vs_best_pure_hi",
    "learned_vs_base_rel",
    "mix_vs_best_pure_rel",
    "mix_vs_best_pure_rel_lo",
    "mix_vs_best_pure_rel_hi",
    "learned_vs_base_verdict",
    "mix_vs_best_pure_verdict",
    "learned_vs_base_rel_lo",
    "learned_vs_base_rel_hi",
]


@dataclass(frozen=True)
class AblationTables:
    """What an ablation found: its varied settings (``Vary``), the cells (``Setting``), the rows
    of ``ablation.csv`` and ``effects.csv``, the effects pooled over ``meta_seeds`` meta seeds."""

    varies: list[Any]
    settings: list[Any]
    rows: list[dict]
    effects: list[dict]
    pooled: list[dict]
    meta_seeds: int


def write_ablation(out: Path, title: str, tables: AblationTables, seconds: float) -> None:
    """Write the ablation's four files into ``out`` (``title``: task / model and budget)."""
    names = [v.name for v in tables.varies]
    _write_csv(out / "ablation.csv", names + ABLATION_HEADER, tables.rows)
    _write_csv(out / "effects.csv", names + EFFECTS_HEADER, tables.effects)
    write_figure(out / "ablation.png", plot_ablation(tables.effects, tables.pooled, names, title=title))
    (out / "report.md").write_text(ablation_report(title, tables, seconds))


def ablation_report(title: str, tables: AblationTables, seconds: float) -> str:
    """``report.md`` of an ablation: the pooled effects per setting and how many settings each
    claim held in."""
    varies, settings, pooled, meta_seeds = tables.varies, tables.settings, tables.pooled, tables.meta_seeds
    names = [v.name for v in varies]
    lines = [
        f"# Ablation: {title}",
        "",
        f"{len(settings)} settings ({' x '.join(f'{v.name}: {len(v.values)}' for v in varies)}) x "
        f"{meta_seeds} meta seed(s); {settings[0].compare.seeds} seeds per arm. Effects are differences of "
        "medians signed so that positive favours the first-named arm, with 95 % bootstrap intervals; "
        "relative: divided by the second arm's median.",
        "",
        "![effects against the settings](ablation.png)",
        "",
        "| " + " | ".join(names) + " | learned vs base (relative) | mix vs better pure (relative) |",
        "|" + "---|" * (len(names) + 2),
    ]
    for p in pooled:
        cells = [str(p[n]) for n in names]
        for key in ("learned_vs_base", "mix_vs_best_pure"):
            cells.append(
                ""
                if p[key] == ""
                else f"{p[key + '_rel']:+.1%} [{p[key + '_rel_lo']:+.1%}, {p[key + '_rel_hi']:+.1%}] "
                f"({p[key + '_verdict']})"
            )
        lines.append("| " + " | ".join(cells) + " |")
    helped = [p for p in pooled if p["learned_vs_base_verdict"] == BETTER]
    mix = [p for p in pooled if p["mix_vs_best_pure_verdict"] == BETTER]
    lines += [
        "",
        f"Learned types beat the base in {len(helped)} of {len(pooled)} settings; the mix beat the better "
        f"pure type in {len(mix)} of {len(pooled)} (pooled over meta seeds, by the one rule: the interval above "
        "zero and not within the noise).",
        "",
        f"Wall time {seconds:.0f} s. Per setting and meta seed: `effects.csv`; per arm: `ablation.csv`.",
        "",
    ]
    return "\n".join(lines)


def _write_csv(path: Path, header: list[str], rows: list[dict]) -> None:
    def write(p: Path) -> None:
        with open(p, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=header, extrasaction="ignore")
            writer.writeheader()
            for row in rows:
                writer.writerow({k: (f"{v:.9g}" if isinstance(v, float) else v) for k, v in row.items()})

    write_atomically(path, write)


__all__ = ["ABLATION_HEADER", "EFFECTS_HEADER", "AblationTables", "ablation_report", "write_ablation"]
