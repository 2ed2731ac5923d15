"""Writing a study's and a forecast's files."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from physnet.experiments.forecast import Forecast
from physnet.experiments.study import CompareConfig, StudyResult, study_summary
from physnet.plots import plot_arm_boxes, plot_forecast_energy, plot_forecast_error, plot_forecast_orbits
from physnet.run_output import write_atomically, write_figure, write_json


def write_study(out: Path, config: CompareConfig, result: StudyResult, extra: dict | None = None) -> dict:
    """``summary.json`` and ``boxplot.png`` (``runs.csv``, ``config.json`` and ``models/`` are
    written while the study runs)."""
    summary = study_summary(config, result, extra)
    write_json(out / "summary.json", summary)
    title = f"{config.task} / {config.model}: {config.seeds} seeds, hidden {list(config.hidden)}"
    write_figure(out / "boxplot.png", plot_arm_boxes(result.values, metric=result.metric, title=title))
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
    final = fc.error[:, -1]
    write_json(
        out / "config.json",
        {**settings, "final_error_median": float(np.median(final)), "final_error": [float(e) for e in final]},
    )


__all__ = ["write_forecast", "write_study"]


def write_analysis(
    run_dir: Path,
    out: Path,
    *,
    participation: bool = True,
    hessian: bool = True,
    hessian_seeds: int = 10,
    flat_tolerance: float | None = None,
    echo=lambda s: None,
    arms: list[str] | None = None,
) -> dict:
    """Run :func:`~physnet.experiments.analyze.analyze_study` and write ``analysis.csv``,
    ``analysis.json``, ``participation.png`` and ``hessian_density.png``; returns the per-arm
    summary (``arms``: only these of the study's arms)."""
    import json

    from physnet.experiments.analyze import HESSIAN_SETTINGS, analyze_study, per_arm_summary
    from physnet.plots.analysis import plot_eigenvalue_densities, plot_metric_vs_participation

    if flat_tolerance is None:
        flat_tolerance = HESSIAN_SETTINGS["flat_tolerance"]

    rows, densities = analyze_study(
        run_dir,
        participation=participation,
        hessian=hessian,
        arms=arms,
        hessian_seeds=hessian_seeds,
        flat_tolerance=flat_tolerance,
        echo=echo,
    )
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
    metric = json.loads(summary_path.read_text()).get("metric", "metric") if summary_path.exists() else "metric"
    write_json(
        out / "analysis.json",
        {
            "arms": summary,
            "hessian_seeds": hessian_seeds,
            "settings": {
                **HESSIAN_SETTINGS,
                "flat_tolerance": flat_tolerance,
                "flat_tolerance_meaning": "relative to the top eigenvalue",
            },
        },
    )
    if participation:
        write_figure(out / "participation.png", plot_metric_vs_participation(rows, metric=metric))
    if densities:
        write_figure(out / "hessian_density.png", plot_eigenvalue_densities(densities))
    return summary
