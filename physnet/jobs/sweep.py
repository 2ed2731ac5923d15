"""The size sweep (the paper's Fig. 4): the comparison protocol at several hidden sizes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from physnet.activations import FrozenBank, load_activations, save_activations
from physnet.errors import UserError
from physnet.io import write_figure, write_json
from physnet.jobs.context import DEFAULT_CONTEXT, RunContext
from physnet.meta import meta_config_for, meta_learn
from physnet.plots.study import plot_size_sweep
from physnet.reports.outputs import write_study
from physnet.study.arms import PAPER_ARMS
from physnet.study.layout import meta_seed_folder
from physnet.study.run import StudyConfig, run_study
from physnet.tasks.presets import RunRequest, budget, preset


def sweep_sizes(
    task: str,
    model: str,
    sizes: list[int],
    out: Path,
    request: RunRequest | None = None,
    *,
    frozen: FrozenBank | None = None,
    context: RunContext = DEFAULT_CONTEXT,
) -> dict:
    """Meta-learn two types once (at the task's default size; activations are functions of
    one variable, usable at any width), then run the comparison at each hidden size into
    ``out/size-N/``; write ``out/sizes.png`` and ``out/summary.json`` keyed by size. With
    ``backend="ray"`` the sizes' studies run at the same time (all their blocks submitted).

    Args:
        request: the budget, preset, seeds and the caller's settings
            (:class:`~physnet.tasks.presets.RunRequest`).
        frozen: types learned already (then no meta-learning here).
        context: where the blocks run, what is printed, whether to start afresh.
    """
    echo, backend = context.echo, context.backend
    if not sizes or min(sizes) < 1:
        raise UserError(f"sizes must be positive integers, got {sizes}")
    out.mkdir(parents=True, exist_ok=True)
    request = (request or RunRequest()).with_preset(task, model)
    meta, overrides = budget(task, model, request)
    if frozen is None:
        meta_config = meta_config_for(task, model, data=request.data, **meta)
        echo(f"[{task}/{model}] meta-learning once: {meta_config.outer_steps} outer x {meta_config.inner_steps} inner")
        frozen = meta_learn(meta_config, checkpoint=out / "meta-checkpoint.pt", resume=True).frozen
    save_activations(out / "activations.npz", frozen)
    configs = {
        size: StudyConfig(task=task, model=model, data=request.data, **{**overrides, "hidden": (size,)})
        for size in sizes
    }

    def study(size: int):
        echo(f"[{task}/{model}] hidden size {size}: {configs[size].seeds} seeds per arm")
        return run_study(configs[size], frozen, out / f"size-{size}", **context.study_options(progress=False))

    if backend == "ray":  # every size's blocks in flight at once: one driver thread per size waits on Ray
        from concurrent.futures import ThreadPoolExecutor

        from physnet.study.ray_backend import start_ray

        start_ray(context.address)
        with ThreadPoolExecutor(max_workers=len(sizes)) as pool:
            results = dict(zip(sizes, pool.map(study, sizes), strict=True))
    else:
        results = {size: study(size) for size in sizes}
    summaries, values = {}, {}
    for size in sizes:  # files and figures from this thread only
        summaries[str(size)] = write_study(out / f"size-{size}", configs[size], results[size])
        values[size] = results[size].values
    metric = next(iter(summaries.values()))["metric"]
    write_figure(out / "sizes.png", plot_size_sweep(values, metric=metric, title=f"{task} / {model}"))
    write_json(out / "summary.json", {"task": task, "model": model, "metric": metric, "sizes": summaries})
    return summaries


def paper_size_sweep(out: Path, request: RunRequest, *, context: RunContext) -> dict[str, dict]:
    """The paper regime's MNIST-1D comparison at hidden sizes 25..400 (the four paper arms),
    with the types meta-learned by ``out/mnist1d`` (meta seed 0); into ``out/mnist1d-sizes``."""
    meta_seeds = len(list((out / "mnist1d").glob("meta-seed-*"))) or 1
    frozen = load_activations(meta_seed_folder(out / "mnist1d", 0, meta_seeds) / "meta" / "activations.npz")
    named = preset("mnist1d", "classifier", "paper")["compare"]  # as settings over the task's budget, not a regime
    sweep = replace(request, preset=None, compare_overrides={**named, **request.compare_overrides, "arms": PAPER_ARMS})
    return sweep_sizes(
        "mnist1d", "classifier", [25, 50, 100, 200, 400], out / "mnist1d-sizes", sweep, frozen=frozen, context=context
    )


__all__ = ["sweep_sizes"]
