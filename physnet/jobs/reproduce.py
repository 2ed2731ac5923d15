"""``reproduce`` for one task end to end: meta-learning, freezing, the comparison arms,
forecasts, report (both models for Henon-Heiles); repeated over several meta-learning seeds
when asked, with the mix claim judged per meta seed and pooled."""

from __future__ import annotations

import time
from dataclasses import replace
from functools import partial
from pathlib import Path

from physnet.data import TaskData
from physnet.errors import UserError
from physnet.io import write_json
from physnet.jobs import budgets as two_budgets
from physnet.jobs.context import DEFAULT_CONTEXT, RunContext
from physnet.jobs.factorial import Setting, Vary
from physnet.jobs.plan import model_plan, time_left
from physnet.meta import MetaConfig, meta_config_for
from physnet.meta.folder import write_meta_folder
from physnet.reports.forecast_files import write_forecast_skill
from physnet.reports.meta_seed_summary import write_meta_seed_summary
from physnet.reports.outputs import write_models_comparison, write_study
from physnet.reports.task_report import task_report
from physnet.reports.timings import earlier_seconds
from physnet.study.arms import CLASSIC_ARMS
from physnet.study.folder import check_study_folder
from physnet.study.layout import meta_seed_folder, meta_seed_name
from physnet.study.plausibility import plausibility_warnings
from physnet.study.references import check_references
from physnet.study.run import StudyConfig, StudyResult, run_study
from physnet.study.study_skill import study_forecast
from physnet.study.tuning import tuning_split
from physnet.tasks.presets import RunRequest, authors_numbers, budget
from physnet.tasks.registry import get_task


def reproduce_model(
    task: str,
    model: str,
    out: Path,
    request: RunRequest | None = None,
    *,
    context: RunContext = DEFAULT_CONTEXT,
) -> dict:
    """Meta-learn two types, freeze them, run the arms, forecast, write ``report.md``; with
    M meta seeds (``request.meta_seeds``; default: the preset's for the task, else 1), all of
    it once per meta seed 0..M-1 into ``out/meta-seed-M/`` and a summary of the mix claim per
    meta seed and pooled into ``out/report.md``. With a short budget (``request.budgets``;
    default: short and full without a preset, full alone under one) the comparison also runs
    for :data:`~physnet.jobs.budgets.SHORT_EPOCHS` epochs into ``short-budget/`` and the report
    ends with the answer at both budgets. Under a preset the report shows the authors' logged
    numbers beside ours, where the task's record holds them.

    Args:
        request: what to run (budget, preset, seeds, the caller's settings); default: the
            task's full budget.
        context: where the blocks run, what is printed, whether to start afresh.

    Returns:
        the study summary (as in ``summary.json``) with ``wall_seconds`` added; with several
        meta seeds, that of meta seed 0 with ``meta_seed_effects`` and ``per_meta_seed`` added.
    """
    request = (request or RunRequest()).with_preset(task, model)
    quick, data, label = request.quick, request.data, request.preset
    meta_seeds = request.meta_seed_count(task, model)
    if meta_seeds < 1:
        raise UserError(f"--meta-seeds must be at least 1, got {meta_seeds}")
    budgets = two_budgets.requested_budgets(request)
    authors = authors_numbers(task, model, label)
    began = time.perf_counter()
    meta, overrides = budget(task, model, request)
    meta_base = meta_config_for(task, model, data=data, **meta)
    config = StudyConfig(task=task, model=model, data=data, **overrides)
    first_look = _default_budget(task, model, request) if quick else None
    t = get_task(task)
    as_trained = config.as_trained
    study_data = as_trained(t.load(seed=config.data_seed, small=config.small, data=data))
    if config.tune:  # a split too small to tune on is refused now, not after meta-learning
        tuning_split(study_data, config.tune_fraction)
    check_references(config.baselines, config.sindy_degree, study_data)  # likewise
    out.mkdir(parents=True, exist_ok=True)
    meta_data = (  # meta-learning's inner loop trains on the study's loss too
        study_data
        if meta_base.small == config.small
        else as_trained(t.load(seed=config.data_seed, small=meta_base.small, data=data))
    )
    summaries = {}
    results: dict[tuple[int, int], StudyResult] = {}
    vary, settings = two_budgets.budget_settings(meta_base, config, budgets)
    for m in range(meta_seeds):
        folder = meta_seed_folder(out, m, meta_seeds)
        tag = f"[{task}/{model}]" + (f"[meta seed {m}]" if meta_seeds > 1 else "")
        summaries[m] = _reproduce_one(
            replace(meta_base, seed=m),
            (vary, settings, results),
            folder,
            meta_data,
            study_data,
            quick=quick,
            tag=tag,
            label=label,
            analyses=m == 0,
            authors=authors,
            context=context,
            first_look=first_look,
        )
    if meta_seeds == 1:
        return summaries[0]
    title = f"{task} / {model}" + (f" (preset {label})" if label else "") + (" (quick)" if quick else "")
    pooled = two_budgets.budget_effects(settings, vary, results, meta_seeds) if len(settings) > 1 else []
    return write_meta_seed_summary(
        out,
        summaries,
        {m: meta_seed_name(m) for m in summaries},
        title=title,
        seconds=time.perf_counter() - began,
        echo=context.echo,
        closing=two_budgets.budget_section(pooled, meta_seeds=meta_seeds, quick=quick),
        extra={"budgets": pooled} if pooled else None,
    )


