"""Everything Ray: joining a cluster, a study's seed blocks as Ray tasks, and the units of
``reproduce all`` (every task, each model for Henon-Heiles) as Ray tasks that run at once.

A unit writes straight into ``DIR/<folder>/`` when its worker sees the driver's folder (one
machine, or a filesystem the nodes share), so its checkpoints and finished runs survive an
interruption; otherwise it works in a scratch folder, starting from the files the driver
already has, and its files come back to the driver when it finishes. Ray itself is imported
only when a Ray backend is used."""

from __future__ import annotations

import resource
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from physnet.activations import FrozenBank
from physnet.data import TaskData
from physnet.errors import UserError
from physnet.io import write_atomically
from physnet.study.blocks import Block, BlockResult, train_block
from physnet.study.config import StudyConfig


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
        raise UserError(f"--address {address!r}: expected HOST:PORT, ray://HOST:PORT or auto")
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
        raise UserError("the ray backend needs Ray: pip install 'physnet[ray]' (or pip install ray)") from None
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True)
    return ray


def ray_blocks(
    blocks: list[Block],
    study: StudyConfig,
    data: TaskData,
    frozen: FrozenBank | None,
    address: str | None,
    device: str,
    on_start: Callable[[Block], None] | None,
) -> Iterator[BlockResult]:
    """A study's blocks as Ray tasks (``backends.run_blocks`` with ``backend="ray"``), each
    result yielded as it finishes; a block's own error cancels the rest and is raised."""
    ray = start_ray(address)
    # a worker that dies is retried (max_retries); an exception inside train_block is not
    remote = ray.remote(max_retries=3, num_cpus=1)(train_block)
    data_ref, frozen_ref = ray.put(data), ray.put(frozen)
    pending = []
    for block in blocks:
        if on_start is not None:
            on_start(block)
        pending.append(remote.remote(block, study, data_ref, frozen_ref, device, False))
    while pending:
        done, pending = ray.wait(pending, num_returns=1)
        try:
            result = ray.get(done[0])
        except ray.exceptions.RayTaskError as err:  # the block's own error (e.g. a diverging run), not Ray's
            for ref in pending:
                ray.cancel(ref)
            raise err.cause from None
        yield result


#: The file that tells a worker it sees the driver's output folder.
TOKEN_FILE = ".physnet-ray-driver"


@dataclass(frozen=True)
class Unit:
    """One Ray task of ``reproduce all``: a task's model and its folder under ``DIR``."""

    task: str
    model: str
    folder: str


@dataclass
class UnitResult:
    """What a unit sends back: its study summary, its own wall time and peak memory, the
    lines it would have echoed, and (when it did not share the driver's folder) its files."""

    unit: Unit
    summary: dict
    seconds: float
    peak_rss_mb: float
    log: list[str] = field(default_factory=list)
    files: dict[str, bytes] | None = None


#: What a unit runs: ``(unit, its folder, echo) -> study summary`` (a module-level function,
#: so that Ray ships it by reference).
UnitWork = Callable[[Unit, Path, Callable[[str], None]], dict]


def pack_files(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (paths relative to it, POSIX style) with its bytes; empty
    when ``root`` does not exist."""
    if not root.is_dir():
        return {}
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def unpack_files(files: dict[str, bytes], root: Path) -> None:
    """Write ``files`` (from ``pack_files``) under ``root``, each atomically.

    Raises:
        ValueError: a path that would land outside ``root``.
    """
    base = root.resolve()
    for name, data in files.items():
        path = (root / name).resolve()
        if base not in path.parents:
            raise UserError(f"refusing to write {name!r} outside {root}")
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, partial(_write_bytes, data=data))


def _write_bytes(path: Path, data: bytes) -> None:
    path.write_bytes(data)


def run_unit(unit: Unit, out: str, token: str | None, files: dict[str, bytes], work: UnitWork) -> UnitResult:
    """Run ``work`` for one unit inside a Ray worker, in the driver's folder when the worker
    sees it (``token`` matches its marker file), else in a scratch folder seeded with
    ``files``; see the module's docstring."""
    began = time.perf_counter()
    driver_folder = Path(out)
    marker = driver_folder / TOKEN_FILE
    shared = token is not None and marker.is_file() and marker.read_text().strip() == token
    log: list[str] = []
    with tempfile.TemporaryDirectory(prefix="physnet-unit-") as scratch:
        root = driver_folder / unit.folder if shared else Path(scratch) / "unit"
        if not shared:
            unpack_files(files, root)
        try:
            summary = work(unit, root, log.append)
        except Exception as err:  # name the driver's folder, not the scratch one, in the message
            if shared or str(root) not in str(err):
                raise
            raise _renamed(err, str(err).replace(str(root), str(driver_folder / unit.folder))) from None
        packed = None if shared else pack_files(root)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return UnitResult(unit, summary, time.perf_counter() - began, peak, log, packed)


def _renamed(err: Exception, message: str) -> Exception:
    try:
        return type(err)(message)
    except TypeError:  # an error type that takes other arguments
        return RuntimeError(message)


def run_units_on_ray(
    units: list[Unit],
    out: Path,
    work: UnitWork,
    *,
    address: str | None = None,
    echo: Callable[[str], None] = lambda s: None,
    share: bool = True,
) -> Iterator[UnitResult]:
    """Submit ``work`` for every unit at once and yield each result as it finishes, its files already
    written under ``out/<folder>/`` when they came back by value. A unit whose run fails
    does not stop the others: the first failure is raised after every other unit is done.

    Args:
        share: let workers write into ``out`` directly when they see it (``False``: always
            ship files, as on a cluster without a shared filesystem).
    """
    ray = start_ray(address)
    token = uuid.uuid4().hex if share else None
    marker = out / TOKEN_FILE
    if token is not None:
        marker.write_text(token + "\n")
    # one fresh worker per unit (max_calls=1), so its peak memory is its own; a lost worker is retried once
    remote = ray.remote(num_cpus=1, max_calls=1, max_retries=1)(run_unit)
    pending = {remote.remote(u, str(out), token, pack_files(out / u.folder), work): u for u in units}
    echo(f"[all] on Ray: {', '.join(u.folder for u in units)} submitted")
    failure: BaseException | None = None
    try:
        while pending:
            done, _ = ray.wait(list(pending), num_returns=1)
            unit = pending.pop(done[0])
            try:
                result = ray.get(done[0])
            except ray.exceptions.RayError as err:  # the unit's own error, or Ray's once retries are spent
                cause = err.cause if isinstance(err, ray.exceptions.RayTaskError) else err
                first_line = str(cause).splitlines()[0] if str(cause) else type(cause).__name__
                echo(f"[all] {unit.folder} failed: {first_line}")
                failure = failure or cause
                continue
            if result.files is not None:
                unpack_files(result.files, out / unit.folder)
            for line in result.log:
                echo(line)
            yield result
    finally:
        marker.unlink(missing_ok=True)
    if failure is not None:
        raise failure


__all__ = [
    "TOKEN_FILE",
    "Unit",
    "UnitResult",
    "UnitWork",
    "check_ray_address",
    "pack_files",
    "ray_blocks",
    "run_unit",
    "run_units_on_ray",
    "start_ray",
    "unpack_files",
]
