"""Both cores of this machine: a pool of worker processes, one intra-op thread each, that runs
a study's blocks (and its arms' tuning) side by side.

Why: a study's networks are small (hidden widths of about a hundred, batches of about a
hundred and fifty), so PyTorch's intra-op threads leave a second core mostly idle; two
processes each training their own block keep both busy (about 1.6x faster on 2 cores). The
results are the same numbers as in this process (each block is the same computation), and
they come back to this process, which writes every file, so resuming and the reports work
the same whichever ran them.

The pool is started on first use (spawned processes: a second or two, plus each one's first
compile of the frozen types' kernels) and kept for the life of the process, so the studies of
``reproduce`` or ``ablate`` share it. Ctrl-C or SIGTERM ends the workers with the command;
a worker that dies mid-block is reported with the block it was training, and that block is
trained again when the command is rerun (nothing finished is lost).
"""

from __future__ import annotations

import atexit
import os
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from typing import Any

from physnet.errors import UserError

__all__ = [
    "WorkerLostError",
    "available_cores",
    "check_workers",
    "default_workers",
    "pool_map",
    "pool_running",
    "set_default_workers",
    "shutdown_pool",
]

#: How workers start: forked where the platform can (no second import of torch), else spawned.
_START_METHOD = "fork" if os.environ.get("PHYSNET_POOL_START", "fork") == "fork" and hasattr(os, "fork") else "spawn"
_POOL: ProcessPoolExecutor | None = None
_POOL_SIZE = 0
#: Workers of a study that does not say (the command line sets the machine's cores; the API 1).
_DEFAULT_WORKERS = 1


def set_default_workers(workers: int) -> None:
    """The workers of every study that does not choose (``run_study(workers=None)``): an
    execution setting, not a result's (the numbers are the same)."""
    global _DEFAULT_WORKERS
    check_workers(workers, force=True)
    _DEFAULT_WORKERS = int(workers)


def default_workers() -> int:
    """See :func:`set_default_workers` (1 unless set)."""
    return _DEFAULT_WORKERS


class WorkerLostError(ChildProcessError):
    """A worker process died (killed, out of memory) while running a unit of work."""


def available_cores() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def check_workers(workers: int, *, force: bool = False) -> None:
    """Refuse no workers, or more than the cores without ``force`` (one line)."""
    if workers < 1:
        raise UserError(f"--workers must be at least 1, got {workers}")
    cores = available_cores()
    if workers > cores and not force:
        raise UserError(
            f"--workers {workers} is more than this machine's {cores} core(s); pass --force to oversubscribe"
        )


def _init_worker() -> None:
    import torch
    import torch._inductor.config as inductor_config

    torch.set_num_threads(1)  # one core each: the pool is the parallelism
    # A forked worker inherits the parent's torch.compile thread pool without its threads: a
    # compile (or a warm cache's load) waiting on it never returns. Compile in the worker itself.
    inductor_config.compile_threads = 1
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it ends the workers


def _pool(workers: int) -> ProcessPoolExecutor:
    global _POOL, _POOL_SIZE
    if _POOL is not None and _POOL_SIZE != workers:
        shutdown_pool()
    if _POOL is None:
        context = get_context(_START_METHOD)
        _POOL = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker)
        _POOL_SIZE = workers
    return _POOL


def pool_running() -> bool:
    """Whether a pool is up (its start is paid: using it costs nothing more)."""
    return _POOL is not None


def shutdown_pool(*, kill: bool = False) -> None:
    """End the pool's workers (``kill``: now, dropping their work; else once they are idle)."""
    global _POOL, _POOL_SIZE
    pool, _POOL, _POOL_SIZE = _POOL, None, 0
    if pool is None:
        return
    if kill:
        for process in list(getattr(pool, "_processes", {}).values()):
            process.terminate()
    pool.shutdown(wait=not kill, cancel_futures=True)


atexit.register(shutdown_pool, kill=True)


def pool_map(
    fn: Callable[..., Any],
    jobs: list[tuple[Any, tuple]],
    workers: int,
    *,
    on_start: Callable[[Any], None] | None = None,
    describe: Callable[[Any], str] = str,
) -> Iterator[tuple[Any, Any]]:
    """``fn(*args)`` for every ``(key, args)`` of ``jobs`` on ``workers`` processes, yielding
    ``(key, result)`` as each finishes (in finishing order). ``fn`` and ``args`` must pickle;
    ``on_start(key)`` is called as each job is submitted.

    Raises:
        WorkerLostError: a worker died; the message names the job (``describe(key)``).
        KeyboardInterrupt: the workers are ended first.
    """
    pool = _pool(workers)
    futures: dict[Future, Any] = {}
    try:
        for key, args in jobs:
            if on_start is not None:
                on_start(key)
            futures[pool.submit(fn, *args)] = key
        for future in as_completed(futures):
            key = futures[future]
            try:
                result = future.result()
            except BrokenProcessPool:
                shutdown_pool(kill=True)
                raise WorkerLostError(
                    f"a worker process died while running {describe(key)} (killed, or out of memory?); "
                    "finished work is kept: rerun the same command to continue"
                ) from None
            yield key, result
    except BaseException:
        if any(not f.done() for f in futures):
            shutdown_pool(kill=True)  # Ctrl-C, SIGTERM or an error: nothing keeps running behind us
        raise
