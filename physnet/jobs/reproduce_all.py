"""``reproduce all``: every task of the paper into one folder, one after another in this
process or all at once as Ray tasks, with the timings, a report and (paper preset) the size
sweep and the judged claims."""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path

from physnet.jobs.context import DEFAULT_CONTEXT, Echo, RunContext
from physnet.jobs.reproduce import paper_models, reproduce_model, reproduce_task
from physnet.jobs.sweep import paper_size_sweep
from physnet.reports.claims_report import write_claims
from physnet.reports.outputs import write_models_comparison
from physnet.reports.timings import Timings
from physnet.tasks.presets import RunRequest

#: The tasks of ``reproduce all``, in the order they run.
PAPER_TASKS = ("mnist1d", "van-der-pol", "henon-heiles", "clock")


def reproduce_all(
    out: Path,
    request: RunRequest | None = None,
    *,
    tasks: tuple[str, ...] = PAPER_TASKS,
    share: bool = True,
    context: RunContext = DEFAULT_CONTEXT,
) -> dict:
    """Every task's ``reproduce`` into ``out/<task>/``; writes ``out/timings.json`` (wall
    seconds per task and in total, peak memory) after each task and ``out/report.md``.

    ``request``: the budget, preset, seeds and the caller's settings every task runs with
    (:class:`~physnet.tasks.presets.RunRequest`). With the ``paper`` preset each task runs the
    paper regime (with its default meta seeds unless ``meta_seeds`` is given), MNIST-1D adds the
    size sweep of the paper's Fig. 4 into ``out/mnist1d-sizes/`` (reusing its meta seed 0's
    types), and ``out/claims.md`` judges each of the paper's claims on the numbers.

    In process the tasks run one after another. With ``backend="ray"`` every task (each
    Henon-Heiles model) is a Ray task and all run at the same time
    (:mod:`~physnet.study.ray_backend`); a task's ``seconds`` is then its own wall time
    on its worker, ``finished_after`` the time since the start, and ``peak_rss_mb`` the
    largest worker's peak (workers are separate processes: on one machine their peaks add up
    to at most the sum). ``share=False`` makes workers ship their files back instead of
    writing into ``out``. ``context``: where the blocks run, what is printed, whether to
    start afresh.
    """
    echo, backend = context.echo, context.backend
    request = request or RunRequest()
    out.mkdir(parents=True, exist_ok=True)
    timings = Timings(out, quick=request.quick, backend=backend)
    if backend == "ray":
        summaries = _all_on_ray(out, tasks, request, context, share, timings)
    else:
        summaries = {}
        for task in tasks:
            start = time.perf_counter()
            summaries[task] = reproduce_task(task, out / task, request, context=context)
            total = timings.task_done(task, summaries[task], time.perf_counter() - start)
            echo(f"[all] {task}: {time.perf_counter() - start:.0f} s (total so far {total:.0f} s)")
    if request.preset == "paper":
        _paper_extras(out, tasks, summaries, timings, request, context)
    lines = ["# The paper's studies", "", f"Backend: {backend}.", "", *timings.table()]
    if request.preset == "paper":
        lines += ["", "The paper's claims, judged on these numbers: [claims.md](claims.md)."]
    (out / "report.md").write_text("\n".join(lines) + "\n")
    return timings.record


def _paper_extras(out: Path, tasks, summaries, timings: Timings, request: RunRequest, context: RunContext) -> None:
    """The paper preset's size sweep (MNIST-1D, the paper's Fig. 4) and ``claims.md``."""
    sizes = None
    if "mnist1d" in tasks:
        start = time.perf_counter()
        context.echo("[all] MNIST-1D size sweep (the paper's Fig. 4) with meta seed 0's types")
        sizes = paper_size_sweep(out, request, context=context)
        timings.record["tasks"]["mnist1d-sizes"] = {
            "seconds": time.perf_counter() - start,
            "finished_after": time.perf_counter() - timings.began,
            "mix_median": {},
        }
    write_claims(out, summaries, sizes, quick=request.quick)
    timings.write()


def reproduce_unit(unit, root: Path, echo: Echo, *, request: RunRequest, force: bool) -> dict:
    """One Ray unit's ``reproduce`` (a task's model into ``root``) for ``request``."""
    context = RunContext(backend="ray", echo=echo, force=force)
    return reproduce_model(unit.task, unit.model, root, request, context=context)


def paper_units(tasks: tuple[str, ...]) -> list:
    """The Ray units for ``tasks``: one per model that ``reproduce`` runs (:func:`paper_models`)."""
    from physnet.study.ray_backend import Unit

    units = []
    for task in tasks:
        models = paper_models(task)
        units += [Unit(task, m, f"{task}/{m}" if len(models) > 1 else task) for m in models]
    return units


def _all_on_ray(
    out: Path, tasks: tuple[str, ...], request: RunRequest, context: RunContext, share: bool, timings: Timings
) -> dict[str, dict[str, dict]]:
    from physnet.study.ray_backend import run_units_on_ray

    echo, address = context.echo, context.address
    waiting = {task: paper_models(task) for task in tasks}
    done: dict[str, dict] = {task: {} for task in tasks}
    summaries: dict[str, dict[str, dict]] = {}
    work = partial(reproduce_unit, request=request, force=context.force)
    for result in run_units_on_ray(paper_units(tasks), out, work, address=address, echo=echo, share=share):
        task = result.unit.task
        done[task][result.unit.model] = result
        if set(done[task]) != set(waiting[task]):
            continue
        summaries[task] = {m: done[task][m].summary for m in waiting[task]}
        if len(summaries[task]) > 1:
            write_models_comparison(out / task, summaries[task])
        seconds = sum(r.seconds for r in done[task].values())
        peak = max(r.peak_rss_mb for r in done[task].values())
        total = timings.task_done(task, summaries[task], seconds, peak_rss_mb=peak)
        echo(f"[all] {task}: {seconds:.0f} s (total so far {total:.0f} s)")
    return summaries


__all__ = ["PAPER_TASKS", "paper_units", "reproduce_all", "reproduce_unit"]
