"""Where a study's blocks run: in this process (default) or as Ray tasks on a local or
remote Ray cluster (:mod:`physnet.experiments.ray_backend`). Both yield results as blocks
finish; the study writes them as they come."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from physnet.activations import FrozenBank
from physnet.experiments.blocks import Block, BlockResult, train_block
from physnet.experiments.study_config import StudyConfig
from physnet.tasks import TaskData

BACKENDS = ("process", "ray")


def run_blocks(
    blocks: list[Block],
    study: StudyConfig,
    data: TaskData,
    frozen: FrozenBank | None,
    *,
    backend: str = "process",
    address: str | None = None,
    device: str = "cpu",
    progress: bool = False,
    on_start: Callable[[Block], None] | None = None,
) -> Iterator[BlockResult]:
    """Train every block and yield its result as soon as it finishes (Ray: in finishing order).
    ``on_start`` is called as a block starts (Ray: as it is submitted).

    Raises:
        ValueError: an unknown backend, or Ray asked for but not installed.
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; valid: {', '.join(BACKENDS)}")
    if backend == "process":
        for block in blocks:
            if on_start is not None:
                on_start(block)
            yield train_block(block, study, data, frozen, device, progress)
        return
    from physnet.experiments.ray_backend import ray_blocks  # Ray only when asked for

    yield from ray_blocks(blocks, study, data, frozen, address, device, on_start)


__all__ = ["BACKENDS", "run_blocks"]
