"""The Markdown report of a reproduced task."""

from __future__ import annotations

from physnet.experiments.effects import judged
from physnet.experiments.failures import failure_lines


def _outcome(summary: dict, name: str) -> str:
    """How the mix fared against ``name``: beat / did worse than / no significant difference
    from, by the bootstrap interval of the difference of medians."""
    test = summary["tests"].get(f"mix_vs_{name}")
    if test is None:
        return f"{'beat' if _mix_median_better(summary, name) else 'did not beat'} {name}"
    lo, hi = test["median_diff_ci"]
    if not summary["higher_is_better"]:
        lo, hi = -hi, -lo
    word = "beat" if lo > 0 else "did worse than" if hi < 0 else "showed no significant difference from"
    return f"{word} {name} (p = {test['p_value']:.2g})"


def _mix_median_better(summary: dict, name: str) -> bool:
    arms = summary["arms"]
    if summary["higher_is_better"]:
        return arms["mix"]["median"] > arms[name]["median"]
    return arms["mix"]["median"] < arms[name]["median"]


def verdict(summary: dict) -> str:
    """One sentence: did the mix beat each other arm on this run? "beat" only where the 95 %
    bootstrap interval of the difference of medians excludes zero."""
    if "mix" not in summary["arms"]:
        return "No mix arm was run."
    parts = [_outcome(summary, name) for name in summary["arms"] if name != "mix"]
    return (
        f"On this run the mix {', '.join(parts)}, comparing medians of {summary['metric']} (95 % bootstrap intervals)."
    )


def stats_table(summary: dict) -> str:
    failures = summary.get("failures") or {}
    rates = (summary.get("tuning") or {}).get("chosen") or {}
    extra = (" failed |" if failures else "") + (" lr (tuned) |" if rates else "")
    lines = [
        f"| arm | n |{extra} median | mean | q1 | q3 | min | max | mix vs arm: p | "
        "95 % CI of median(mix) - median(arm) |",
        "|---|---|" + "---|" * (bool(failures) + bool(rates)) + "---|---|---|---|---|---|---|---|",
    ]
    for name, s in summary["arms"].items():
        test = summary["tests"].get(f"mix_vs_{name}")
        p = f"{test['p_value']:.3g}" if test else ""
        ci = f"[{test['median_diff_ci'][0]:.3g}, {test['median_diff_ci'][1]:.3g}]" if test else ""
        cells = ""
        if failures:
            cells += f" {failures.get(name, {}).get('failed', 0)} |"
        if rates:
            cells += f" {rates[name]:.3g} |" if name in rates else " |"
        lines.append(
            f"| {name} | {s['n']} |{cells} {s['median']:.4g} | {s['mean']:.4g} | {s['q1']:.4g} | {s['q3']:.4g} | "
            f"{s['min']:.4g} | {s['max']:.4g} | {p} | {ci} |"
        )
    return "\n".join(lines)


def tuning_lines(summary: dict) -> list[str]:
    """How each arm's learning rate was chosen, in words (empty without tuning)."""
    tuning = summary.get("tuning")
    if not tuning:
        return []
    chosen = ", ".join(f"{arm} {lr:.3g}" for arm, lr in tuning["chosen"].items())
    grid = ", ".join(f"{g:.3g}" for g in tuning["grid"])
    return [
        f"Learning rate tuned per arm, the same way for every arm: {tuning['seeds']} seeds at each of {grid}, "
        f"trained on the training split less a held-back slice ({tuning['held_back']}) and validated on that "
        f"slice; each arm's study runs at the rate with the best median: {chosen} (`tuning.csv`, `tuning.png`).",
        "",
    ]


def effect_line(label: str, e: dict | None) -> str:
    """``label: better by D (95 % CI [lo, hi], relative R, p = P)`` for one effect."""
    if e is None:
        return f"- {label}: not run."
    return (
        f"- {label}: {judged(e)} (difference of medians {e['diff']:+.3g}, 95 % CI [{e['lo']:+.3g}, "
        f"{e['hi']:+.3g}]; relative {e['rel']:+.1%}, p = {e['p_value']:.2g})."
    )


def effects_section(summary: dict) -> list[str]:
    """The effects of a study, in words: positive differences favour the first-named arm."""
    effects = summary.get("effects") or {}
    if not effects or not effects.get("best_pure"):
        return []
    pure = effects["best_pure"]
    lines = [
        "## Effects",
        "",
        f"Differences of medians signed so that positive favours the first-named arm; the "
        f"better pure learned type on this run is {pure}.",
        "",
        effect_line(f"learned ({pure}) vs base", effects.get("learned_vs_base")),
        effect_line(f"mix vs the better pure type ({pure})", effects.get("mix_vs_best_pure")),
    ]
    for name, e in effects.get("controls", {}).items():
        lines.append(effect_line(name.replace("_vs_", " vs "), e))
    for j, fit in enumerate(summary.get("sine_fits") or [], start=1):
        lines.append(
            f"- type {j}'s best fit in the sine family: sin({fit['a']:.3g} x) {fit['b']:+.3g} x "
            f"{fit['c']:+.3g} (rms residual on the grid {fit['rms']:.3g})."
        )
    return lines + [""]


def authors_section(summary: dict, authors: dict | None) -> list[str]:
    """Our medians beside the authors' logged ones (``{"values": {arm: median}, "note": ...}``)."""
    if not authors:
        return []
    lines = ["## Beside the authors' numbers", "", "| arm | ours (median) | authors (logged) |", "|---|---|---|"]
    for arm, theirs in authors["values"].items():
        ours = summary["arms"].get(arm, {}).get("median")
        lines.append(f"| {arm} | {'' if ours is None else f'{ours:.3g}'} | {theirs:.3g} |")
    return lines + ["", authors.get("note", ""), ""]


def _gap_sentence(gap: dict | None) -> str:
    if not gap:
        return ""
    text = f" Frozen vs learned types: largest difference {max(gap['grid']):.3g} on the grid"
    if gap.get("preactivations"):
        text += (
            f", {max(gap['preactivations']):.3g} on the pre-activations the final network saw "
            f"({100 * max(gap['outside_grid']):.2g} % of them outside the grid)"
        )
    return text + "."


def task_report(
    title: str, summary: dict, meta: dict, figures: list[tuple[str, str]], seconds: float, authors: dict | None = None
) -> str:
    """Markdown for one task/model: verdict, statistics table, effects, meta-learning numbers, figures."""
    flag = ""
    if meta["val_loss_final"] > meta["val_loss_initial"]:
        flag = " **The validation loss ended higher than it started.**"
    out = [
        f"# {title}",
        "",
        *failure_lines(summary.get("failures") or {}, summary.get("failure_rule")),
        verdict(summary),
        "",
        f"Metric: `{summary['metric']}` on the whole validation split "
        f"({'higher' if summary['higher_is_better'] else 'lower'} is better). Wall time {seconds:.0f} s.",
        "",
        stats_table(summary),
        "",
        *tuning_lines(summary),
        *effects_section(summary),
        *authors_section(summary, authors),
        f"Meta-learning: validation loss {meta['val_loss_initial']:.4g} -> {meta['val_loss_final']:.4g} over "
        f"{meta['outer_steps']} outer steps ({meta['mode']}); frozen with {meta['interpolation']} interpolation."
        + flag
        + _gap_sentence(meta.get("frozen_vs_learned")),
        "",
    ]
    for caption, path in figures:
        out += [f"## {caption}", ""] + ([f"![{caption}]({path})", ""] if path else [])
    return "\n".join(out)
