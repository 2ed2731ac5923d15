"""A task argument as the commands take it: a registered name, ``module:Class`` (a system
class or instance), or a path to a ``.csv`` series; with the options that build it.

A user's task is registered under the argument itself and remembers how it was built
(``Task.source``), which a study's ``config.json`` stores, so that ``forecast`` and
``analyze`` build it again from the folder alone.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from physnet.errors import UserError
from physnet.tasks.from_series import series_task
from physnet.tasks.from_system import system_task
from physnet.tasks.registry import TASKS, find_task, register_task
from physnet.tasks.spec import Task
from physnet.tasks.system_import import load_system_object

#: Keys of a source that say where it was found, not what it is (left out of a study's identity;
#: a series is known by its content, ``sha256``, not by the path it was typed as).
LOCATION_KEYS = ("path", "folder")
#: Options of a task built from a system, with their defaults.
SYSTEM_OPTIONS: dict[str, Any] = {
    "orbits": 50,
    "t_end": 20.0,
    "dt": 0.1,
    "noise": 0.0,
    "noise_on": "both",
    "energy": None,
    "seed": None,
    "val_fraction": 0.2,
}
#: Options of a task read from a series file, with their defaults.
SERIES_OPTIONS: dict[str, Any] = {
    "time": "t",
    "state": None,
    "derivatives": None,
    "group": None,
    "window": 11,
    "order": 3,
    "val_fraction": 0.2,
    "force_model": False,
}


def is_system_argument(argument: str) -> bool:
    return ":" in argument and not argument.lower().endswith(".csv") and not Path(argument).exists()


def is_series_argument(argument: str) -> bool:
    return argument.lower().endswith(".csv")


def task_from_source(source: Mapping[str, Any], *, models: tuple[str, ...] | None = None) -> Task:
    """Build a user's task from what :attr:`Task.source` holds."""
    kind, argument = source["kind"], source["argument"]
    if kind == "system":
        options = {k: source.get(k, v) for k, v in SYSTEM_OPTIONS.items()}
        system = load_system_object(argument, source.get("folder"))
        return system_task(system, name=argument, models=models, source=source, **options)
    if kind == "series":
        options = {k: source.get(k, v) for k, v in SERIES_OPTIONS.items()}
        path = source.get("path", argument)
        return series_task(path, name=argument, models=models, source=source, **options)
    raise UserError(f"unknown task source {kind!r} (expected system or series)")


def file_digest(path: Path) -> str:
    """The SHA-256 of a file's bytes (hex; empty for a missing file, refused later with its
    own message): a series study's identity, whatever path it was given by."""
    import hashlib

    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return ""
    return digest.hexdigest()


def resolve_task(argument: str, options: Mapping[str, Any] | None = None, *, model: str | None = None) -> str:
    """Make the task ``argument`` names known and return its name.

    A registered name is returned as it is (the options must be unset); ``module:Class``
    and ``*.csv`` build a task from the options given (``SYSTEM_OPTIONS`` or
    ``SERIES_OPTIONS``; unset ones take their defaults) and register it under ``argument``.

    Raises:
        ValueError: an unknown name, a system that does not import, a bad file or option,
            or options that do not apply to this kind of task.
    """
    given = {k: v for k, v in (options or {}).items() if v is not None}
    if is_series_argument(argument):
        kind, allowed = "series", SERIES_OPTIONS
    elif is_system_argument(argument):
        kind, allowed = "system", SYSTEM_OPTIONS
    else:
        if find_task(argument) is None:
            raise UserError(
                f"unknown task {argument!r}; valid tasks: {', '.join(TASKS)}, module:Class (a system) or FILE.csv"
            )
        if given:
            raise UserError(f"{_flags(given)} apply to module:Class and FILE.csv tasks, not to {argument!r}")
        return argument
    wrong = {k: v for k, v in given.items() if k not in allowed}
    if wrong:
        other = "module:Class" if kind == "series" else "FILE.csv"
        raise UserError(f"{_flags(wrong)} apply to {other} tasks, not to {argument!r}")
    # where the task was found, so that forecast and analyze run from elsewhere find it again
    where = {"path": str(Path(argument).resolve())} if kind == "series" else {"folder": str(Path.cwd())}
    content = {"sha256": file_digest(Path(argument))} if kind == "series" else {}
    source = {"kind": kind, "argument": argument, **given, **where, **content}
    models = (model,) if model is not None else None
    task = task_from_source(source, models=models)
    if kind == "system":  # what the system is, so that an edited module is noticed
        source = {**source, **system_identity(argument, load_system_object(argument, source.get("folder")))}
        task = dataclasses.replace(task, source=source)
    register_task(task, replace=True)
    return argument


