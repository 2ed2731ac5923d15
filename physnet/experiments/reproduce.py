"""One task end to end: meta-learning, freezing, the comparison arms, forecasts, report;
repeated over several meta-learning seeds when asked, with the mix claim judged per meta
seed and pooled."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

from physnet.activations import save_activations
from physnet.experiments.arms import CLASSIC_ARMS
from physnet.experiments.defaults import QUICK_META, QUICK_PRESET_META, compare_defaults, quick_compare, quick_preset
from physnet.experiments.effects import meta_seed_effects
from physnet.experiments.forecast import forecast
from physnet.experiments.model_store import load_arm, member, model_dtype
from physnet.experiments.outputs import write_forecast, write_study
from physnet.experiments.report import effect_line, task_report
from physnet.experiments.study import CompareConfig, check_study_folder, run_study
from physnet.integrators import ConvergenceError
from physnet.plots import plot_activation_evolution, plot_training_curves
from physnet.plots.study import plot_size_sweep
from physnet.run_output import write_figure, write_json, write_npz
from physnet.tasks import TaskData, get_task
from physnet.training import MetaConfig, meta_config_for, meta_learn

Echo = Callable[[str], None]


def meta_seed_folder(out: Path, meta_seed: int, meta_seeds: int) -> Path:
    """Where meta seed ``meta_seed``'s study lives: ``out`` itself for a single meta seed
    (the layout of earlier versions), else ``out/meta-seed-M``."""
    return out if meta_seeds == 1 else out / f"meta-seed-{meta_seed}"


def reproduce_model(
    task: str,
    model: str,
    out: Path,
    *,
    quick: bool = False,
    seeds: int | None = None,
    data: str | None = None,
    force: bool = False,
    echo: Echo = lambda s: None,
    progress: bool = False,
    meta_overrides: dict | None = None,
    compare_overrides: dict | None = None,
    label: str | None = None,
    backend: str = "process",
    address: str | None = None,
    meta_seeds: int = 1,
    authors: dict | None = None,
) -> dict:
    """Meta-learn two types, freeze them, run the arms, forecast, write ``report.md``; with
    ``meta_seeds`` M > 1, all of it once per meta seed 0..M-1 into ``out/meta-seed-M/`` and a
    summary of the mix claim per meta seed and pooled into ``out/report.md``.

    Args:
        meta_overrides, compare_overrides: settings replacing the budget's (presets, tests, sweeps).
        label: a preset's name, shown in the report's title.
        backend, address: where the comparison's blocks run (see ``run_study``).
        authors: the authors' logged medians per arm and how they were measured, shown beside ours
            (``regimes.authors_numbers``).

    Returns:
        the study summary (as in ``summary.json``) with ``wall_seconds`` added; with several
        meta seeds, that of meta seed 0 with ``meta_seed_effects`` and ``per_meta_seed`` added.
    """
    if meta_seeds < 1:
        raise ValueError(f"--meta-seeds must be at least 1, got {meta_seeds}")
    began = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    if label is None:  # the quick budget replaces the default one
        meta = {**(QUICK_META if quick else {}), **(meta_overrides or {})}
        overrides = {
            **compare_defaults(task, model),
            **(quick_compare(task) if quick else {}),
            **(compare_overrides or {}),
        }
    else:  # a preset is a regime: quick keeps its training and shrinks only data, seeds and outer steps
        meta = {**(meta_overrides or {}), **(QUICK_PRESET_META if quick else {})}
        overrides = {
            **compare_defaults(task, model),
            **(compare_overrides or {}),
            **(quick_preset(task) if quick else {}),
        }
    meta_base = meta_config_for(task, model, data=data, **meta)
    if seeds is not None:
        overrides["seeds"] = seeds
    config = CompareConfig(task=task, model=model, data=data, **overrides)
    t = get_task(task)
    study_data = t.load(seed=config.data_seed, small=config.small, data=data)
    meta_data = (
        study_data
        if meta_base.small == config.small
        else t.load(seed=config.data_seed, small=meta_base.small, data=data)
    )
    summaries = {}
    for m in range(meta_seeds):
        folder = meta_seed_folder(out, m, meta_seeds)
        tag = f"[{task}/{model}]" + (f"[meta seed {m}]" if meta_seeds > 1 else "")
        summaries[m] = _reproduce_one(
            replace(meta_base, seed=m),
            config,
            folder,
            meta_data,
            study_data,
            quick=quick,
            force=force,
            echo=echo,
            tag=tag,
            progress=progress,
            label=label,
            backend=backend,
            address=address,
            analyses=m == 0,
            authors=authors,
        )
    if meta_seeds == 1:
        return summaries[0]
    title = f"{task} / {model}" + (f" (preset {label})" if label else "") + (" (quick)" if quick else "")
    return write_meta_seed_summary(
        out,
        summaries,
        {m: f"meta-seed-{m}" for m in summaries},
        title=title,
        seconds=time.perf_counter() - began,
        echo=echo,
    )


def _reproduce_one(
    meta_config: MetaConfig,
    config: CompareConfig,
    out: Path,
    meta_data: TaskData,
    study_data: TaskData,
    *,
    quick: bool,
    force: bool,
    echo: Echo,
    tag: str,
    progress: bool,
    label: str | None,
    backend: str,
    address: str | None,
    analyses: bool,
    authors: dict | None,
) -> dict:
    began = time.perf_counter()
    task, model = config.task, config.model
    check_study_folder(out, {"study": config.relevant()}, force, ignore=("activations",))  # before meta-learning
    out.mkdir(parents=True, exist_ok=True)
    meta_dir = out / "meta"
    meta_dir.mkdir(exist_ok=True)
    if force:
        (meta_dir / "checkpoint.pt").unlink(missing_ok=True)
    echo(f"{tag} meta-learning {meta_config.outer_steps} outer steps (seed {meta_config.seed})")
    meta = meta_learn(
        meta_config, data=meta_data, checkpoint=meta_dir / "checkpoint.pt", resume=True, progress=progress
    )
    save_activations(meta_dir / "activations.npz", meta.frozen)
    write_npz(meta_dir / "history.npz", **meta.history)
    write_figure(
        out / "activation_evolution.png",
        plot_activation_evolution(meta.history["grid"], meta.history["activations"], title=f"{task} / {model}"),
    )
    write_figure(out / "training_curves.png", plot_training_curves(meta.history, title=f"{task} / {model}"))
    meta_numbers = {
        "val_loss_initial": float(meta.history["val_loss"][0]),
        "val_loss_final": float(meta.history["val_loss"][-1]),
        "outer_steps": meta.config.outer_steps,
        "mode": meta.config.mode,
        "interpolation": meta.config.interpolation_kind,
        "seed": meta.config.seed,
        "frozen_vs_learned": meta.deployment,
    }
    write_json(meta_dir / "config.json", {"command": "meta", "config": meta.config.to_dict(), "results": meta_numbers})

    echo(f"{tag} comparing arms {', '.join(config.arms)} over {config.seeds} seeds")
    result = run_study(
        config,
        meta.frozen,
        out,
        data=study_data,
        force=force,
        progress=progress,
        backend=backend,
        address=address,
        on_arm=lambda arm, s: echo(f"{tag}   arm {arm}: seeds {s[0]}-{s[-1]}"),
    )
    summary = write_study(out, config, result, {"quick": quick, "preset": label, "meta_seed": meta.config.seed})
    figures = [
        ("Validation metric per arm", "boxplot.png"),
        ("Activation evolution", "activation_evolution.png"),
        ("Meta-learning curves", "training_curves.png"),
    ]
    figures += _forecasts(out, result, study_data, f"{task} / {model}", model, quick)
    if analyses and study_data.loss == "cross_entropy":  # the paper's analyses for classification
        echo(f"{tag} participation ratio and Hessian statistics")
        from physnet.experiments.outputs import write_analysis

        # the paper's Fig. 8 and Hessian claims concern its own arms and the classic activations
        summary["analysis"] = write_analysis(
            out, out, hessian_seeds=2 if quick else 10, arms=[a for a in config.arms if a in CLASSIC_ARMS]
        )
        figures += [
            ("Accuracy vs participation ratio", "participation.png"),
            ("Hessian eigenvalue density", "hessian_density.png"),
        ]
    seconds = time.perf_counter() - began
    summary["wall_seconds"] = seconds
    write_json(out / "summary.json", summary)
    title = f"{task} / {model}" + (f" (preset {label})" if label else "") + (" (quick)" if quick else "")
    if meta.config.seed:
        title += f", meta seed {meta.config.seed}"
    (out / "report.md").write_text(task_report(title, summary, meta_numbers, figures, seconds, authors))
    echo(f"{tag} done in {seconds:.0f} s: {out}/report.md")
    return summary


def _forecasts(out: Path, result, data: TaskData, label: str, model: str, quick: bool) -> list[tuple[str, str]]:
    """Roll the best seed of the mix and base arms out; the figures for the report. A rollout
    that cannot be integrated (an implicit step that does not converge even with Newton's
    method) is reported in the caption, not raised: the study stands without it."""
    if data.dt is None:  # classification has no orbits
        return []
    figures = []
    method = "implicit-midpoint" if model == "hnn" else "euler"
    for arm in ("mix", "base"):
        if arm not in result.values:
            continue
        net, arch = load_arm(out / "models" / f"{arm}.pt")
        values = result.values[arm]  # ordered by seed 0..n-1; stored members in the order blocks returned
        best = int(np.argmin(values)) if not result.higher_is_better else int(np.argmax(values))
        single = member(net, arch, list(arch["seeds"]).index(best))  # roll out that network alone
        title = f"{label}, {arm} arm (seed {best}), {method}"
        try:
            fc = _rollout(single, data.to("cpu", model_dtype(single)), method, 100 if quick else 300)
        except ConvergenceError as err:
            figures.append((f"Forecast, {arm} arm (best seed): not integrable ({str(err).splitlines()[0]})", ""))
            continue
        fdir = out / f"forecast-{arm}"
        fdir.mkdir(exist_ok=True)
        write_forecast(fdir, fc, title, {"arm": arm, "seed": best, "method": method, "steps": len(fc.t) - 1})
        figures.append((f"Forecast, {arm} arm (best seed), {method}", f"forecast-{arm}/orbits.png"))
    return figures


def _rollout(net, data: TaskData, method: str, steps: int):
    """A forecast; an implicit method's fixed-point iteration that stalls is retried with Newton's method."""
    try:
        return forecast(net, data, method=method, steps=steps)
    except ConvergenceError:
        if method != "implicit-midpoint":
            raise
        return forecast(net, data, method=method, steps=steps, options={"solver": "newton"})


def write_meta_seed_summary(
    out: Path,
    summaries: dict[int, dict],
    folders: dict[int, str],
    *,
    title: str,
    seconds: float,
    echo: Echo = lambda s: None,
) -> dict:
    """``out/summary.json``, ``out/meta_seeds.png`` and ``out/report.md`` over the studies of
    several meta seeds (``summaries[m]`` from the study in ``out/folders[m]``)."""
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
    ]
    (out / "report.md").write_text("\n".join(lines))
    echo(f"{title}: {len(summaries)} meta seeds done: {out}/report.md")
    return combined


__all__ = ["meta_seed_folder", "reproduce_model", "write_meta_seed_summary"]
