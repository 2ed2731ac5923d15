"""The forecast half of a report: the mix against every arm on forecast skill, by the same
rule as the one-step metric (:mod:`physnet.study.verdict`), and the table of every
forecast score per arm."""

from __future__ import annotations

from physnet.study.calibration import calibration_sentence, percent
from physnet.study.verdict import MIX_PHRASES, mix_test_signed, mix_verdict

#: The forecast score the verdict states (a continuous one: the valid prediction time is a
#: multiple of the step and ties often).
PRIMARY = "rollout_error"

#: What each score is, in words.
LABELS = {
    "rollout_error": "mean normalised rollout error",
    "vpt": "valid prediction time",
    "energy_drift": "largest relative energy drift",
}


def label(name: str) -> str:
    """A score's name in words (``error@0.5``: "normalised error at 50 % of the rollout")."""
    if name.startswith("error@"):
        return f"normalised error at {float(name[6:]):.0%} of the rollout"
    return LABELS.get(name, name)


def score_outcomes(entry: dict) -> dict[str, tuple[str, float, float, float, float]]:
    """The mix against every other arm on one score: ``{arm: (verdict, diff, lo, hi,
    relative)}``, signed positive where the mix is better (``entry``: one score of the
    summary's ``forecast.metrics``, or the one-step summary itself: both hold ``arms``,
    ``tests`` and ``higher_is_better``)."""
    out = {}
    for name in entry["arms"]:
        test = entry["tests"].get(f"mix_vs_{name}")
        if name == "mix" or test is None:
            continue
        diff, lo, hi = mix_test_signed(test, entry["higher_is_better"])
        scale = abs(entry["arms"][name]["median"]) or 1.0
        out[name] = (mix_verdict(test, entry["higher_is_better"]), diff, lo, hi, diff / scale)
    return out


def phrase(name: str, outcome: tuple[str, float, float, float, float]) -> str:
    """``beat base (+0.1 [+0.05, +0.2], +10.0%)``."""
    word, diff, lo, hi, rel = outcome
    return f"{MIX_PHRASES[word]} {name} ({diff:+.3g} [{lo:+.3g}, {hi:+.3g}], {rel:+.1%})"


def forecast_clause(forecast: dict | None) -> str:
    """``forecast (mean normalised rollout error): the mix beat base (...), ...`` or ''."""
    if not forecast or PRIMARY not in forecast.get("metrics", {}):
        return ""
    outcomes = score_outcomes(forecast["metrics"][PRIMARY])
    if not outcomes:
        return ""
    return f"forecast ({label(PRIMARY)}): the mix " + ", ".join(phrase(n, o) for n, o in outcomes.items())


def integration_sentence(forecast: dict) -> str:
    """How many integration steps each sample took and what the integrator alone costs (the
    integration floor), in words; empty for a summary written before substeps existed."""
    floor = forecast.get("integration")
    if not floor:
        return ""
    steps = f"{floor['substeps']} integration step(s) per sample"
    if floor["reference"] == "none":
        return f" Rollouts took {steps}; no reference field could measure the integrator's own error here."
    what = {"truth": "the exact field", "sindy": "the sparse-regression fit", "network": "the first network"}[
        floor["reference"]
    ]
    error = floor["floor"].get("rollout_error", float("nan"))
    chosen = (
        "as asked (--substeps)"
        if floor["given"]
        else f"chosen so that {what}, rolled out the same way, errs under {floor['target']:g}"
    )
    text = (
        f" Rollouts took {steps}, {chosen}: its mean normalised error is {error:.2g} - the integration floor; "
        "a difference of arms below it is reported as within the integration error."
    )
    if not floor["reached"]:
        text += (
            f" **The floor stays above {floor['target']:g} even at {floor['substeps']} substeps: part of every "
            "error below is the integrator's.**"
        )
    return text


def _reference_rows(forecast: dict, names: list[str]) -> list[str]:
    """The reference arms' rows of the forecast table (no verdict: they are not arms)."""
    rows = []
    labels = {"truth": "truth (exact field: the integration floor)", "sindy": "sindy (sparse regression, reference)"}
    for ref, entry in (forecast.get("references") or {}).items():
        cells = []
        for name in names:
            s = entry["metrics"].get(name)
            if s is None:
                cells.append("")
            elif s["n"] == 1:
                cells.append(f"{s['median']:.3g}")
            else:
                cells.append(f"{s['median']:.3g} [{s['q1']:.3g}, {s['q3']:.3g}]")
        how = "" if entry["method"] == forecast["method"] else f", {entry['method']}"
        rows.append(f"| {labels.get(ref, ref)}{how} | " + " | ".join(cells) + " |")
    return rows