def system_identity(argument: str, system: Any = None) -> dict[str, Any]:
    """What a ``module:Class`` system is beyond its name: the SHA-256 of its module's source
    file (``source_sha256``) and, where the built ``system`` exposes them, its numeric
    parameters (``parameters``: the public int/float attributes of the instance)."""
    import sys

    module_name = argument.partition(":")[0]
    module = sys.modules.get(module_name)
    path = getattr(module, "__file__", None)
    identity: dict[str, Any] = {"source_sha256": file_digest(Path(path)) if path else ""}
    if system is not None and hasattr(system, "__dict__"):  # the instance's own numbers (set in its constructor)
        numbers = {
            k: v for k, v in vars(system).items()
            if not k.startswith("_") and isinstance(v, int | float) and not isinstance(v, bool)
        }  # fmt: skip
        if numbers:
            identity["parameters"] = dict(sorted(numbers.items()))
    return identity


def changed_inputs(source: Mapping[str, Any]) -> list[str]:
    """What changed in a user's task since a study recorded it (``task_source``): the series
    file's content, the system module's source or its parameters; one phrase each, none for
    a built-in task or a source recorded before these were."""
    changes = []
    if source.get("kind") == "series" and source.get("sha256"):
        path = Path(source.get("path", source["argument"]))
        now = file_digest(path)
        if now != source["sha256"]:
            changes.append(f"the series file {path} ({'missing' if not now else 'its SHA-256 differs'})")
    elif source.get("kind") == "system" and "source_sha256" in source:
        now_identity = _identity_now(source)
        if now_identity.get("source_sha256") != source["source_sha256"]:
            changes.append(f"the source of {source['argument'].partition(':')[0]} (its SHA-256 differs)")
        if "parameters" in source and now_identity.get("parameters") != source["parameters"]:
            changes.append(f"the parameters of {source['argument']}")
    return changes


def _identity_now(source: Mapping[str, Any]) -> dict[str, Any]:
    """The system's identity as its module is now (imported from where the task was built)."""
    system = load_system_object(source["argument"], source.get("folder"))
    return system_identity(source["argument"], system)


def task_for_study(config: Mapping[str, Any]) -> Task:
    """The task of a study or meta run from its ``config.json`` (a user's task is built
    again from ``task_source``)."""
    name = config["task"]
    source = config.get("task_source")
    changes = changed_inputs(source) if source is not None else []
    if changes:  # said, not refused: reading a study is safe; extending it is refused (StudyConfig)
        warnings.warn(
            f"the study's inputs changed since it was made: {'; '.join(changes)} - its networks were trained on the "
            "earlier ones",
            RuntimeWarning,
            stacklevel=2,
        )
    known = find_task(name)
    if source is not None and (known is None or dict(known.source or {}) != dict(source)):
        known = register_task(task_from_source(source), replace=True)
    if known is None:
        raise UserError(f"unknown task {name!r} in the folder's config.json; valid tasks: {', '.join(TASKS)}")
    return known


def _flags(options: Mapping[str, Any]) -> str:
    return ", ".join("--" + k.replace("_", "-") for k in options)


__all__ = [
    "SERIES_OPTIONS",
    "SYSTEM_OPTIONS",
    "changed_inputs",
    "system_identity",
    "load_system_object",
    "resolve_task",
    "task_for_study",
    "task_from_source",
]
