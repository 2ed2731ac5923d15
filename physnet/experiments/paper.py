"""The paper's studies per task (both models for Henon-Heiles) and all of them in one run."""

from __future__ import annotations

import resource
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from physnet.experiments.defaults import preset
from physnet.experiments.regimes import authors_numbers, default_meta_seeds
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


def reproduce_task(
    task: str,
    out: Path,
    *,
    quick: bool = False,
    seeds: int | None = None,
    data: str | None = None,
    force: bool = False,
    preset_name: str | None = None,
    echo: Echo = lambda s: None,
    progress: bool = False,
    backend: str = "process",
    address: str | None = None,
    meta_seeds: int | None = None,
) -> dict[str, dict]:
    """``reproduce`` for one task into ``out`` (Henon-Heiles: ``out/nn`` and ``out/hnn`` plus
    ``out/nn_vs_hnn.png`` and ``out/report.md``); returns the study summary per model.

    Args:
        meta_seeds: meta-learning seeds (default: the preset's for the task, else 1).
    """
    t = get_task(task)
    if data is not None and not t.accepts_data_file:
        raise ValueError(f"--data applies to tasks that read series files (clock), not {task!r}")
    models = paper_models(task)
    named = {model: preset(task, model, preset_name) for model in models}  # refuses a preset the task lacks, early
    meta_seeds = default_meta_seeds(task, preset_name) if meta_seeds is None else meta_seeds
    if meta_seeds < 1:
        raise ValueError(f"--meta-seeds must be at least 1, got {meta_seeds}")
    summaries = {}
    for model in models:
        authors = authors_numbers(task, model, preset_name)
        summaries[model] = reproduce_model(
            task,
            model,
            out / model if len(models) > 1 else out,
            quick=quick,
            seeds=seeds,
            data=data,
            force=force,
            echo=echo,
            progress=progress,
            meta_overrides=named[model]["meta"],
            compare_overrides=named[model]["compare"],
            label=preset_name,
            backend=backend,
            address=address,
            meta_seeds=meta_seeds,
            authors=authors,
        )
    if len(models) > 1:
        _nn_vs_hnn(out, summaries)
    return summaries


def _nn_vs_hnn(out: Path, summaries: dict[str, dict]) -> None:
    values = {f"{m}:{arm}": np.array(s["arms"][arm]["values"]) for m, s in summaries.items() for arm in s["arms"]}
    write_figure(out / "nn_vs_hnn.png", plot_arm_boxes(values, metric="val_mse", title="Henon-Heiles: NN vs HNN"))
    lines = ["# Henon-Heiles: conventional (NN) and Hamiltonian (HNN) networks", "", "![NN vs HNN](nn_vs_hnn.png)", ""]
    for m, s in summaries.items():
        lines += [
            f"- {m.upper()}: median val_mse per arm "
            + ", ".join(f"{a} {v['median']:.3g}" for a, v in s["arms"].items())
            + f" ([report]({m}/report.md))"
        ]
    hnn_better = summaries["hnn"]["arms"]["mix"]["median"] < summaries["nn"]["arms"]["mix"]["median"]
    lines += ["", f"On this run the HNN mix {'beat' if hnn_better else 'did not beat'} the NN mix (medians)."]
    (out / "report.md").write_text("\n".join(lines) + "\n")