def _default_budget(task: str, model: str, request: RunRequest) -> dict:
    """What the default budget trains, for a ``--quick`` report to say beside its own."""
    _, default = budget(task, model, replace(request, quick=False))
    full = StudyConfig(task=task, model=model, data=request.data, **default)
    return {"epochs": full.epochs, "seeds": full.seeds}


def _reproduce_one(
    meta_config: MetaConfig,
    plan: tuple[Vary, list[Setting], dict[tuple[int, int], StudyResult]],
    out: Path,
    meta_data: TaskData,
    study_data: TaskData,
    *,
    quick: bool,
    tag: str,
    label: str | None,
    analyses: bool,
    authors: dict | None,
    context: RunContext,
    first_look: dict | None = None,
) -> dict:
    began = time.perf_counter()
    echo, force = context.echo, context.force
    vary, settings, results = plan  # the budgets, short first; results collected per (budget, meta seed)
    config = settings[-1].compare
    task, model = config.task, config.model
    check_study_folder(out, {"study": config.relevant()}, force, ignore=("activations",))  # before meta-learning
    two_budgets.check_short_folder(out, settings, force)
    earlier = earlier_seconds(out, force)
    out.mkdir(parents=True, exist_ok=True)
    echo(f"{tag} meta-learning {meta_config.outer_steps} outer steps (seed {meta_config.seed})")
    meta, meta_numbers = write_meta_folder(
        out / "meta",
        meta_config,
        data=meta_data,
        resume=not force,
        progress=context.progress,
        figures=out,
        on_step=time_left(f"{tag} meta-learning", meta_config.outer_steps, echo),
    )

    echo(f"{tag} comparing arms {', '.join(config.arms)} over {config.seeds} seeds")
    study_options = context.study_options()
    result = run_study(
        config,
        meta.frozen,
        out,
        data=study_data,
        on_arm=partial(_echo_arm, echo, tag, ""),
        **study_options,
    )
    extra = {"quick": quick, "preset": label, "meta_seed": meta.config.seed, "default_budget": first_look}
    summary = write_study(out, config, result, extra, summary_file=False)  # written once, below
    summary["conservation"] = study_data.config.get("conservation")  # a series' check (physnet.tasks.conservation)
    results[(len(settings) - 1, meta_config.seed)] = result
    if len(settings) > 1:
        echo(f"{tag} the short budget: {settings[0].compare.epochs} epochs")
    short_arm = partial(_echo_arm, echo, tag, "short budget")
    summary["budgets"] = two_budgets.run_short_budget(
        plan, meta_config.seed, meta.frozen, out, study_data, extra, on_arm=short_arm, **study_options
    )
    figures = [("Validation metric per arm", "boxplot.png")]
    if result.tunings:
        figures.append(("Learning rate per arm (tuning on the held-back slice)", "tuning.png"))
    figures += [
        ("Activation evolution", "activation_evolution.png"),
        ("Meta-learning curves", "training_curves.png"),
    ]
    figures += _after_training(
        out, config, result, study_data, summary, analyses=analyses, quick=quick, tag=tag, echo=echo
    )
    summary["wall_seconds_this_run"] = time.perf_counter() - began
    summary["wall_seconds"] = seconds = earlier + summary["wall_seconds_this_run"]
    write_json(out / "summary.json", summary)
    title = f"{task} / {model}" + (f" (preset {label})" if label else "") + (" (quick)" if quick else "")
    title += f", meta seed {meta.config.seed}" if meta.config.seed else ""
    _write_report(out, title, summary, meta_numbers, figures, seconds, authors, quick)
    for warning in plausibility_warnings(summary):
        echo(f"{tag} warning: {warning}")
    echo(f"{tag} done in {seconds:.0f} s: {out}/report.md")
    return summary


def _echo_arm(echo, tag: str, what: str, arm: str, seeds: list[int], note: str = "") -> None:
    """``[task/model]   arm base: seeds 0-9 (short budget, block 3 of 8, about 1 min left)``."""
    notes = ", ".join(n for n in (what, note) if n)
    echo(f"{tag}   arm {arm}: seeds {seeds[0]}-{seeds[-1]}" + (f" ({notes})" if notes else ""))


