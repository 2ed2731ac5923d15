"""One task end to end: meta-learning, freezing, the comparison arms, forecasts, report."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

import numpy as np

from physnet.activations import save_activations
from physnet.experiments.defaults import QUICK_META, compare_defaults, quick_compare
from physnet.experiments.forecast import forecast
from physnet.experiments.model_store import load_arm, model_dtype
from physnet.experiments.outputs import write_forecast, write_study
from physnet.experiments.report import task_report
from physnet.experiments.study import CompareConfig, run_study
from physnet.plots import plot_activation_evolution, plot_training_curves
from physnet.run_output import write_figure, write_json, write_npz
from physnet.tasks import get_task
from physnet.training import meta_config_for, meta_learn

Echo = Callable[[str], None]


def reproduce_model(task: str, model: str, out: Path, *, quick: bool = False, seeds: int | None = None,
                    data: str | None = None, force: bool = False, echo: Echo = lambda s: None,
                    progress: bool = False, meta_overrides: dict | None = None,
                    compare_overrides: dict | None = None, label: str | None = None, backend: str = "process",
                    address: str | None = None) -> dict:
    """Meta-learn two types from sine, freeze them, run the arms, forecast, write ``report.md``.

    Args:
        meta_overrides, compare_overrides: settings replacing the budget's (presets, tests, sweeps).
        label: a preset's name, shown in the report's title.
        backend, address: where the comparison's blocks run (see ``run_study``).

    Returns:
        the study summary (as in ``summary.json``) with ``wall_seconds`` added.
    """
    began = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    meta_dir = out / "meta"
    meta_dir.mkdir(exist_ok=True)
    if force:
        (meta_dir / "checkpoint.pt").unlink(missing_ok=True)
    meta_config = meta_config_for(task, model, data=data, **{**(QUICK_META if quick else {}), **(meta_overrides or {})})
    echo(f"[{task}/{model}] meta-learning {meta_config.outer_steps} outer x {meta_config.inner_steps} inner steps")
    meta = meta_learn(meta_config, checkpoint=meta_dir / "checkpoint.pt", resume=True, progress=progress)
    save_activations(meta_dir / "activations.npz", meta.frozen)
    write_npz(meta_dir / "history.npz", **meta.history)
    write_figure(out / "activation_evolution.png",
                 plot_activation_evolution(meta.history["grid"], meta.history["activations"], title=f"{task} / {model}"))
    write_figure(out / "training_curves.png", plot_training_curves(meta.history, title=f"{task} / {model}"))
    meta_numbers = {"val_loss_initial": float(meta.history["val_loss"][0]),
                    "val_loss_final": float(meta.history["val_loss"][-1]),
                    "outer_steps": meta_config.outer_steps, "mode": meta_config.mode,
                    "interpolation": meta_config.interpolation_kind}
    write_json(meta_dir / "config.json", {"command": "meta", "config": meta_config.to_dict(), "results": meta_numbers})

    overrides = {**compare_defaults(task, model), **(quick_compare(task) if quick else {})}
    overrides.update(compare_overrides or {})
    if seeds is not None:
        overrides["seeds"] = seeds
    config = CompareConfig(task=task, model=model, data=data, **overrides)
    echo(f"[{task}/{model}] comparing arms {', '.join(config.arms)} over {config.seeds} seeds")
    result = run_study(config, meta.frozen, out, force=force, progress=progress, backend=backend, address=address,
                       on_arm=lambda arm, s: echo(f"[{task}/{model}]   arm {arm}: seeds {s[0]}-{s[-1]}"))
    summary = write_study(out, config, result, {"quick": quick, "preset": label})

    data_obj = get_task(task).load(seed=config.data_seed, small=config.small, data=data)
    figures = [("Validation metric per arm", "boxplot.png"), ("Activation evolution", "activation_evolution.png"),
               ("Meta-learning curves", "training_curves.png")]
    method = "implicit-midpoint" if model == "hnn" else "euler"
    for arm in ("mix", "base") if data_obj.dt is not None else ():  # classification has no orbits
        net, arch = load_arm(out / "models" / f"{arm}.pt")
        values = result.values[arm]  # ordered by seed 0..n-1; stored members in the order blocks returned
        best = int(np.argmin(values)) if not result.higher_is_better else int(np.argmax(values))
        fc = forecast(net, data_obj.to("cpu", model_dtype(net)), method=method, steps=100 if quick else 300,
                      member=list(arch["seeds"]).index(best))
        fdir = out / f"forecast-{arm}"
        fdir.mkdir(exist_ok=True)
        write_forecast(fdir, fc, f"{task} / {model}, {arm} arm (seed {best}), {method}",
                       {"arm": arm, "seed": best, "method": method, "steps": len(fc.t) - 1})
        figures.append((f"Forecast, {arm} arm (best seed), {method}", f"forecast-{arm}/orbits.png"))
    if data_obj.loss == "cross_entropy":  # the paper's analyses for classification
        echo(f"[{task}/{model}] participation ratio and Hessian statistics")
        from physnet.experiments.outputs import write_analysis

        write_analysis(out, out, hessian_seeds=2 if quick else 10)
        figures += [("Accuracy vs participation ratio", "participation.png"),
                    ("Hessian eigenvalue density", "hessian_density.png")]
    seconds = time.perf_counter() - began
    summary["wall_seconds"] = seconds
    write_json(out / "summary.json", summary)
    title = f"{task} / {model}" + (f" (preset {label})" if label else "") + (" (quick)" if quick else "")
    (out / "report.md").write_text(task_report(title, summary,
                                               meta_numbers, figures, seconds))
    echo(f"[{task}/{model}] done in {seconds:.0f} s: {out}/report.md")
    return summary


__all__ = ["reproduce_model"]
