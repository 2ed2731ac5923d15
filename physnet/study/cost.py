"""What a study will cost, in member-steps (ensemble members times optimiser steps), and how
it should run for that cost: whether the frozen types' compiled kernels pay for their compile
(a few seconds per process), and whether a pool of worker processes pays for its start.

A decision that changes numbers (compiled or plain kernels differ by float rounding) depends
only on the study's settings and data, never on how much of it is left to run, so a resumed
study computes its remaining seeds exactly as an uninterrupted one would.
"""

from __future__ import annotations

from dataclasses import dataclass

from physnet.data import TaskData
from physnet.networks.build import ENERGY_MODELS
from physnet.study.arms import needs_frozen
from physnet.study.tuning import tuning_grid
from physnet.training.shooting import segment_starts

#: Member-steps of frozen-type arms from which compiling their kernels pays (a compile costs
#: a few seconds; the plain kernels cost about 60 us more per member-step).
COMPILE_WORK = 100_000
#: Member-steps (all arms, left to run) from which starting a pool of workers pays.
POOL_WORK = 50_000
#: Seeds per block in this process (one ensemble per arm of up to 50 trains fastest).
BLOCK = 50
#: Blocks per worker on a pool (so that workers finish together), and the smallest block.
BLOCKS_PER_WORKER, SMALLEST_POOL_BLOCK = 4, 5


@dataclass(frozen=True)
class StudyCost:
    """Member-steps of a study: all of it, and the part in arms with frozen types."""

    member_steps: int
    frozen_member_steps: int


def study_cost(config, data: TaskData, seeds: dict[str, list[int]] | None = None) -> StudyCost:
    """The member-steps of ``config`` (a :class:`~physnet.study.config.StudyConfig`)
    on ``data``: every arm's seeds (or only ``seeds[arm]``, those left to run) and, with tuning,
    its grid's members at the study's budget."""
    rows = len(data.x_train)
    if data.rollout is not None and data.rollout.continuity is not None:  # an epoch over the shooting segments
        rows = len(segment_starts(data.train_orbit, rows, data.rollout.steps)[0])
    steps = max(1, rows // min(config.batch_size, rows)) * config.epochs
    tuning = config.tune_seeds * len(tuning_grid(config.optimizer, config.tune_grid)) if config.tune else 0
    total = frozen = 0
    for arm in config.arms:
        members = (config.seeds if seeds is None else len(seeds.get(arm, ()))) + tuning
        total += members * steps
        frozen += members * steps if needs_frozen(arm) else 0
    return StudyCost(total, frozen)


#: Seconds per member-step of a width-100 conventional network on one core of the 2-core
#: reference machine (docs/performance.md: 64 seeds x 107 steps in 0.69 s), for warnings only.
NOMINAL_SECONDS_PER_MEMBER_STEP = 1e-4
#: A study predicted to train longer than this is announced with its estimate before it starts.
LONG_STUDY_SECONDS = 1800.0


#: A rollout loss's cost per member-step over the derivative loss's, per rollout step (measured
#: with ``compare --dry-run`` on a 400-row damped record, 10-step rollouts: 12x for an nn, 7x for a
#: dhnn; the larger, rounded up).
ROLLOUT_COST_PER_STEP = 1.2


def rough_seconds(config, cost: StudyCost) -> float:
    """A rough training time of ``cost`` (no probe: :mod:`physnet.study.predict` measures one):
    the nominal rate scaled by the hidden widths, three times for an energy model (it trains on
    a gradient), :data:`ROLLOUT_COST_PER_STEP` per rollout step for the rollout loss."""
    scale = sum(config.hidden) / 100
    scale *= 3.0 if config.model in ENERGY_MODELS else 1.0
    scale *= ROLLOUT_COST_PER_STEP * config.rollout_steps if config.loss == "rollout" else 1.0
    return cost.member_steps * NOMINAL_SECONDS_PER_MEMBER_STEP * scale


def long_study_warning(config, data: TaskData) -> str | None:
    """One line announcing a study this budget would make long on these data, or None."""
    cost = study_cost(config, data)
    seconds = rough_seconds(config, cost)
    if seconds <= LONG_STUDY_SECONDS:
        return None
    return (
        f"this study is {cost.member_steps:,} member-steps on {len(data.x_train):,} training samples: roughly "
        f"{seconds / 3600:.1f} h on one core of a laptop (--quick for a first look; compare --dry-run measures "
        "this machine)"
    )


def compile_frozen(config, data: TaskData) -> bool:
    """Whether the study's frozen types use compiled kernels: when its whole frozen-type work
    (not what is left of it: see the module's note) repays the compile."""
    return study_cost(config, data).frozen_member_steps >= COMPILE_WORK


def pool_workers(workers: int, cost: StudyCost, running: bool) -> int:
    """The workers to use: ``workers`` when a pool is running already or the work repays
    starting one, else 1 (here)."""
    return workers if workers > 1 and (running or cost.member_steps >= POOL_WORK) else 1


def block_size_for(todo: dict[str, list[int]], workers: int) -> int:
    """Seeds per block when the caller does not choose: :data:`BLOCK` in this process; on
    ``workers`` processes small enough that each gets about :data:`BLOCKS_PER_WORKER` blocks,
    so that none waits long for the last (measured, 2 arms x 50 seeds at 20 epochs on 2
    workers: blocks of 50, one per arm, 1.0x the time of one process; 25: 1.5x; 10: 1.7x
    faster). Block size does not change a seed's numbers."""
    if workers <= 1:
        return BLOCK
    seeds = sum(len(s) for s in todo.values())
    return max(SMALLEST_POOL_BLOCK, min(BLOCK, -(-seeds // (BLOCKS_PER_WORKER * workers))))


__all__ = [
    "BLOCK",
    "COMPILE_WORK",
    "POOL_WORK",
    "block_size_for",
    "StudyCost",
    "compile_frozen",
    "pool_workers",
    "study_cost",
]
