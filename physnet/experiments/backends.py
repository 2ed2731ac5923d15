"""Where a study's blocks run: in this process (default) or as Ray tasks on a local or
remote Ray cluster. Both yield results as blocks finish; the study writes them as they come."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from physnet.activations import FrozenBank
from physnet.experiments.blocks import Block, BlockResult, train_block
from physnet.tasks import TaskData

BACKENDS = ("process", "ray")


def run_blocks(
    blocks: list[Block],
    settings: dict,
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
            yield train_block(block, settings, data, frozen, device, progress)
        return
    yield from _ray_blocks(blocks, settings, data, frozen, address, device, on_start)


def check_ray_address(address: str | None, timeout: float = 5.0) -> None:
    """Refuse, within ``timeout`` seconds, a Ray address whose host does not answer on its port
    (``ray.init`` would retry for ever, and only after the expensive work before it).
    ``None`` and ``auto`` are left to Ray.

    Raises:
        ConnectionError: nothing listens at ``host:port``.
        ValueError: the address has no port.
    """
    import socket

    if address in (None, "auto", "local"):
        return
    hostport = address.split("://", 1)[-1]
    host, _, port = hostport.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"--address {address!r}: expected HOST:PORT, ray://HOST:PORT or auto")
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError as err:
        raise ConnectionError(
            f"cannot reach the Ray cluster at {address} ({err.strerror or err}); "
            "check --address, or drop it to start a local Ray"
        ) from None


def start_ray(address: str | None = None):
    """Join the Ray cluster at ``address`` (or start a local instance) unless already joined;
    returns the ``ray`` module.

    Raises:
        ValueError: Ray is not installed.
    """
    try:
        import ray
    except ImportError:
        raise ValueError("the ray backend needs Ray: pip install 'physnet[ray]' (or pip install ray)") from None
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True)
    return ray


def _ray_blocks(blocks, settings, data, frozen, address, device, on_start) -> Iterator[BlockResult]:
    ray = start_ray(address)
    # a worker that dies is retried (max_retries); an exception inside train_block is not
    remote = ray.remote(max_retries=3, num_cpus=1)(train_block)
    data_ref, frozen_ref = ray.put(data), ray.put(frozen)
    pending = []
    for block in blocks:
        if on_start is not None:
            on_start(block)
        pending.append(remote.remote(block, settings, data_ref, frozen_ref, device, False))
    while pending:
        done, pending = ray.wait(pending, num_returns=1)
        try:
            result = ray.get(done[0])
        except ray.exceptions.RayTaskError as err:  # the block's own error (e.g. a diverging run), not Ray's
            for ref in pending:
                ray.cancel(ref)
            raise err.cause from None
        yield result


__all__ = ["BACKENDS", "run_blocks", "start_ray"]
