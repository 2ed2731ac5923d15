"""``reproduce all`` on Ray: every task (each model, for Henon-Heiles) is one Ray task, and
all of them run at the same time; each one's comparison submits its seed blocks as further
Ray tasks. A task writes straight into ``DIR/<task>/`` when its worker sees the driver's
folder (one machine, or a filesystem the nodes share), so its checkpoints and finished
runs survive an interruption; otherwise it works in a scratch folder, starting from the
files the driver already has, and its files come back to the driver when it finishes."""

from __future__ import annotations

import resource
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from physnet.experiments.backends import start_ray
from physnet.experiments.defaults import preset
from physnet.experiments.regimes import authors_numbers, default_meta_seeds
from physnet.experiments.reproduce import reproduce_model
from physnet.run_output import write_atomically

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


def paper_units(tasks: tuple[str, ...]) -> list[Unit]:
    """The units for ``tasks``: one per model that ``reproduce`` runs (``paper_models``)."""
    from physnet.experiments.paper import paper_models

    units = []
    for task in tasks:
        models = paper_models(task)
        units += [Unit(task, m, f"{task}/{m}" if len(models) > 1 else task) for m in models]
    return units


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
            raise ValueError(f"refusing to write {name!r} outside {root}")
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, partial(_write_bytes, data=data))


def _write_bytes(path: Path, data: bytes) -> None:
    path.write_bytes(data)


def run_unit(unit: Unit, out: str, token: str | None, files: dict[str, bytes], options: dict) -> UnitResult:
    """Run ``reproduce`` for one unit (inside a Ray worker); see the module's docstring.
    ``options``: ``quick``, ``seeds``, ``force`` as for ``reproduce_model``."""
    began = time.perf_counter()
    driver_folder = Path(out)
    marker = driver_folder / TOKEN_FILE
    shared = token is not None and marker.is_file() and marker.read_text().strip() == token
    log: list[str] = []
    options = dict(options)
    preset_name, meta_seeds = options.pop("preset_name", None), options.pop("meta_seeds", None)
    named = preset(unit.task, unit.model, preset_name)
    meta_seeds = default_meta_seeds(unit.task, preset_name) if meta_seeds is None else meta_seeds
    with tempfile.TemporaryDirectory(prefix="physnet-unit-") as scratch:
        root = driver_folder / unit.folder if shared else Path(scratch) / "unit"
        if not shared:
            unpack_files(files, root)
        try:
            summary = reproduce_model(
                unit.task,
                unit.model,
                root,
                echo=log.append,
                progress=False,
                meta_overrides=named["meta"],
                compare_overrides=named["compare"],
                backend="ray",
                label=preset_name,
                meta_seeds=meta_seeds,
                authors=authors_numbers(unit.task, unit.model, preset_name),
                **options,
            )
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
    options: dict,
    *,
    address: str | None = None,
    echo: Callable[[str], None] = lambda s: None,
    share: bool = True,
) -> Iterator[UnitResult]:
    """Submit every unit at once and yield each result as it finishes, its files already
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
    pending = {remote.remote(u, str(out), token, pack_files(out / u.folder), options): u for u in units}
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
    "pack_files",
    "paper_units",
    "run_unit",
    "run_units_on_ray",
    "unpack_files",
]
