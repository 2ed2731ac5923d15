"""The paper's comparison protocol: fresh networks from many seeds in each arm, same data,
budget and hyperparameters; results kept per seed so a study resumes and extends."""

from __future__ import annotations

import inspect
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from physnet.activations import FrozenBank
from physnet.data import TaskData
from physnet.errors import UserError
from physnet.io import folder_lock
from physnet.study.arms import check_arms, control_fits
from physnet.study.backends import run_blocks
from physnet.study.blocks import block_rows, plan_blocks
from physnet.study.config import StudyConfig
from physnet.study.cost import BLOCK, block_size_for, compile_frozen, long_study_warning, pool_workers, study_cost
from physnet.study.effects import study_effects
from physnet.study.execution import Execution
from physnet.study.failures import arm_failures, failure_rule, mark_stuck
from physnet.study.folder import StudyFolder
from physnet.study.local_pool import default_workers, pool_running
from physnet.study.metric_scale import floor_mse, metric_scale
from physnet.study.model_store import DTYPES
from physnet.study.predict import duration
from physnet.study.rate_choice import tune_and_choose
from physnet.study.references import SindyArm, check_references, fit_sindy, study_baselines, worth_it
from physnet.study.statistics import summarize
from physnet.study.tuning import ArmTuning, tuning_split, tuning_summary
from physnet.tasks.registry import get_task

#: Members trained together in one batched ensemble.
CHUNK = BLOCK  # the name of earlier releases


@dataclass
class StudyResult:
    """Per-arm metric values (``{arm: (n,)}``), summaries, tests, effects and bookkeeping.

    ``effects``: :func:`~physnet.study.effects.study_effects`; ``fits``: each learned
    type's fit within ``sin(a x) + b x + c`` where the ``fit`` controls ran; ``failures``:
    failed seeds per arm and ``failure_rule`` what failing meant
    (:mod:`physnet.study.failures`); ``tuning``: each arm's chosen learning rate and
    its curve (:func:`~physnet.study.tuning.tuning_summary`), None without tuning;
    ``scale``: the targets' variance and noise floor (:mod:`physnet.study.metric_scale`);
    ``baselines``: the reference arms run (:mod:`physnet.study.references`) and ``sindy`` the
    sparse regression's fits where it ran.
    """

    values: dict[str, np.ndarray]
    arms: dict
    tests: dict
    metric: str
    higher_is_better: bool
    seconds: dict[str, float] = field(default_factory=dict)
    effects: dict = field(default_factory=dict)
    fits: list | None = None
    failures: dict = field(default_factory=dict)
    failure_rule: dict = field(default_factory=dict)
    tuning: dict | None = None
    tunings: dict[str, ArmTuning] = field(default_factory=dict)
    failed_seeds: dict[str, np.ndarray] = field(default_factory=dict)
    scale: dict = field(default_factory=dict)
    baselines: tuple[str, ...] = ()
    sindy: SindyArm | None = None
    data_size: dict = field(default_factory=dict)

    def worth_it(self) -> dict | None:
        """The best network arm against sparse regression on the one-step metric (``None``
        without it, or for a classifier): ``{"arm", "effect"}`` (positive: the network better)."""
        if self.sindy is None or self.higher_is_better:
            return None
        return worth_it(self.values, self.sindy.values, floor=floor_mse(self.scale))


def run_study(
    config: StudyConfig,
    frozen: FrozenBank | None,
    out: Path,
    *,
    data: TaskData | None = None,
    force: bool = False,
    on_arm: Callable[[str, list[int]], None] | None = None,
    execution: Execution | None = None,
) -> StudyResult:
    """Train ``config.seeds`` fresh networks per arm (one batched ensemble per arm and chunk
    of seeds), record each seed's validation metric in ``out/runs.csv`` as soon as its block
    finishes, store the networks in ``out/models/ARM.pt``, and summarise
    (:class:`~physnet.study.folder.StudyFolder` owns the files).

    Seeds already in ``runs.csv`` are skipped, so an interrupted study resumes and a larger
    ``seeds`` extends it. With ``config.tune``, each arm's learning rate is chosen first
    (:mod:`physnet.study.tuning`; ``out/tuning.csv`` grows arm by arm and resumes too).

    Args:
        data: the study's data in place of the task's.
        force: start afresh in a folder holding another study.
        on_arm: called with the arm and its seeds as each block (and tuning) starts.
        execution: where and how the blocks run (:class:`~physnet.study.execution.Execution`:
            device, backend, workers, block size, progress; none of it changes a number).
    """
    execution = execution or Execution()
    data, held = _prepare(config, frozen, data, execution)
    with folder_lock(out):
        folder = StudyFolder(out)
        return _run(config, frozen, (data, held), folder, folder.begin(config, frozen, force), execution, on_arm)


