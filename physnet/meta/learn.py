"""Meta-learning neuron types (the paper's Algorithm 1).

The inner loop trains the network weights theta on the task loss; after every
``inner_steps`` inner steps an outer step updates the sub-network weights theta_s of the
learned activation types. Modes:

- ``first-order``: the outer gradient is the task loss's gradient with respect to theta_s
  on a fresh batch, theta held fixed (the JAX reference).
- ``unrolled``: the outer gradient differentiates through the inner updates (the
  PyTorch reference); through all of them by default, or only the last ``truncate``.

``first-order`` is ``unrolled`` truncated to zero steps, and the code treats it so.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

from tqdm.auto import tqdm

from physnet.data import TaskData
from physnet.io import folder_lock
from physnet.meta.config import DTYPES, MODES, OUTER_OPTIMIZERS, REINIT_MODES, MetaConfig, meta_config_for
from physnet.meta.outer_step import outer_step
from physnet.meta.run import MetaResult, MetaRun, make_bank
from physnet.meta.unrolled import inner_loop
from physnet.tasks.registry import get_task


def meta_learn(
    config: MetaConfig,
    *,
    data: TaskData | None = None,
    checkpoint: str | Path | None = None,
    resume: bool = False,
    progress: bool = False,
    stop_after: int | None = None,
    on_step: Callable[[int, dict], None] | None = None,
) -> MetaResult:
    """Run the paper's Algorithm 1 and return the learned and frozen activation types.

    Args:
        config: the settings; ``config.seed`` makes the run reproducible.
        data: the task's data (default: loaded from the task registry).
        checkpoint: file written every ``checkpoint_every`` outer steps (and at the end).
        resume: continue from ``checkpoint`` if it exists; the result equals that of an
            uninterrupted run.
        progress: show a progress bar over outer steps.
        stop_after: stop after this many outer steps (checkpointed), as an interruption would.
        on_step: called with ``(outer_step, record)`` after each outer step.

    Raises:
        TrainingDivergedError: a NaN or infinite loss, naming the outer and inner step;
            the last checkpoint is kept.
    """
    if checkpoint is None:
        return _meta_learn(config, data, checkpoint, resume, progress, stop_after, on_step)
    with folder_lock(Path(checkpoint).parent):
        return _meta_learn(config, data, checkpoint, resume, progress, stop_after, on_step)


def _meta_learn(
    config: MetaConfig,
    data: TaskData | None,
    checkpoint: str | Path | None,
    resume: bool,
    progress: bool,
    stop_after: int | None,
    on_step: Callable[[int, dict], None] | None,
) -> MetaResult:
    if data is None:
        data = get_task(config.task).load(seed=config.seed, small=config.small, data=config.data)
    run = MetaRun(config, data, Path(checkpoint) if checkpoint else None)
    start = run.resume() if resume else 0
    if start == 0:
        run.record(0, math.nan, math.nan, 0.0)
    last = run.config.outer_steps if stop_after is None else min(run.config.outer_steps, stop_after)
    bar = tqdm(range(start + 1, last + 1), disable=not progress, desc=f"meta {config.task}/{config.model}")
    for step in bar:
        rec = run.step(step)
        bar.set_postfix(val=f"{rec['val_loss']:.3g}")
        if on_step is not None:
            on_step(step, rec)
        if step % run.config.checkpoint_every == 0 or step == last:
            run.save(step)
    return run.result(completed=last == run.config.outer_steps)


__all__ = [
    "DTYPES",
    "MODES",
    "OUTER_OPTIMIZERS",
    "REINIT_MODES",
    "MetaConfig",
    "MetaResult",
    "MetaRun",
    "inner_loop",
    "make_bank",
    "meta_config_for",
    "meta_learn",
    "outer_step",
]
