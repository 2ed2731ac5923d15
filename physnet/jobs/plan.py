"""What a ``reproduce`` run will do, said before it starts: the models, arms, seeds and budgets,
and a training time probed on this machine (the ``compare --dry-run`` machinery:
:func:`physnet.study.predict.probe_rate`), so that a user knows what they are waiting for."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from physnet.jobs.budgets import SHORT_EPOCHS, requested_budgets
from physnet.meta import meta_config_for
from physnet.study.config import StudyConfig
from physnet.study.cost import block_size_for, pool_workers, rough_seconds, study_cost
from physnet.study.local_pool import default_workers
from physnet.study.predict import POOL_EFFICIENCY, duration, probe_rate
from physnet.tasks.presets import RunRequest, budget
from physnet.tasks.registry import get_task

#: A study roughly shorter than this (no probe) is announced without a time.
PROBE_ABOVE_SECONDS = 60.0


def training_seconds(config: StudyConfig, data, workers: int) -> float | None:
    """Predicted training time of a study (tuning included): its member-steps at the rate of a
    fixed-activation block probed here (frozen-type arms cost about the same,
    ``benchmarks/frozen_layer.py``); None for a study roughly under :data:`PROBE_ABOVE_SECONDS`
    (a probe would cost a noticeable share of it, and fixed costs make a small study's rate hard
    to extrapolate). A rollout study is always probed: its small tuning blocks spend most of their
    time in per-stage overhead, which the rough figure does not see (a quick 5-step study of a
    2,406-row series was roughly 23 s and took 140 s)."""
    cost = study_cost(config, data)
    used = pool_workers(workers, cost, running=False)
    rough = rough_seconds(config, cost) / (used * POOL_EFFICIENCY if used > 1 else 1)
    if rough < PROBE_ABOVE_SECONDS and config.loss != "rollout":
        return None
    members = min(config.seeds, block_size_for({arm: list(range(config.seeds)) for arm in config.arms}, used))
    rate = probe_rate(config, data, None, "base", members)
    one_core = cost.member_steps * rate
    return one_core / (used * POOL_EFFICIENCY) if used > 1 else one_core


def _time_clause(seconds: float | None) -> str:
    return "; under a minute of training" if seconds is None else f"; training about {duration(seconds)} (probed here)"


def model_plan(task: str, model: str, request: RunRequest) -> str:
    """One line: what ``reproduce`` will run for ``model`` and its probed training time
    (``request`` with its preset applied)."""
    quick, data = request.quick, request.data
    meta, overrides = budget(task, model, request)
    config = StudyConfig(task=task, model=model, data=data, **overrides)
    loaded = config.as_trained(get_task(task).load(seed=config.data_seed, small=config.small, data=data))
    workers = default_workers()
    seconds = training_seconds(config, loaded, workers)
    short = "short" in requested_budgets(request) and config.epochs > SHORT_EPOCHS
    if short and seconds is not None:
        shorter = replace(config, train=replace(config.train, epochs=SHORT_EPOCHS))
        seconds += training_seconds(shorter, loaded, workers) or 0.0
    outer = meta_config_for(task, model, data=data, **meta).outer_steps
    tuned = " (learning rate tuned per arm)" if config.tune else ""
    budget_text = (f"a short budget of {SHORT_EPOCHS} epochs and " if short else "") + (
        f"the {'quick' if quick else 'full'} budget of {config.epochs} epochs"
    )
    return (
        f"{model}: meta-learning {outer} outer steps, then arms {', '.join(config.arms)} x "
        f"{config.seeds} seeds{tuned} at {budget_text}, on {len(loaded.x_train):,} training samples"
        + _time_clause(seconds)
        + "; meta-learning timed after its first step"
    )


def time_left(label: str, total: int, echo) -> Callable[[int, dict], None]:
    """A step callback that says, after the first of ``total`` steps and at each quarter, how
    long the rest will take at the pace so far (``label: step 5 of 20, about 2.1 min left``)."""
    began = time.perf_counter()
    first: list[int] = []

    def on_step(step: int, record: dict) -> None:
        if not first:
            first.append(step - 1)  # a resumed run starts past its checkpoint
        done = step - first[0]
        quarter = max(1, total // 4)
        if done == 1 or (step % quarter == 0 and step < total):
            rate = (time.perf_counter() - began) / done
            echo(f"{label}: step {step} of {total}, about {duration(rate * (total - step))} left")

    return on_step


def study_plan(config: StudyConfig, data, workers: int) -> str:
    """One line for ``compare``: the arms, seeds and budget, and the predicted training time."""
    tuned = " (learning rate tuned per arm)" if config.tune else ""
    return (
        f"compare {config.task} / {config.model}: arms {', '.join(config.arms)} x {config.seeds} seeds{tuned}, "
        f"{config.epochs} epochs on {len(data.x_train):,} training samples"
        + _time_clause(training_seconds(config, data, workers))
    )


__all__ = ["PROBE_ABOVE_SECONDS", "model_plan", "study_plan", "time_left", "training_seconds"]
