"""The Markdown report of a reproduced task."""

from __future__ import annotations


def verdict(summary: dict) -> str:
    """One sentence: did the mix beat each pure arm on this run (by median)?"""
    arms, higher = summary["arms"], summary["higher_is_better"]
    if "mix" not in arms:
        return "No mix arm was run."
    parts = []
    for name, stats in arms.items():
        if name == "mix":
            continue
        better = arms["mix"]["median"] > stats["median"] if higher else arms["mix"]["median"] < stats["median"]
        p = summary["tests"].get(f"mix_vs_{name}", {}).get("p_value")
        parts.append(f"{'beat' if better else 'did not beat'} {name} (p = {p:.2g})" if p is not None else
                     f"{'beat' if better else 'did not beat'} {name}")
    return f"On this run the mix {', '.join(parts)}, comparing medians of {summary['metric']}."


def stats_table(summary: dict) -> str:
    lines = ["| arm | n | median | mean | q1 | q3 | min | max | mix vs arm: p | 95 % CI of median(mix) - median(arm) |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for name, s in summary["arms"].items():
        test = summary["tests"].get(f"mix_vs_{name}")
        p = f"{test['p_value']:.3g}" if test else ""
        ci = f"[{test['median_diff_ci'][0]:.3g}, {test['median_diff_ci'][1]:.3g}]" if test else ""
        lines.append(f"| {name} | {s['n']} | {s['median']:.4g} | {s['mean']:.4g} | {s['q1']:.4g} | {s['q3']:.4g} | "
                     f"{s['min']:.4g} | {s['max']:.4g} | {p} | {ci} |")
    return "\n".join(lines)


def task_report(title: str, summary: dict, meta: dict, figures: list[tuple[str, str]], seconds: float) -> str:
    """Markdown for one task/model: verdict, statistics table, meta-learning numbers, figures."""
    out = [f"# {title}", "", verdict(summary), "",
           f"Metric: `{summary['metric']}` on the whole validation split "
           f"({'higher' if summary['higher_is_better'] else 'lower'} is better). Wall time {seconds:.0f} s.", "",
           stats_table(summary), "",
           f"Meta-learning: validation loss {meta['val_loss_initial']:.4g} -> {meta['val_loss_final']:.4g} over "
           f"{meta['outer_steps']} outer steps ({meta['mode']}); frozen with {meta['interpolation']} interpolation.", ""]
    for caption, path in figures:
        out += [f"## {caption}", "", f"![{caption}]({path})", ""]
    return "\n".join(out)
