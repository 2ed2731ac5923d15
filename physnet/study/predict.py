"""What a study will take before it runs (``physnet compare --dry-run``): its member-steps
(:mod:`physnet.study.cost`: ensemble members times optimiser steps, tuning included) times the
seconds one member-step takes *on this machine*, measured by a short probe - a few dozen steps
of the study's own networks, one block of a fixed-activation arm and one of a frozen-type arm.

Training dominates a study's time, and its cost is linear in member-steps (seeds x epochs x
batches per epoch; ``benchmarks/scaling.py`` measures the exponents), so the probe's rate
extrapolates. What it leaves out: forecasts and reports after training (seconds), and a first
compile of the frozen types' kernels (a few seconds per process).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from physnet.activations import FrozenBank
from physnet.data import TaskData
from physnet.study.arms import needs_frozen
from physnet.study.blocks import Block, train_block
from physnet.study.config import StudyConfig
from physnet.study.cost import StudyCost, block_size_for, pool_workers, study_cost

#: Optimiser steps of each probe (after as many unmeasured ones, which pay the first calls).
PROBE_STEPS = 20
#: The pool's speed-up per worker as measured on 2 cores (benchmarks/fair_answer.py: about 1.7x
#: for 2 workers), used to turn one core's time into the workers' time.
POOL_EFFICIENCY = 0.85


@dataclass(frozen=True)
class Prediction:
    """A study's predicted training time.

    Attributes:
        cost: its member-steps (all, and in frozen-type arms).
        rate: seconds per member-step of a fixed-activation arm, as probed here.
        frozen_rate: the same for a frozen-type arm (None: the study has none).
        workers: worker processes the study would use (:func:`~physnet.study.cost.pool_workers`).
        seconds: predicted wall time of the training.
    """

    cost: StudyCost
    rate: float
    frozen_rate: float | None
    workers: int
    seconds: float

    def lines(self) -> list[str]:
        """The prediction as ``--dry-run`` prints it."""
        frozen = "" if self.frozen_rate is None else f", frozen-type arms {1e6 * self.frozen_rate:.0f} us"
        return [
            f"work: {self.cost.member_steps:,} member-steps ({self.cost.frozen_member_steps:,} in frozen-type arms)",
            f"measured here: {1e6 * self.rate:.0f} us per member-step{frozen}",
            f"predicted training time: {duration(self.seconds)} on {self.workers} worker(s) "
            "(forecasts and reports add seconds)",
        ]


def predict_study(
    config: StudyConfig, frozen: FrozenBank | None, data: TaskData, *, workers: int = 1, block_size: int | None = None
) -> Prediction:
    """Probe this machine's speed on ``config``'s networks (blocks of the size the study would
    use) and predict the study's training time."""
    cost = study_cost(config, data)
    used = pool_workers(workers, cost, running=False)
    block = block_size or block_size_for({arm: list(range(config.seeds)) for arm in config.arms}, used)
    members = min(config.seeds, block)
    fixed_arm = next((a for a in config.arms if not needs_frozen(a)), None)
    frozen_arm = next((a for a in config.arms if needs_frozen(a)), None)
    rate = probe_rate(config, data, frozen, fixed_arm or "base", members)
    frozen_rate = probe_rate(config, data, frozen, frozen_arm, members) if frozen_arm else None
    one_core = (cost.member_steps - cost.frozen_member_steps) * rate + cost.frozen_member_steps * (frozen_rate or 0.0)
    seconds = one_core / (used * POOL_EFFICIENCY) if used > 1 else one_core
    return Prediction(cost, rate, frozen_rate, used, seconds)


def probe_rate(config: StudyConfig, data: TaskData, frozen: FrozenBank | None, arm: str, members: int) -> float:
    """Seconds per member-step of ``members`` seeds of ``arm`` trained as one ensemble on a
    slice of the training split (:data:`PROBE_STEPS` batches, timed after as many)."""
    batch = min(config.batch_size, len(data.x_train))
    rows = min(len(data.x_train), PROBE_STEPS * batch)
    sliced = replace(
        data,
        x_train=data.x_train[:rows],
        y_train=data.y_train[:rows],
        x_val=data.x_val[:batch],
        y_val=data.y_val[:batch],
        train_orbit=None if data.train_orbit is None else data.train_orbit[:rows],
        val_orbit=None if data.val_orbit is None else data.val_orbit[:batch],
    )
    probe = replace(config, train=replace(config.train, epochs=1))
    block = Block(arm, tuple(range(members)))
    train_block(block, probe, sliced, frozen)  # the first calls (allocations, kernels) unmeasured
    began = time.perf_counter()
    train_block(block, probe, sliced, frozen)
    steps = max(1, rows // batch)
    return (time.perf_counter() - began) / (members * steps)


def duration(seconds: float) -> str:
    """``42 s``, ``3.5 min`` or ``1.2 h``."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


__all__ = ["POOL_EFFICIENCY", "PROBE_STEPS", "Prediction", "duration", "predict_study", "probe_rate"]