def peak_rss_mb() -> float:
    """Peak resident memory of this process and its finished children, in MB (Linux)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def reproduce_all(
    out: Path,
    *,
    quick: bool = False,
    seeds: int | None = None,
    force: bool = False,
    tasks: tuple[str, ...] = PAPER_TASKS,
    echo: Echo = lambda s: None,
    progress: bool = False,
    backend: str = "process",
    address: str | None = None,
    share: bool = True,
    preset_name: str | None = None,
    meta_seeds: int | None = None,
) -> dict:
    """Every task's ``reproduce`` into ``out/<task>/``; writes ``out/timings.json`` (wall
    seconds per task and in total, peak memory) after each task and ``out/report.md``.

    With ``preset_name="paper"`` each task runs the paper regime (with its default meta
    seeds unless ``meta_seeds`` is given), MNIST-1D adds the size sweep of the paper's Fig. 4
    into ``out/mnist1d-sizes/`` (reusing its meta seed 0's types), and ``out/claims.md``
    judges each of the paper's claims on the numbers.

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
        timings["tasks"][task] = {
            "seconds": seconds,
            "finished_after": time.perf_counter() - began,
            "mix_median": {m: s["arms"]["mix"]["median"] for m, s in summaries.items()},
            **extra,
        }
        timings["total_seconds"] = time.perf_counter() - began
        timings["peak_rss_mb"] = max(peak_rss_mb(), *(t.get("peak_rss_mb", 0) for t in timings["tasks"].values()))
        write_json(out / "timings.json", timings)
        echo(f"[all] {task}: {seconds:.0f} s (total so far {timings['total_seconds']:.0f} s)")

    all_summaries: dict[str, dict[str, dict]] = {}
    if backend == "ray":
        _reproduce_all_on_ray(
            out,
            tasks,
            {"quick": quick, "seeds": seeds, "force": force, "preset_name": preset_name, "meta_seeds": meta_seeds},
            address,
            echo,
            share,
            record,
            all_summaries,
        )
    else:
        for task in tasks:
            start = time.perf_counter()
            all_summaries[task] = reproduce_task(
                task,
                out / task,
                quick=quick,
                seeds=seeds,
                force=force,
                echo=echo,
                progress=progress,
                backend=backend,
                address=address,
                preset_name=preset_name,
                meta_seeds=meta_seeds,
            )
            record(task, all_summaries[task], time.perf_counter() - start, {})
    if preset_name == "paper":
        start = time.perf_counter()
        sizes = None
        if "mnist1d" in tasks:
            echo("[all] MNIST-1D size sweep (the paper's Fig. 4) with meta seed 0's types")
            sizes = paper_size_sweep(
                out, quick=quick, seeds=seeds, force=force, echo=echo, backend=backend, address=address
            )
            timings["tasks"]["mnist1d-sizes"] = {
                "seconds": time.perf_counter() - start,
                "finished_after": time.perf_counter() - began,
                "mix_median": {},
            }
        write_claims(out, all_summaries, sizes, quick=quick)
        timings["total_seconds"] = time.perf_counter() - began
        write_json(out / "timings.json", timings)
    lines = [
        "# The paper's studies",
        "",
        f"Backend: {backend}.",
        "",
        "| task | wall time (s) | finished after (s) | report |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {t} | {v['seconds']:.0f} | {v['finished_after']:.0f} | [{t}/report.md]({t}/report.md) |"
        for t, v in timings["tasks"].items()
    ]
    lines += ["", f"Total {timings['total_seconds']:.0f} s; peak memory {timings['peak_rss_mb']:.0f} MB."]
    if preset_name == "paper":
        lines += ["", "The paper's claims, judged on these numbers: [claims.md](claims.md)."]
    (out / "report.md").write_text("\n".join(lines) + "\n")
    return timings


def _reproduce_all_on_ray(
    out: Path,
    tasks: tuple[str, ...],
    options: dict,
    address: str | None,
    echo: Echo,
    share: bool,
    record: Callable[[str, dict, float, dict], None],
    all_summaries: dict[str, dict[str, dict]],
) -> None:
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
        all_summaries[task] = summaries
        if len(summaries) > 1:
            _nn_vs_hnn(out / task, summaries)
        record(
            task,
            summaries,
            sum(r.seconds for r in done[task].values()),
            {"peak_rss_mb": max(r.peak_rss_mb for r in done[task].values())},
        )


def paper_size_sweep(
    out: Path, *, quick: bool, seeds: int | None, force: bool, echo: Echo, backend: str, address: str | None
) -> dict[str, dict]:
    """The paper regime's MNIST-1D comparison at hidden sizes 25..400 (the four paper arms),
    with the types meta-learned by ``out/mnist1d`` (meta seed 0); into ``out/mnist1d-sizes``."""
    from physnet.activations import load_activations
    from physnet.experiments.arms import PAPER_ARMS
    from physnet.experiments.reproduce import meta_seed_folder
    from physnet.experiments.sweep import sweep_sizes

    meta_seeds = len(list((out / "mnist1d").glob("meta-seed-*"))) or 1
    frozen = load_activations(meta_seed_folder(out / "mnist1d", 0, meta_seeds) / "meta" / "activations.npz")
    named = preset("mnist1d", "classifier", "paper")
    return sweep_sizes(
        "mnist1d",
        "classifier",
        [25, 50, 100, 200, 400],
        out / "mnist1d-sizes",
        quick=quick,
        seeds=seeds,
        force=force,
        echo=echo,
        compare_overrides={**named["compare"], "arms": PAPER_ARMS},
        backend=backend,
        address=address,
        frozen=frozen,
    )


def write_claims(
    out: Path, summaries: dict[str, dict[str, dict]], sizes: dict[str, dict] | None, *, quick: bool
) -> list:
    """Judge the paper's claims on a paper-preset run's summaries; writes ``out/claims.md``."""
    import json
    from datetime import date

    from physnet.experiments.claims import (
        claims_markdown,
        effect_claims,
        hessian_claim,
        hnn_vs_nn_claim,
        participation_claim,
        size_claim,
    )
    from physnet.experiments.reproduce import meta_seed_folder

    claims = []
    for task, per_model in summaries.items():
        for model, summary in per_model.items():
            n = summary.get("meta_seeds", 1)
            setting = f"paper preset, {summary['config']['seeds']} seeds per arm, {n} meta seed(s)"
            claims += effect_claims(f"{task} ({model})", summary, setting)
    if "henon-heiles" in summaries and {"nn", "hnn"} <= set(summaries["henon-heiles"]):
        hh = summaries["henon-heiles"]
        claims.append(hnn_vs_nn_claim(hh["nn"], hh["hnn"], "paper preset, meta seed 0, same arms"))
    if "mnist1d" in summaries:
        mnist = summaries["mnist1d"]["classifier"]
        folder = meta_seed_folder(out / "mnist1d", 0, mnist.get("meta_seeds", 1))
        rows = _analysis_rows(folder / "analysis.csv")
        if rows:
            claims.append(participation_claim(rows, "paper preset, meta seed 0, every seed of every analysed arm"))
        analysis = (
            json.loads((folder / "analysis.json").read_text())["arms"] if (folder / "analysis.json").exists() else {}
        )
        claims.append(hessian_claim(analysis, "paper preset, meta seed 0, Hessian of the first 10 seeds per arm"))
    if sizes:
        claims.append(size_claim(sizes, "paper preset, sizes 25-400, meta seed 0's types"))
    header = [
        f"# The paper's claims, judged on this run ({date.today().isoformat()}{', quick budget' if quick else ''})",
        "",
        "Differences of medians are signed so that positive favours the claim; an interval is the 95 % "
        "percentile bootstrap. Reproduced: every judged difference significantly in the claim's favour; "
        "not reproduced: none; mixed: some.",
        "",
    ]
    (out / "claims.md").write_text(claims_markdown(claims, header))
    return claims


def _analysis_rows(path: Path) -> list[dict]:
    import csv

    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    num = lambda v: float(v) if v not in ("", None) else float("nan")  # noqa: E731
    return [{"arm": r["arm"], "metric": num(r["metric"]), "r": num(r["r"])} for r in rows]


__all__ = ["PAPER_TASKS", "paper_models", "paper_size_sweep", "reproduce_all", "reproduce_task", "write_claims"]