def _write_report(out, title, summary, meta_numbers, figures, seconds, authors, quick) -> None:
    """``report.md``: the task's report and its closing answer at two budgets."""
    report = task_report(title, summary, meta_numbers, figures, seconds, authors)
    closing = two_budgets.budget_section(summary.get("budgets") or [], quick=quick)
    (out / "report.md").write_text(report + "\n".join(closing))


def _after_training(
    out: Path,
    config: StudyConfig,
    result: StudyResult,
    data: TaskData,
    summary: dict,
    *,
    analyses: bool,
    quick: bool,
    tag: str,
    echo,
) -> list[tuple[str, str]]:
    """Forecast skill of every seed (and the reference arms), and for a classifier the paper's
    analyses: into ``summary``; returns the report's figures."""
    figures = []
    if data.dt is not None:
        echo(f"{tag} forecasts of every seed of every arm")
        label = f"{config.task} / {config.model}"
        found = study_forecast(out, list(result.values), data, config.model, label, **forecast_options(config, result))
        if found is not None:
            summary["forecast"] = found.summary
            figures += write_forecast_skill(out, found, label, data.state_names)
    if analyses and data.loss == "cross_entropy":  # the paper's analyses for classification
        echo(f"{tag} participation ratio and Hessian statistics")
        summary["analysis"], more = _classification_analyses(out, config, quick, result.metric)
        figures += more
    return figures


def forecast_options(config: StudyConfig, result: StudyResult) -> dict:
    """What forecast skill takes from a finished study: its substeps and reference arms."""
    return {"substeps": config.substeps, "baselines": result.baselines, "sindy": result.sindy}


def _classification_analyses(
    out: Path, config: StudyConfig, quick: bool, metric: str
) -> tuple[dict, list[tuple[str, str]]]:
    """The paper's participation-ratio and Hessian analyses of a classification study (its
    own arms and the classic activations, as its Fig. 8 and Hessian claims); the summary's
    ``analysis`` entry and the report's figures."""
    from physnet.reports.outputs import write_analysis
    from physnet.study.analysis import HessianSettings

    arms = [a for a in config.arms if a in CLASSIC_ARMS]
    hessian = HessianSettings(seeds=2) if quick else HessianSettings()
    analysis = write_analysis(out, out, hessian=hessian, arms=arms, metric=metric)
    figures = [
        ("Accuracy vs participation ratio", "participation.png"),
        ("Hessian eigenvalue density", "hessian_density.png"),
    ]
    return analysis, figures


def paper_models(task: str) -> tuple[str, ...]:
    """The models ``reproduce`` runs for ``task``: the task's ``reproduce_models`` (each into
    ``<task>/<model>/``: both for Henon-Heiles), otherwise its first (into ``<task>/``)."""
    t = get_task(task)
    return t.reproduce_models or (t.models[0],)


def reproduce_task(
    task: str,
    out: Path,
    request: RunRequest | None = None,
    *,
    models: tuple[str, ...] | None = None,
    context: RunContext = DEFAULT_CONTEXT,
) -> dict[str, dict]:
    """``reproduce`` for one task into ``out`` (Henon-Heiles: ``out/nn`` and ``out/hnn`` plus
    ``out/nn_vs_hnn.png`` and ``out/report.md``); returns the study summary per model.

    Args:
        request: what to run (:class:`~physnet.tasks.presets.RunRequest`; default: the task's
            full budget).
        models: the models to run (default: :func:`paper_models`).
    """
    request = request or RunRequest()
    t = get_task(task)
    if request.data is not None and not t.accepts_data_file:
        raise UserError(f"--data applies to tasks that read series files (clock), not {task!r}")
    models = models or paper_models(task)
    for model in models:
        t.model_settings(model)  # a model the task does not take: refused before any work
    requests = {model: request.with_preset(task, model) for model in models}  # a preset the task lacks: refused now
    if request.meta_seed_count(task) < 1:
        raise UserError(f"--meta-seeds must be at least 1, got {request.meta_seeds}")
    _announce(task, requests, context)
    summaries = {}
    for model in models:
        summaries[model] = reproduce_model(
            task, model, out / model if len(models) > 1 else out, requests[model], context=context
        )
    if len(models) > 1:
        write_models_comparison(out, summaries)
    return summaries


def _announce(task: str, requests: dict[str, RunRequest], context: RunContext) -> None:
    """Say what the run will do, model by model, with its probed training time (before any work)."""
    context.echo(f"[{task}] will run {len(requests)} model(s): {', '.join(requests)}")
    for model, request in requests.items():
        context.echo(f"[{task}]   {model_plan(task, model, request)}")


__all__ = ["paper_models", "reproduce_model", "reproduce_task"]