def run_study_in_memory(
    config: StudyConfig,
    frozen: FrozenBank | None,
    *,
    data: TaskData | None = None,
    execution: Execution | None = None,
) -> StudyResult:
    """The same study as :func:`run_study` with no files: every seed of every arm trained
    now (after tuning, with ``config.tune``) and the result returned (the networks are not
    kept). The same seeds give the same numbers as a study folder."""
    execution = execution or Execution()
    data, held = _prepare(config, frozen, data, execution)
    return _run(config, frozen, (data, held), None, [], execution, None)


def _prepare(config: StudyConfig, frozen: FrozenBank | None, data: TaskData | None, execution: Execution):
    """The study's data and its tuning split, every refusal that needs no training made first."""
    task = _check_study(config, frozen, execution.block_size)
    data = _study_data(config, task, data, execution.device)
    check_references(config.baselines, config.sindy_degree, data)  # before any work
    held = tuning_split(data, config.tune_fraction) if config.tune else None  # too small: refused before any work
    long = long_study_warning(config, data)
    if long is not None:
        warnings.warn(long, RuntimeWarning, stacklevel=3)
    return data, held


def _run(
    config: StudyConfig,
    frozen: FrozenBank | None,
    prepared: tuple[TaskData, tuple[TaskData, str] | None],
    folder: StudyFolder | None,
    rows: list[dict],
    execution: Execution,
    on_arm: Callable[[str, list[int]], None] | None,
) -> StudyResult:
    """Tune, train the seeds ``rows`` does not hold yet, and summarise; with a ``folder``,
    every tuning and block recorded as it finishes (a study in memory keeps nothing)."""
    data, held = prepared
    done = {(r["arm"], int(r["seed"])) for r in rows}
    todo = {arm: [s for s in range(config.seeds) if (arm, s) not in done] for arm in config.arms}
    execution = _resolved(execution, config, data, todo)
    tunings: dict[str, ArmTuning] = {}
    tuning = None
    if held is not None:
        floor = floor_mse(metric_scale(data))
        on_tune = on_arm if folder is not None else None
        tunings, choice = tune_and_choose(config, frozen, held[0], folder, execution, on_tune, floor)
        tuning = tuning_summary(tunings, held[1], config, choice)
        if folder is not None:
            folder.record_tuning(tuning)
    rates = {arm: t.chosen for arm, t in tunings.items()}
    rule = failure_rule(data.y_train, data.loss)
    seconds: dict[str, float] = {}
    for result, block_seconds in _train_blocks(config, frozen, data, todo, execution, on_arm, rates):
        rows = mark_stuck(rows + block_rows(config, result), rule)
        if folder is not None:
            folder.add_block(result, rows)
        seconds[result.block.arm] = seconds.get(result.block.arm, 0.0) + block_seconds
    return study_result(config, frozen, rows, data, seconds, tuning, tunings)


def _resolved(execution: Execution, config: StudyConfig, data: TaskData, todo: dict[str, list[int]]) -> Execution:
    """The execution with its workers, block size and compiled kernels decided from the whole
    study's work (a resume decides the same)."""
    compiled = compile_frozen(config, data) if execution.compiled is None else execution.compiled
    workers = default_workers() if execution.workers is None else execution.workers
    workers = pool_workers(workers, study_cost(config, data, todo), pool_running())
    block_size = execution.block_size or block_size_for(todo, workers if execution.backend == "process" else 1)
    return replace(execution, compiled=compiled, workers=workers, block_size=block_size)


def compare(
    config: StudyConfig, frozen: FrozenBank | None = None, *, out: str | Path | None = None, **options: Any
) -> StudyResult:
    """Compare the arms of ``config`` over its seeds: in memory, or, with ``out``, into a
    resumable study folder (``runs.csv``, ``config.json``, ``models/``).

    Args:
        frozen: the learned types (:func:`physnet.freeze` or :func:`physnet.load_activations`),
            needed by ``type1``, ``type2``, ``mix`` and the controls.
        options: ``data`` (a :class:`TaskData` in place of the task's), ``device``,
            ``progress``, ``backend``, ``block_size``, ``workers`` (processes training blocks
            side by side; call from a script guarded by ``if __name__ == "__main__":``); with
            ``out`` also ``force``.

    Returns:
        :class:`StudyResult`: ``values[arm]`` the metric per seed ``(seeds,)`` in seed order,
        ``arms`` the summaries, ``tests`` and ``effects`` the mix against each arm.
    """
    data, force = options.pop("data", None), options.pop("force", False)
    execution = Execution(**options)
    if out is None:
        return run_study_in_memory(config, frozen, data=data, execution=execution)
    return run_study(config, frozen, Path(out), data=data, force=force, execution=execution)


def _check_study(config: StudyConfig, frozen: FrozenBank | None, block_size: int | None):
    check_arms(list(config.arms), frozen)
    if block_size is not None and block_size < 1:
        raise UserError(f"block size must be at least one seed, got {block_size}")
    task = get_task(config.task)
    if config.model not in task.models:
        raise UserError(f"task {config.task!r} takes models {', '.join(task.models)}, not {config.model!r}")
    return task


