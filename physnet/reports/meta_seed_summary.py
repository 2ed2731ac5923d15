"""The summary over several meta-learning seeds of one task and model: pooled effects,
a figure of every arm per meta seed and a report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from physnet.io import write_figure, write_json
from physnet.plots.study import plot_size_sweep
from physnet.reports.task_report import effect_line
from physnet.study.effects import meta_seed_effects

Echo = Callable[[str], None]


def write_meta_seed_summary(
    out: Path,
    summaries: dict[int, dict],
    folders: dict[int, str],
    *,
    title: str,
    seconds: float,
    echo: Echo = lambda s: None,
    closing: list[str] | None = None,
    extra: dict | None = None,
) -> dict:
    """``out/summary.json``, ``out/meta_seeds.png`` and ``out/report.md`` over the studies of
    several meta seeds (``summaries[m]`` from the study in ``out/folders[m]``); ``closing``:
    lines ending the report, ``extra``: entries added to the summary."""
    first = summaries[min(summaries)]
    higher = first["higher_is_better"]
    values = {m: {arm: np.asarray(s["arms"][arm]["values"]) for arm in s["arms"]} for m, s in summaries.items()}
    effects = meta_seed_effects(values, higher)
    combined = {
        **first,
        "meta_seeds": len(summaries),
        "meta_seed_effects": effects,
        "per_meta_seed": {
            str(m): {
                "folder": folders[m],
                "arms": {a: {k: v for k, v in st.items() if k != "values"} for a, st in s["arms"].items()},
                "effects": s.get("effects"),
            }
            for m, s in summaries.items()
        },
        "wall_seconds": seconds,
        **(extra or {}),
    }
    write_json(out / "summary.json", combined)
    write_figure(
        out / "meta_seeds.png",
        plot_size_sweep(
            values, metric=first["metric"], xlabel="meta-learning seed", title=f"{title}: every arm per meta seed"
        ),
    )
    lines = [
        f"# {title}: {len(summaries)} meta-learning seeds",
        "",
        "Each meta seed has its own two learned types and comparison; type labels mean nothing across meta "
        "seeds, so the mix is judged against each meta seed's own better pure type.",
        "",
        "| meta seed | better pure type | learned vs base | mix vs better pure | report |",
        "|---|---|---|---|---|",
    ]
    for m, e in effects["per_meta_seed"].items():
        cells = []
        for key in ("learned_vs_base", "mix_vs_best_pure"):
            x = e.get(key)
            cells.append("" if x is None else f"{x['diff']:+.3g} [{x['lo']:+.3g}, {x['hi']:+.3g}]")
        lines.append(f"| {m} | {e['best_pure']} | {cells[0]} | {cells[1]} | [report]({folders[m]}/report.md) |")
    lines += [
        "",
        "Pooled over meta seeds (stratified bootstrap, 95 % intervals; positive favours the first-named):",
        "",
        effect_line("learned (each meta seed's better pure type) vs base", effects["pooled"].get("learned_vs_base")),
        effect_line("mix vs each meta seed's better pure type", effects["pooled"].get("mix_vs_best_pure")),
        "",
        f"Wall time {seconds:.0f} s.",
        "",
        "![every arm per meta seed](meta_seeds.png)",
        "",
        *(closing or []),
    ]
    (out / "report.md").write_text("\n".join(lines))
    echo(f"{title}: {len(summaries)} meta seeds done: {out}/report.md")
    return combined


__all__ = ["write_meta_seed_summary"]