def forecast_section(forecast: dict | None, time_unit: str = "time units of the record") -> list[str]:
    """How the forecasts were made, and a table per arm: each score's median [q1, q3] across
    seeds and the mix's verdict on it; the reference arms (sparse regression, the exact field)
    below the arms."""
    if not forecast:
        return []
    metrics = forecast["metrics"]
    lyapunov = forecast.get("lyapunov_time")
    how = (
        f"Every seed of every arm rolled out with {forecast['method']} from the first state of "
        f"{forecast['orbits']} validation orbit(s) for {forecast['steps']} steps ({forecast['horizon']:.4g} "
        f"{time_unit}); the error is the distance to the truth over the spread of the validation states "
        f"({forecast['normaliser']:.4g}); the valid prediction time ends where it first exceeds "
        f"{forecast['threshold']:g}"
        + (f" (the Lyapunov time is {lyapunov:.4g})" if lyapunov else "")
        + "."
        + integration_sentence(forecast)
        + " Scores are medians over orbits per seed; the table gives their median [q1, q3] over seeds, and the mix "
        "against each arm by the 95 % bootstrap interval of the difference of medians."
    )
    arms = list(metrics[PRIMARY]["arms"]) if PRIMARY in metrics else list(next(iter(metrics.values()))["arms"])
    outcomes = {name: score_outcomes(entry) for name, entry in metrics.items()}
    header = (
        "| arm | "
        + " | ".join(
            f"{label(n)} ({'higher' if e['higher_is_better'] else 'lower'} is better)" for n, e in metrics.items()
        )
        + " |"
    )
    lines = ["## Forecast skill", "", how, "", header, "|---|" + "---|" * len(metrics)]
    for arm in arms:
        cells = []
        for name, entry in metrics.items():
            s = entry["arms"][arm]
            word = outcomes[name].get(arm, ("",))[0]
            cells.append(f"{s['median']:.3g} [{s['q1']:.3g}, {s['q3']:.3g}]" + (f" (mix: {word})" if word else ""))
        lines.append(f"| {arm} | " + " | ".join(cells) + " |")
    lines += _reference_rows(forecast, list(metrics))
    lines += ["", f"Per seed: `forecast_skill.csv` ({forecast['seconds']:.0f} s of rollouts).", ""]
    return [*lines, *calibration_section(forecast.get("calibration"))]


def _shares(values: list) -> str:
    return " / ".join(percent(v) for v in values)


def calibration_section(records: dict | None) -> list[str]:
    """Each arm's seeds read as one ensemble forecast: how often its 50 % and 90 % bands held
    the truth at 10 %, 50 % and 100 % of the horizon, its CRPS there, and the plain sentence for
    the mix (or the first arm)."""
    if not records:
        return []
    lines = [
        "### How far to trust an ensemble forecast",
        "",
        "Each arm's seeds that trained (failed ones left out) as one forecast: the share of true states inside "
        "its central bands at 10 %, 50 % and 100 % of the horizon (a calibrated band holds the truth as often as "
        "its level says), and the ensemble's CRPS there (normalised as the errors; lower is better). "
        "`physnet forecast RUN --arm ARM` writes the bands.",
        "",
        "| arm | 50 % band | 90 % band | CRPS | spread scale that would make the 90 % band honest |",
        "|---|---|---|---|---|",
    ]
    for arm, record in records.items():
        cells = [_shares(record["coverage"][key]) for key in ("0.5", "0.9")]
        crps = " / ".join("-" if v is None else f"{v:.3g}" for v in record["crps"])
        fitted = record.get("spread_scale")
        scale = "-" if fitted is None else f"{fitted['scale']:.3g}"
        lines.append(f"| {arm} | {cells[0]} | {cells[1]} | {crps} | {scale} |")
    arm = "mix" if "mix" in records else next(iter(records))
    return [*lines, "", f"{arm}: " + calibration_sentence(records[arm]), ""]


__all__ = [
    "LABELS",
    "PRIMARY",
    "calibration_section",
    "forecast_clause",
    "forecast_section",
    "integration_sentence",
    "label",
    "phrase",
    "score_outcomes",
]
