"""``physnet ablate``: run the factorial planned by :mod:`physnet.jobs.factorial` and
write its tables, figure and report."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from physnet.errors import UserError
from physnet.io import write_json
from physnet.jobs.context import DEFAULT_CONTEXT, Echo, RunContext
from physnet.jobs.factorial import Setting, Vary, plan_settings
from physnet.meta import meta_config_for
from physnet.meta.folder import write_meta_folder
from physnet.reports.ablation_report import AblationTables, write_ablation
from physnet.study.effects import judged as judged_effect
from physnet.study.effects import meta_seed_effects
from physnet.study.layout import meta_seed_name
from physnet.study.metric_scale import floor_mse
from physnet.study.run import StudyConfig, StudyResult, run_study
from physnet.tasks.presets import RunRequest, budget
from physnet.tasks.registry import get_task
from physnet.tasks.settings import smoke


def base_configs(task: str, model: str, request: RunRequest):
    """The meta-learning and comparison settings every cell starts from (preset, then budget,
    then the request's comparison overrides: tuning, weight decay, initialisation)."""
    meta, compare = budget(task, model, request.with_preset(task, model))
    return meta_config_for(task, model, **meta), StudyConfig(task=task, model=model, **compare)


def run_ablation(
    task: str,
    model: str | None,
    varies: list[Vary],
    out: Path,
    request: RunRequest,
    *,
    yes: bool = False,
    context: RunContext = DEFAULT_CONTEXT,
) -> dict:
    """Every setting of the factorial for meta seeds 0..M-1: meta-learning (shared between
    settings that differ only in comparison settings), the comparison, and the effects.

    Returns:
        ``{"settings": [...], "rows": ablation rows, "effects": effects rows, "pooled": ...}``.

    ``context``: where the blocks run, what is printed (``force`` starts every study afresh).

    Raises:
        ValueError: bad settings, before any work.
    """
    echo = context.echo
    model = model or get_task(task).models[0]
    meta_seeds = 1 if smoke() or request.meta_seeds is None else request.meta_seeds  # ablate's default: one
    if meta_seeds < 1:
        raise UserError(f"--meta-seeds must be at least 1, got {meta_seeds}")
    preset_name, quick = request.preset, request.quick
    meta_base, compare_base = base_configs(task, model, request)
    settings = plan_settings(varies, meta_base, compare_base, yes=yes)
    out.mkdir(parents=True, exist_ok=True)
    write_json(
        out / "config.json",
        {
            "command": "ablate",
            "task": task,
            "model": model,
            "preset": preset_name,
            "quick": quick,
            "meta_seeds": meta_seeds,
            "vary": {v.name: [_jsonable(x) for x in v.values] for v in varies},
            "meta_base": meta_base.to_dict(),
            "compare_base": _jsonable_dict(compare_base),
        },
    )
    began = time.perf_counter()
    frozen = _meta_learn_all(settings, varies, meta_seeds, out, echo, context.progress)
    results = _compare_all(settings, meta_seeds, frozen, varies, out, context)
    rows, effects, pooled = ablation_tables(settings, varies, meta_seeds, results)
    seconds = time.perf_counter() - began
    title = f"{task} / {model}" + (f" (preset {preset_name})" if preset_name else "") + (" (quick)" if quick else "")
    write_ablation(out, title, AblationTables(varies, settings, rows, effects, pooled, meta_seeds), seconds)
    echo(f"[ablate] {len(settings)} settings x {meta_seeds} meta seed(s) in {seconds:.0f} s: {out}/report.md")
    return {"settings": settings, "rows": rows, "effects": effects, "pooled": pooled}


def _meta_learn_all(
    settings: list[Setting], varies: list[Vary], meta_seeds: int, out: Path, echo: Echo, progress: bool
) -> dict:
    """One meta-learning run per distinct meta configuration and meta seed (resumable)."""
    frozen: dict = {}
    data_cache: dict = {}
    for s in settings:
        for m in range(meta_seeds):
            config = replace(s.meta, seed=m)
            if (config, m) in frozen:
                continue
            folder = out / "meta" / s.meta_folder(varies) / meta_seed_name(m)
            c = s.compare
            key = (
                config.small,
                config.data,
                c.data_seed,
                c.loss,
                c.rollout_steps,
                c.rollout_method,
                c.rollout_continuity,
            )
            if key not in data_cache:  # meta-learning's inner loop on the comparison's loss
                loaded = get_task(config.task).load(seed=c.data_seed, small=config.small, data=config.data)
                data_cache[key] = c.as_trained(loaded)
            echo(f"[ablate] meta-learning {s.meta_folder(varies)}, meta seed {m}")
            result, _ = write_meta_folder(folder, config, data=data_cache[key], progress=progress)
            frozen[(config, m)] = result.frozen
    return frozen


def _compare_all(settings, meta_seeds, frozen, varies, out, context: RunContext) -> dict:
    """Every (setting, meta seed) comparison; on Ray every study's blocks are in flight at once."""
    jobs = []
    for i, s in enumerate(settings):
        for m in range(meta_seeds):
            config = replace(s.meta, seed=m)
            jobs.append((i, m, s.compare, frozen[(config, m)], out / "studies" / s.folder / meta_seed_name(m)))

    def one(job) -> StudyResult:
        i, m, compare, bank, folder = job
        arms = ", ".join(compare.arms)
        context.echo(f"[ablate] comparing {settings[i].folder}, meta seed {m}: {arms} x {compare.seeds}")
        return run_study(compare, bank, folder, **context.study_options())

    if context.backend == "ray":
        from concurrent.futures import ThreadPoolExecutor

        from physnet.study.ray_backend import start_ray

        start_ray(context.address)
        with ThreadPoolExecutor(max_workers=min(len(jobs), 32)) as pool:
            done = list(pool.map(one, jobs))
    else:
        done = [one(job) for job in jobs]
    return {(job[0], job[1]): result for job, result in zip(jobs, done, strict=True)}


def ablation_tables(
    settings: list[Setting], varies: list[Vary], meta_seeds: int, results: dict[tuple[int, int], StudyResult]
) -> tuple[list[dict], list[dict], list[dict]]:
    """The rows of ``ablation.csv`` (per setting, meta seed and arm), of ``effects.csv`` (per
    setting and meta seed) and the pooled effects per setting, from each ``(setting index,
    meta seed)``'s study result."""
    rows, effects, pooled = [], [], []
    for i, s in enumerate(settings):
        cells = {n: _jsonable(v) for n, v in s.values}
        per_seed = {m: results[(i, m)].values for m in range(meta_seeds)}
        higher = results[(i, 0)].higher_is_better
        judged = meta_seed_effects(per_seed, higher, floor=floor_mse(results[(i, 0)].scale))
        for m in range(meta_seeds):
            for arm, st in results[(i, m)].arms.items():
                rows.append(
                    {
                        **cells,
                        "meta_seed": m,
                        "arm": arm,
                        "n": st["n"],
                        "median": st["median"],
                        "q1": st["q1"],
                        "q3": st["q3"],
                    }
                )
            effects.append({**cells, "meta_seed": m, **_effect_cells(judged["per_meta_seed"][m])})
        pooled.append({**cells, **_effect_cells({"best_pure": "", **judged["pooled"]})})
    return rows, effects, pooled


def _effect_cells(e: dict) -> dict:
    """An effect's numbers and its verdict by the one rule (``KEY_verdict``; '' where not run)."""
    out = {"best_pure": e.get("best_pure") or ""}
    for key in ("learned_vs_base", "mix_vs_best_pure"):
        x = e.get(key)
        out[key + "_verdict"] = "" if x is None else judged_effect(x)
        for suffix, field in (
            ("", "diff"),
            ("_lo", "lo"),
            ("_hi", "hi"),
            ("_rel", "rel"),
            ("_rel_lo", "rel_lo"),
            ("_rel_hi", "rel_hi"),
        ):
            out[key + suffix] = "" if x is None else x[field]
    return out


def _jsonable(value):
    if isinstance(value, tuple):
        return "-".join(str(v) for v in value)
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    return value


def _jsonable_dict(config: StudyConfig) -> dict:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in config.to_dict().items()}


__all__ = ["ablation_tables", "base_configs", "run_ablation"]
