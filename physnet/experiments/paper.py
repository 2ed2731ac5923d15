"""The paper's studies per task (both models for Henon-Heiles) and all of them in one run."""

from __future__ import annotations

import resource
import time
from pathlib import Path
from typing import Callable

import numpy as np

from physnet.experiments.defaults import preset
from physnet.experiments.reproduce import reproduce_model
from physnet.plots import plot_arm_boxes
from physnet.run_output import write_figure, write_json
from physnet.tasks import get_task

Echo = Callable[[str], None]
#: The tasks of ``reproduce all``, in the order they run.
PAPER_TASKS = ("mnist1d", "van-der-pol", "henon-heiles", "clock")


def paper_models(task: str) -> tuple[str, ...]:
    """The models ``reproduce`` runs for ``task``: both for Henon-Heiles (each into
    ``<task>/<model>/``), otherwise the task's first (into ``<task>/``)."""
    return ("nn", "hnn") if task == "henon-heiles" else (get_task(task).models[0],)


def reproduce_task(task: str, out: Path, *, quick: bool = False, seeds: int | None = None, data: str | None = None,
                   force: bool = False, preset_name: str | None = None, echo: Echo = lambda s: None,
                   progress: bool = False, backend: str = "process", address: str | None = None) -> dict[str, dict]:
    """``reproduce`` for one task into ``out`` (Henon-Heiles: ``out/nn`` and ``out/hnn`` plus
    ``out/nn_vs_hnn.png`` and ``out/report.md``); returns the study summary per model."""
    t = get_task(task)
    if data is not None and not t.accepts_data_file:
        raise ValueError(f"--data applies to tasks that read series files (clock), not {task!r}")
    models = paper_models(task)
    summaries = {}
    for model in models:
        named = preset(task, model, preset_name)
        summaries[model] = reproduce_model(task, model, out / model if len(models) > 1 else out, quick=quick,
                                           seeds=seeds, data=data, force=force, echo=echo, progress=progress,
                                           meta_overrides=named["meta"], compare_overrides=named["compare"],
                                           label=preset_name, backend=backend, address=address)
    if len(models) > 1:
        _nn_vs_hnn(out, summaries)
    return summaries


def _nn_vs_hnn(out: Path, summaries: dict[str, dict]) -> None:
    values = {f"{m}:{arm}": np.array(s["arms"][arm]["values"]) for m, s in summaries.items() for arm in s["arms"]}
    write_figure(out / "nn_vs_hnn.png", plot_arm_boxes(values, metric="val_mse", title="Henon-Heiles: NN vs HNN"))
    lines = ["# Henon-Heiles: conventional (NN) and Hamiltonian (HNN) networks", "", "![NN vs HNN](nn_vs_hnn.png)", ""]
    for m, s in summaries.items():
        lines += [f"- {m.upper()}: median val_mse per arm " +
                  ", ".join(f"{a} {v['median']:.3g}" for a, v in s["arms"].items()) + f" ([report]({m}/report.md))"]
    hnn_better = summaries["hnn"]["arms"]["mix"]["median"] < summaries["nn"]["arms"]["mix"]["median"]
    lines += ["", f"On this run the HNN mix {'beat' if hnn_better else 'did not beat'} the NN mix (medians)."]
    (out / "report.md").write_text("\n".join(lines) + "\n")


def peak_rss_mb() -> float:
    """Peak resident memory of this process and its finished children, in MB (Linux)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def reproduce_all(out: Path, *, quick: bool = False, seeds: int | None = None, force: bool = False,
                  tasks: tuple[str, ...] = PAPER_TASKS, echo: Echo = lambda s: None, progress: bool = False,
                  backend: str = "process", address: str | None = None, share: bool = True) -> dict:
    """Every task's ``reproduce`` into ``out/<task>/``; writes ``out/timings.json`` (wall
    seconds per task and in total, peak memory) after each task and ``out/report.md``.

    In process the tasks run one after another. With ``backend="ray"`` every task (each
    Henon-Heiles model) is a Ray task and all run at the same time (see ``paper_ray``);
    a task's ``seconds`` is then its own wall time on its worker, ``finished_after`` the
    time since the start, and ``peak_rss_mb`` the largest worker's peak (workers are
    separate processes: on one machine their peaks add up to at most the sum).
    ``share=False`` makes workers ship their files back instead of writing into ``out``.
    """
    began = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    timings: dict = {"tasks": {}, "quick": quick, "backend": backend}

    def record(task: str, summaries: dict[str, dict], seconds: float, extra: dict) -> None:
        timings["tasks"][task] = {"seconds": seconds, "finished_after": time.perf_counter() - began,
                                  "mix_median": {m: s["arms"]["mix"]["median"] for m, s in summaries.items()}, **extra}
        timings["total_seconds"] = time.perf_counter() - began
        timings["peak_rss_mb"] = max(peak_rss_mb(), *(t.get("peak_rss_mb", 0) for t in timings["tasks"].values()))
        write_json(out / "timings.json", timings)
        echo(f"[all] {task}: {seconds:.0f} s (total so far {timings['total_seconds']:.0f} s)")

    if backend == "ray":
        _reproduce_all_on_ray(out, tasks, {"quick": quick, "seeds": seeds, "force": force}, address, echo, share,
                              record)
    else:
        for task in tasks:
            start = time.perf_counter()
            summaries = reproduce_task(task, out / task, quick=quick, seeds=seeds, force=force, echo=echo,
                                       progress=progress, backend=backend, address=address)
            record(task, summaries, time.perf_counter() - start, {})
    lines = ["# The paper's studies", "", f"Backend: {backend}.", "",
             "| task | wall time (s) | finished after (s) | report |", "|---|---|---|---|"]
    lines += [f"| {t} | {v['seconds']:.0f} | {v['finished_after']:.0f} | [{t}/report.md]({t}/report.md) |"
              for t, v in timings["tasks"].items()]
    lines += ["", f"Total {timings['total_seconds']:.0f} s; peak memory {timings['peak_rss_mb']:.0f} MB."]
    (out / "report.md").write_text("\n".join(lines) + "\n")
    return timings


def _reproduce_all_on_ray(out: Path, tasks: tuple[str, ...], options: dict, address: str | None, echo: Echo,
                          share: bool, record: Callable[[str, dict, float, dict], None]) -> None:
    from physnet.experiments.paper_ray import paper_units, run_units_on_ray

    units = paper_units(tasks)
    waiting = {task: paper_models(task) for task in tasks}
    done: dict[str, dict] = {task: {} for task in tasks}
    for result in run_units_on_ray(units, out, options, address=address, echo=echo, share=share):
        task = result.unit.task
        done[task][result.unit.model] = result
        if set(done[task]) != set(waiting[task]):
            continue
        summaries = {m: done[task][m].summary for m in waiting[task]}
        if len(summaries) > 1:
            _nn_vs_hnn(out / task, summaries)
        record(task, summaries, sum(r.seconds for r in done[task].values()),
               {"peak_rss_mb": max(r.peak_rss_mb for r in done[task].values())})


__all__ = ["PAPER_TASKS", "paper_models", "reproduce_all", "reproduce_task"]
