"""Where and how a study's work runs - the device, the backend and its workers, progress bars,
seeds per block, compiled kernels - as one record passed down from the command line to every
block and tuning. None of it changes a number: the same study gives the same values on any
execution."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Execution:
    """Where and how a study's blocks run.

    Attributes:
        device: where the networks train (``cpu``, ``cuda``, ...).
        progress: progress bars over epochs.
        backend: ``process`` (here, or on ``workers`` local processes) or ``ray`` (blocks as
            Ray tasks on the cluster at ``address``, or a local one).
        address: the Ray cluster to join (None: a local Ray instance).
        block_size: seeds per batched ensemble (one Ray task each; None: 50, smaller on several
            workers, :func:`~physnet.study.cost.block_size_for`).
        workers: with ``backend="process"``, processes on this machine training blocks (and
            tuning arms) side by side (:mod:`~physnet.study.local_pool`; 1: here; None: the
            study's choice from ``local_pool.default_workers()`` and its cost).
        compiled: frozen types through compiled kernels (None: the study decides from its
            whole work, :func:`~physnet.study.cost.compile_frozen`).
    """

    device: str = "cpu"
    progress: bool = False
    backend: str = "process"
    address: str | None = None
    block_size: int | None = None
    workers: int | None = None
    compiled: bool | None = None


__all__ = ["Execution"]
