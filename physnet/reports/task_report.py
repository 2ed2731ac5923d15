"""The Markdown report of a reproduced task."""

from __future__ import annotations

from physnet.reports.forecast_report import forecast_clause, forecast_section, phrase, score_outcomes
from physnet.reports.reference_report import worth_it_section
from physnet.study.effects import judged
from physnet.study.failures import failure_lines
from physnet.study.plausibility import plausibility_warnings


def mix_outcomes(summary: dict) -> dict[str, tuple[str, float, float, float, float]]:
    """The mix against every other arm by the one rule of :mod:`physnet.study.verdict`:
    ``{arm: (verdict, diff, lo, hi, relative)}``, the difference of medians and its 95 %
    bootstrap interval signed positive where the mix is better, relative to the arm's median.
    The headline and the table both read this."""
    return score_outcomes(summary)


def verdict(summary: dict) -> str:
    """One sentence: did the mix beat each other arm on this run, one step ahead and, where
    the study has forecasts, in forecast skill? By the 95 % bootstrap interval of the
    difference of medians, "within the noise" below a share of the targets' noise floor
    (:mod:`physnet.study.verdict`); the same words as the tables'."""
    if "mix" not in summary["arms"]:
        return "No mix arm was run."
    outcomes = mix_outcomes(summary)
    parts = [phrase(name, outcome) for name, outcome in outcomes.items()]
    if not parts:
        return "No other arm ran beside the mix."
    forecast = forecast_clause(summary.get("forecast"))
    one_step = f"one-step ({summary['metric']}): the mix {', '.join(parts)}"
    return (
        f"On this run, {one_step}" + (f"; {forecast}" if forecast else "") + ". Differences of medians, positive "
        "where the mix is better, with 95 % bootstrap intervals and relative size."
    )


def stats_table(summary: dict) -> str:
    failures = summary.get("failures") or {}
    rates = (summary.get("tuning") or {}).get("chosen") or {}
    variance = (summary.get("scale") or {}).get("target_variance")
    outcomes = mix_outcomes(summary)
    extra = (" failed |" if failures else "") + (" lr (tuned) |" if rates else "")
    extra += " median / var(targets) |" if variance else ""
    lines = [
        f"| arm | n |{extra} median | q1 | q3 | min | max | mix vs arm | "
        "difference of medians (+: mix better), 95 % CI | relative | Mann-Whitney p (for reference) |",
        "|---|---|" + "---|" * (bool(failures) + bool(rates) + bool(variance)) + "---|---|---|---|---|---|---|---|---|",
    ]
    for name, s in summary["arms"].items():
        test = summary["tests"].get(f"mix_vs_{name}")
        p = f"{test['p_value']:.3g}" if test else ""
        word = diff = rel = ""
        if name in outcomes:
            verdict_word, d, lo, hi, r = outcomes[name]
            word, diff, rel = verdict_word, f"{d:+.3g} [{lo:+.3g}, {hi:+.3g}]", f"{r:+.1%}"
        cells = ""
        if failures:
            cells += f" {failures.get(name, {}).get('failed', 0)} |"
        if rates:
            cells += f" {rates[name]:.3g} |" if name in rates else " |"
        if variance:
            cells += f" {s['median'] / variance:.3g} |"
        lines.append(
            f"| {name} | {s['n']} |{cells} {s['median']:.4g} | {s['q1']:.4g} | {s['q3']:.4g} | "
            f"{s['min']:.4g} | {s['max']:.4g} | {word} | {diff} | {rel} | {p} |"
        )
    sindy = (summary.get("references") or {}).get("sindy")
    if sindy and "median" in sindy:
        cells = (f" {sindy['failed']} |" if failures else "") + (" |" if rates else "")
        cells += f" {sindy['median'] / variance:.3g} |" if variance else ""
        lines.append(
            f"| sindy (sparse regression, reference) | {sindy['n']} |{cells} {sindy['median']:.4g} | "
            f"{sindy['q1']:.4g} | {sindy['q3']:.4g} | {sindy['min']:.4g} | {sindy['max']:.4g} | | | | |"
        )
    return "\n".join(lines)