def _study_data(config: StudyConfig, task, data: TaskData | None, device: str) -> TaskData:
    if data is None:
        data = task.load(seed=config.data_seed, small=config.small, data=config.data)
    if data.loss != "rollout":  # data already in rollout form (a caller's) stay as given
        data = config.as_trained(data)
    return data.to(device, DTYPES[config.dtype])


def _train_blocks(config, frozen, data, todo, execution: Execution, on_arm, rates):
    """Each finished block with the wall seconds since the previous one came back; a block's
    start is announced with its number and, once one has finished, the time left at the pace so
    far (``base [block 3 of 8, about 2 min left]``)."""
    blocks = plan_blocks(config.arms, todo, execution.block_size or BLOCK, rates, execution.compiled)
    first, finished, started = time.perf_counter(), [0], [0]

    def start(b) -> None:
        started[0] += 1
        left = ""
        if finished[0]:
            pace = (time.perf_counter() - first) / finished[0]
            left = f", about {duration(pace * (len(blocks) - finished[0]))} left"
        assert on_arm is not None
        note = f"block {started[0]} of {len(blocks)}{left}"
        if takes_note(on_arm):
            on_arm(b.arm, list(b.seeds), note=note)
        else:
            on_arm(b.arm, list(b.seeds))

    began = time.perf_counter()
    for result in run_blocks(blocks, config, data, frozen, execution, None if on_arm is None else start):
        finished[0] += 1
        yield result, time.perf_counter() - began
        began = time.perf_counter()


def takes_note(callback: Callable) -> bool:
    """Whether an ``on_arm`` callback takes the progress ``note`` keyword (``block 3 of 8, about
    2 min left``); a callback of ``(arm, seeds)`` alone gets the arm's name and seeds only."""
    try:
        return "note" in inspect.signature(callback).parameters
    except (TypeError, ValueError):
        return False


def study_result(
    config: StudyConfig,
    frozen: FrozenBank | None,
    rows: list[dict],
    data: TaskData,
    seconds: dict,
    tuning: dict | None = None,
    tunings: dict[str, ArmTuning] | None = None,
) -> StudyResult:
    """Summaries, tests, effects and failures from the finished rows (seeds beyond
    ``config.seeds`` left out)."""
    classification = data.loss == "cross_entropy"
    baselines = study_baselines(config.baselines, data)
    sindy = (
        fit_sindy(data, config.seeds, fraction=config.tune_fraction, degree=config.sindy_degree)
        if "sindy" in baselines
        else None
    )
    by_seed = sorted(rows, key=lambda r: int(r["seed"]))  # blocks may return in any order (Ray)
    values = {
        arm: np.array([float(r["metric"]) for r in by_seed if r["arm"] == arm and int(r["seed"]) < config.seeds])
        for arm in config.arms
    }
    failed = {
        arm: np.array([bool(r.get("failure")) for r in by_seed if r["arm"] == arm and int(r["seed"]) < config.seeds])
        for arm in config.arms
    }
    scale = metric_scale(data)
    arms, tests = summarize(values, floor=floor_mse(scale))
    fits = control_fits(frozen) if any(a.startswith("fit") for a in config.arms) else None
    metric = "val_accuracy" if classification else "val_mse"
    return StudyResult(
        values,
        arms,
        tests,
        metric,
        classification,
        seconds,
        study_effects(values, classification, floor=floor_mse(scale)),
        fits,
        arm_failures(rows, config.arms, config.seeds),
        failure_rule(data.y_train, data.loss).to_dict(),
        tuning,
        dict(tunings or {}),
        failed,
        scale,
        baselines,
        sindy,
        data_size(data),
    )


def data_size(data: TaskData) -> dict:
    """How much data the study trained on: rows and orbits (or groups; None for one series or
    independent samples) of each split."""

    def groups(orbit) -> int | None:
        return None if orbit is None else len(set(orbit.cpu().tolist()))

    return {
        "train_rows": len(data.x_train),
        "train_groups": groups(data.train_orbit),
        "val_rows": len(data.x_val),
        "val_groups": groups(data.val_orbit),
    }


def study_summary(config: StudyConfig, result: StudyResult, extra: dict | None = None) -> dict:
    """The content of ``summary.json``."""
    return {
        "task": config.task,
        "model": config.model,
        "metric": result.metric,
        "higher_is_better": result.higher_is_better,
        "arms": result.arms,
        "tests": result.tests,
        "effects": result.effects,
        "sine_fits": result.fits,
        "failures": result.failures,
        "failure_rule": result.failure_rule,
        "tuning": result.tuning,
        "scale": result.scale,
        "baselines": list(result.baselines),
        "references": {} if result.sindy is None else {"sindy": result.sindy.to_dict()},
        "worth_it": result.worth_it(),
        "data": result.data_size,
        "seconds_per_arm": result.seconds,
        "config": {**config.to_dict(), **(extra or {})},
    }


__all__ = [
    "CHUNK",
    "StudyConfig",
    "compare",
    "StudyResult",
    "block_rows",
    "run_study",
    "run_study_in_memory",
    "study_result",
    "study_summary",
]
