"""Where a study's blocks run: in this process (default) or as Ray tasks on a local or
remote Ray cluster (:mod:`physnet.study.ray_backend`). Both yield results as blocks
finish; the study writes them as they come."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

from physnet.activations import FrozenBank
from physnet.data import TaskData
from physnet.errors import UserError
from physnet.study.arms import needs_frozen
from physnet.study.blocks import Block, BlockResult, train_block
from physnet.study.config import StudyConfig
from physnet.study.execution import Execution

BACKENDS = ("process", "ray")


def run_blocks(
    blocks: list[Block],
    study: StudyConfig,
    data: TaskData,
    frozen: FrozenBank | None,
    execution: Execution | None = None,
    on_start: Callable[[Block], None] | None = None,
) -> Iterator[BlockResult]:
    """Train every block and yield its result as soon as it finishes (Ray and several
    workers: in finishing order). ``on_start`` is called as a block starts (Ray, workers: as it
    is submitted).

    Args:
        execution: where the blocks run (:class:`~physnet.study.execution.Execution`; its
            ``workers``: processes side by side with the process backend, None or 1: here).

    Raises:
        ValueError: an unknown backend, or Ray asked for but not installed.
        WorkerLostError: a worker process died (the message names its block).
    """
    execution = execution or Execution()
    backend, device, workers = execution.backend, execution.device, execution.workers or 1
    if backend not in BACKENDS:
        raise UserError(f"unknown backend {backend!r}; valid: {', '.join(BACKENDS)}")
    if backend == "process" and workers > 1 and len(blocks) > 1:
        from physnet.study.local_pool import pool_map

        shipped = replace(data, system=None)  # the true system is not needed to train, and may not pickle
        longest_first = sorted(blocks, key=lambda b: not needs_frozen(b.arm))  # frozen types cost the most
        jobs = [(b, (b, study, shipped, frozen, device, False)) for b in longest_first]
        describe = lambda b: f"arm {b.arm}, seeds {b.seeds[0]}-{b.seeds[-1]}"  # noqa: E731
        for _, result in pool_map(train_block, jobs, workers, on_start=on_start, describe=describe):
            yield result
        return
    if backend == "process":
        for block in blocks:
            if on_start is not None:
                on_start(block)
            yield train_block(block, study, data, frozen, device, execution.progress)
        return
    from physnet.study.ray_backend import ray_blocks  # Ray only when asked for

    yield from ray_blocks(blocks, study, data, frozen, execution.address, device, on_start)


__all__ = ["BACKENDS", "run_blocks"]