def scale_lines(summary: dict) -> list[str]:
    """The metric against the targets' variance and noise floor, in words (empty for a classifier)."""
    scale = summary.get("scale") or {}
    variance = scale.get("target_variance")
    if not variance:
        return []
    best = min(a["median"] for a in summary["arms"].values())
    text = (
        f"Scale: the validation targets' variance is {variance:.4g}, so `median / var(targets)` is 1 - R^2 "
        f"(the best arm's median is {best / variance:.3g} of it)."
    )
    floor = scale.get("noise_floor")
    if floor is None:
        why = (
            "no estimate of the states' noise: states simulated without noise, or derivatives given in the file"
            if (summary.get("config") or {}).get("loss") == "rollout"
            else "exact targets, or derivatives given in the file"
        )
        text += f" The targets' noise floor is not known here ({why})."
        return [text, ""]
    if floor["mse"] == 0:
        return [text + " The targets are exact (noise on the states only): no noise floor.", ""]
    text += (
        f" The targets' own noise floor is {floor['mse']:.4g} in {summary['metric']} ({floor['method']}); the best "
        f"arm's median is {best / floor['mse']:.3g} times it. A difference of medians below "
        f"{100 * scale['noise_fraction']:.0f} % of the floor ({scale['noise_fraction'] * floor['mse']:.3g}) is "
        "reported as within the noise, whatever its interval or p-value (the band on the box plot)."
    )
    return [text, ""]


def first_look_lines(summary: dict) -> list[str]:
    """A ``--quick`` report says first that it is a first look, beside what the default budget trains."""
    config = summary.get("config") or {}
    if not config.get("quick"):
        return []
    default = config.get("default_budget") or {}
    versus = (
        f"; the default budget trains {default['seeds']} seeds of {default['epochs']} epochs"
        if default.get("epochs")
        else ""
    )
    return [
        f"**A first look (`--quick`): {config.get('seeds')} seeds of {config.get('epochs')} epochs per arm, on the "
        f"task's small data where it has them{versus}"
        + (f"; learning rates chosen on {config.get('tune_seeds')} seeds per rate" if config.get("tune") else "")
        + ". Rerun without `--quick` before drawing conclusions: a network "
        "trained this briefly can rank differently.**",
        "",
    ]


def conservation_lines(summary: dict) -> list[str]:
    """What the conservation check found on a series, and a warning where a Hamiltonian
    network was trained on a record it calls dissipative or driven (``--force-model``)."""
    found = summary.get("conservation")
    if not found:
        return []
    text = (
        f"Conservation check of the record: a conservative fit's energy changes by {found['drift']:+.0%} of its "
        f"range along the median record ({found['records']} records): {found['verdict']}."
    )
    if found["verdict"] != "conservative" and summary.get("model") == "hnn":
        return [
            f"**Warning: the conservation check finds this record {found['verdict']} (its fitted energy changes by "
            f"{found['drift']:+.0%} of its range along the median record), and the Hamiltonian network was "
            "trained on it anyway (--force-model): its forecasts keep an energy the record does not.**",
            "",
        ]
    return [text, ""]


