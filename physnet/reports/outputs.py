"""Writing a study's and a forecast's files."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from physnet.io import write_atomically, write_figure, write_json
from physnet.plots import (
    plot_arm_boxes,
    plot_forecast_energy,
    plot_forecast_error,
    plot_forecast_orbits,
    plot_tuning_curves,
)
from physnet.study.analysis import DEFAULT_HESSIAN, HessianSettings
from physnet.study.effects import effect, judged
from physnet.study.metric_scale import floor_mse
from physnet.study.model_forecast import Forecast
from physnet.study.references import sindy_record
from physnet.study.run import StudyConfig, StudyResult, study_summary
from physnet.study.verdict import WITHIN_INTEGRATION, within_floor


def write_study(
    out: Path, config: StudyConfig, result: StudyResult, extra: dict | None = None, *, summary_file: bool = True
) -> dict:
    """``summary.json``, ``boxplot.png`` (the arms and sparse regression) and, where sparse
    regression ran, ``sindy.json`` (its fits; ``runs.csv``, ``config.json`` and ``models/`` are
    written while the study runs); returns the summary. ``summary_file=False``: the caller
    adds to the summary and writes it once itself."""
    summary = study_summary(config, result, extra)
    if summary_file:
        write_json(out / "summary.json", summary)
    if result.sindy is not None:
        write_json(out / "sindy.json", sindy_record(result.sindy))
    title = f"{config.task} / {config.model}: {config.seeds} seeds, hidden {list(config.hidden)}"
    shown = result.values if result.sindy is None else {**result.values, "sindy": result.sindy.values}
    boxes = plot_arm_boxes(
        shown,
        metric=result.metric,
        title=title,
        failed=result.failed_seeds,
        floor=floor_mse(result.scale),
        variance=result.scale.get("target_variance"),
    )
    write_figure(out / "boxplot.png", boxes)
    if result.tunings:
        curves = {arm: {"rates": t.rates, "values": t.values, "chosen": t.chosen} for arm, t in result.tunings.items()}
        tuning_title = f"{config.task} / {config.model}: learning rate per arm ({config.tune_seeds} seeds per rate)"
        figure = plot_tuning_curves(
            curves, metric=result.metric, title=tuning_title, higher_is_better=result.higher_is_better
        )
        write_figure(out / "tuning.png", figure)
    return summary


def write_forecast(out: Path, fc: Forecast, label: str, settings: dict) -> None:
    """``forecast.csv`` (orbit, t, true and model states, error), ``orbits.png``,
    ``error.png``, ``energy.png`` (where the system has an energy) and ``config.json``."""
    names = list(fc.state_names)
    header = ["orbit", "t"] + [f"true_{n}" for n in names] + [f"model_{n}" for n in names] + ["error"]
    rows = [
        np.column_stack([np.full(len(fc.t), i), fc.t, fc.truth[i], fc.model[i], fc.error[i]])
        for i in range(len(fc.truth))
    ]
    table = np.concatenate(rows)
    write_atomically(
        out / "forecast.csv",
        lambda p: np.savetxt(p, table, delimiter=",", header=",".join(header), comments="", fmt="%.8g"),
    )
    write_figure(out / "orbits.png", plot_forecast_orbits(fc.truth, fc.model, names, title=label))
    write_figure(out / "error.png", plot_forecast_error(fc.t, fc.error, title=label))
    if fc.energy_truth is not None and fc.energy_model is not None:
        write_figure(out / "energy.png", plot_forecast_energy(fc.t, fc.energy_truth, fc.energy_model, title=label))
    final = fc.error[:, -1 if fc.recorded_steps is None else fc.recorded_steps]  # where the truth still is
    median = float(np.nanmedian(final)) if np.isfinite(final).any() else None
    write_json(
        out / "config.json",
        {
            **settings,
            "final_error_median": median,
            "final_error": [float(e) for e in final],
            "recorded_steps": fc.recorded_steps,
        },
    )


__all__ = ["write_forecast", "write_study"]


def write_analysis(
    run_dir: Path,
    out: Path,
    *,
    participation: bool = True,
    hessian: HessianSettings | None = DEFAULT_HESSIAN,
    echo=lambda s: None,
    arms: list[str] | None = None,
    metric: str | None = None,
) -> dict:
    """Run :func:`~physnet.study.analysis.analyze_study` and write ``analysis.csv``,
    ``analysis.json``, ``participation.png`` and ``hessian_density.png``; returns the per-arm
    summary (``hessian``: the Hessians' settings, None: none; ``arms``: only these of the
    study's arms; ``metric``: the study's metric, read from its ``summary.json`` when not
    given)."""
    import json

    from physnet.plots.analysis import plot_eigenvalue_densities, plot_metric_vs_participation
    from physnet.study.analysis import analyze_study, per_arm_summary

    rows, densities = analyze_study(run_dir, participation=participation, hessian=hessian, arms=arms, echo=echo)
    columns = ["arm", "seed", "metric", "participation_ratio", "r", "hessian_trace", "hessian_top", "flat_fraction"]
    columns += [k for k in dict.fromkeys(k for r in rows for k in r) if k not in columns]  # further layers

    def cell(value) -> str:
        if isinstance(value, float):
            return f"{value:.8g}" if np.isfinite(value) else ""
        return str(value)

    lines = [",".join(columns)] + [",".join(cell(r.get(c, float("nan"))) for c in columns) for r in rows]
    write_atomically(out / "analysis.csv", lambda p: p.write_text("\n".join(lines) + "\n"))
    summary = per_arm_summary(rows)
    summary_path = run_dir / "summary.json"
    if metric is None:
        metric = json.loads(summary_path.read_text()).get("metric", "metric") if summary_path.exists() else "metric"
    write_json(
        out / "analysis.json",
        {
            "arms": summary,
            "hessian_seeds": (hessian or DEFAULT_HESSIAN).seeds,
            "settings": {
                **(hessian or DEFAULT_HESSIAN).record(),
                "flat_tolerance_meaning": "relative to the top eigenvalue",
            },
        },
    )
    if participation:
        write_figure(out / "participation.png", plot_metric_vs_participation(rows, metric=metric))
    if densities:
        write_figure(out / "hessian_density.png", plot_eigenvalue_densities(densities))
    return summary


MODEL_TITLES = {
    "nn": "conventional (NN)",
    "hnn": "Hamiltonian (HNN)",
    "hnn-separable": "separable Hamiltonian (HNN)",
    "dhnn": "dissipative Hamiltonian (DHNN)",
}


def write_models_comparison(out: Path, summaries: dict[str, dict]) -> None:
    """``report.md`` and a box plot beside a task's model studies (Henon-Heiles' NN and HNN:
    ``nn_vs_hnn.png``; any other set, e.g. a damped task's NN, HNN and DHNN: ``models.png``):
    each model's median metric per arm and its mix's forecast error, and which model's mix
    does best on each (medians; every model of a task trains on the same loss)."""
    first = next(iter(summaries.values()))
    task = str(first.get("task", "henon-heiles"))
    name = {"henon-heiles": "Henon-Heiles"}.get(task, task)  # the paper's spelling
    metric = str(first.get("metric", "val_mse"))
    labels = [MODEL_TITLES.get(m, m) for m in summaries]
    figure = "nn_vs_hnn.png" if set(summaries) == {"nn", "hnn"} else "models.png"
    short = " vs ".join(m.upper() for m in summaries)
    values = {f"{m}:{arm}": np.array(s["arms"][arm]["values"]) for m, s in summaries.items() for arm in s["arms"]}
    write_figure(out / figure, plot_arm_boxes(values, metric=metric, title=f"{name}: {short}"))
    title = ", ".join(labels[:-1]) + f" and {labels[-1]}"
    lines = [f"# {name}: {title} networks", "", f"![{short}]({figure})", ""]
    loss = (first.get("config") or {}).get("loss", "derivative")
    lines += [f"Every model trained on the {loss} loss; {metric} per arm (median over seeds):", ""]
    for m, s in summaries.items():
        lines += [
            f"- {m.upper()}: "
            + ", ".join(f"{a} {v['median']:.3g}" for a, v in s["arms"].items())
            + _mix_forecast(s)
            + f" ([report]({m}/report.md))"
        ]
    best = min(summaries, key=lambda m: summaries[m]["arms"]["mix"]["median"])
    lines += ["", f"On this run the {best.upper()} mix has the lowest median {metric}."]
    lines += forecast_models_lines(summaries)
    (out / "report.md").write_text("\n".join(lines) + "\n")


def _mix_scores(summary: dict) -> np.ndarray | None:
    """The mix's mean normalised rollout error per seed (the forecast table's statistic)."""
    metrics = (summary.get("forecast") or {}).get("metrics") or {}
    try:
        return np.asarray(metrics["rollout_error"]["arms"]["mix"]["values"], dtype=float)
    except (KeyError, TypeError):
        return None


def _mix_forecast(summary: dict) -> str:
    scores = _mix_scores(summary)
    return "" if scores is None else f"; mix forecast error {float(np.median(scores)):.3g}"


def forecast_models_lines(summaries: dict[str, dict]) -> list[str]:
    """Which model's mix forecasts best, by the forecast table's statistic (median over seeds of
    the mean normalised rollout error) and its rule: the best against each other model by the
    95 % bootstrap interval of the difference of medians, "within the integration error" below
    the larger of the two studies' integration floors."""
    scores = {m: v for m, s in summaries.items() if (v := _mix_scores(s)) is not None}
    if not scores:
        return []
    best = min(scores, key=lambda m: float(np.median(scores[m])))
    parts = []
    for m, v in scores.items():
        if m == best:
            continue
        e = effect(scores[best], v, False)
        floors = [
            ((summaries[x].get("forecast") or {}).get("integration") or {}).get("floor", {}).get("rollout_error")
            for x in (best, m)
        ]
        floor = max((f for f in floors if f is not None), default=None)
        word = WITHIN_INTEGRATION if within_floor(e["lo"], e["hi"], floor) else judged(e)
        parts.append(f"{word} against the {m.upper()} mix ({e['diff']:+.3g} [{e['lo']:+.3g}, {e['hi']:+.3g}])")
    text = (
        f"The {best.upper()} mix has the lowest forecast error (median over seeds of the mean normalised rollout error)"
    )
    return [text + (": " + "; ".join(parts) if parts else "") + "."]