def tuning_lines(summary: dict) -> list[str]:
    """How each arm's learning rate was chosen, in words (empty without tuning): the grid, the
    tie rule, an extension past the grid's edge, and a warning where arms compared run at
    different rates or an arm's best is still at an edge."""
    tuning = summary.get("tuning")
    if not tuning:
        return []
    chosen = ", ".join(f"{arm} {lr:.3g}" for arm, lr in tuning["chosen"].items())
    grid = ", ".join(f"{g:.3g}" for g in tuning["grid"])
    text = (
        f"Learning rate tuned per arm, the same way for every arm: {tuning['seeds']} seeds at each of {grid}, "
        f"trained on the training split less a held-back slice ({tuning['held_back']}) and validated on that slice"
    )
    if "rule" in tuning:
        text += f"; {tuning['rule']}: {chosen} (`tuning.csv`, `tuning.png`)."
        if tuning.get("extended"):
            added = ", ".join(f"{r:.3g}" for r in tuning["extended"])
            text += f" An arm's best rate was at an end of the grid, so the grid was extended by {added} for every arm."
    else:
        text += f"; each arm's study runs at the rate with the best median: {chosen} (`tuning.csv`, `tuning.png`)."
    lines = [text, ""]
    if len(set(tuning["chosen"].values())) > 1:
        lines += [
            f"**Arms run at different learning rates ({chosen}): their tuning curves separate, and part of any "
            "difference between those arms is the rate's.**",
            "",
        ]
    edge = tuning.get("at_edge") or {}
    if edge:
        where = ", ".join(f"{arm} {lr:.3g}" for arm, lr in edge.items())
        lines += [
            f"**The best rate of some arms is still at an end of the grid ({where}): their curves may improve beyond "
            "it; give --tune-grid with rates past it.**",
            "",
        ]
    return lines


def effect_line(label: str, e: dict | None) -> str:
    """``label: better (difference D, 95 % CI [lo, hi], relative R; Mann-Whitney p = P)``."""
    if e is None:
        return f"- {label}: not run."
    return (
        f"- {label}: {judged(e)} (difference of medians {e['diff']:+.3g}, 95 % CI [{e['lo']:+.3g}, "
        f"{e['hi']:+.3g}]; relative {e['rel']:+.1%}; the interval decides - Mann-Whitney p = {e['p_value']:.2g}, "
        "for reference only)."
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
    """How far the frozen (interpolated) types the arms run are from the types meta-learning
    used, against the types' own range, and why they part where they do."""
    if not gap:
        return ""
    scale = max(gap.get("range") or [0.0]) or None
    share = lambda v: "" if scale is None else f" ({v / scale:.1%} of the types' range there)"  # noqa: E731
    text = (
        f" Frozen vs learned types: they agree to {max(gap['grid']):.3g} on the sampled grid{share(max(gap['grid']))}"
    )
    if gap.get("preactivations"):
        worst, outside = max(gap["preactivations"]), 100 * max(gap["outside_grid"])
        limits = gap.get("limits")
        where = f" [{limits[0]:g}, {limits[1]:g}]" if limits else ""
        text += f"; on the pre-activations the final network saw they differ by up to {worst:.3g}{share(worst)}"
        if outside > 0:
            text += (
                f", because {outside:.2g} % of those fell outside the grid{where}, where the frozen type is "
                "extrapolated linearly: there the frozen arms run other functions than the meta-learned network did"
            )
    return text + "."


def _resumed(summary: dict, seconds: float) -> str:
    this_run = summary.get("wall_seconds_this_run")
    if this_run is None or this_run >= seconds - 0.5:
        return ""
    return f" ({this_run:.0f} s in the last run, which resumed earlier runs' work)"


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
        *first_look_lines(summary),
        *failure_lines(summary.get("failures") or {}, summary.get("failure_rule")),
        *[f"**Warning: {w}**\n" for w in plausibility_warnings(summary)],
        *conservation_lines(summary),
        *worth_it_section(summary),
        *(["## Does learned diversity help?", ""] if summary.get("references") else []),
        verdict(summary),
        "",
        f"Metric: `{summary['metric']}` on the whole validation split "
        f"({'higher' if summary['higher_is_better'] else 'lower'} is better). "
        f"Wall time {seconds:.0f} s{_resumed(summary, seconds)}.",
        "",
        stats_table(summary),
        "",
        *scale_lines(summary),
        *tuning_lines(summary),
        *effects_section(summary),
        *forecast_section(summary.get("forecast")),
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
