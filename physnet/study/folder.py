"""Every file of a study folder ``DIR``: ``config.json`` (the settings that decide whether
the folder can be resumed), ``runs.csv`` (one row per finished seed, rewritten atomically
after each block), ``models/ARM.pt`` (the trained networks); checking, resuming and
recording as blocks finish."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

from physnet.activations import FrozenBank
from physnet.errors import UserError
from physnet.io import write_atomically, write_json
from physnet.study.blocks import BlockResult
from physnet.study.model_store import merge_arm

RUNS_HEADER = ["arm", "seed", "model", "hidden", "metric", "train_loss", "lr", "failed", "failure"]
TUNING_HEADER = ["arm", "lr", "seed", "metric", "train_loss", "failure"]


def activations_fingerprint(frozen: FrozenBank | None) -> str | None:
    """A short hash of the frozen types' samples: a different file means a different study."""
    if frozen is None:
        return None
    h = hashlib.sha256(frozen.values.numpy().tobytes() + frozen.grid.numpy().tobytes() + frozen.kind.encode())
    return h.hexdigest()[:16]


def read_runs(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def failed_seeds(run_dir: Path, arm: str) -> set[int]:
    """Seeds of ``arm`` whose training failed (``runs.csv``'s ``failure``; none in a study
    written before failures were recorded)."""
    return {int(r["seed"]) for r in read_runs(run_dir / "runs.csv") if r["arm"] == arm and r.get("failure")}


def write_runs(path: Path, rows: list[dict], header: list[str] = RUNS_HEADER) -> None:
    """Write ``runs.csv`` (or another table of ``header``) atomically; rows of studies written
    before a column existed leave it empty."""

    def _write(tmp: Path) -> None:
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=header, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)

    write_atomically(path, _write)


def _folder_record(out: Path) -> dict | None:
    """The ``config.json`` of ``out`` (``None`` if absent; ``{}`` if unreadable)."""
    config_path = out / "config.json"
    if not config_path.exists():
        return None
    try:
        old = json.loads(config_path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {}
    return old if isinstance(old, dict) else {}


def read_study_config(run_dir: Path) -> dict:
    """The settings (``config.json``'s ``config``) of the study in ``run_dir``.

    Raises:
        FileNotFoundError: no ``config.json`` there.
        ValueError: ``config.json`` is unreadable, or written by another command.
    """
    record = _folder_record(run_dir)
    if record is None:
        raise FileNotFoundError(f"{run_dir} is not a study folder (no config.json); run `physnet compare` first")
    if "study" not in record:
        what = f"the output of `physnet {record['command']}`" if "command" in record else "an unreadable config.json"
        raise UserError(f"{run_dir} is not a study folder (it holds {what}); pass a `physnet compare` folder")
    config = record.get("config")
    if not isinstance(config, dict) or "task" not in config or "arms" not in config:
        raise UserError(f"{run_dir}/config.json lacks the study's settings; rerun `physnet compare` into a new folder")
    return config


def check_study_folder(out: Path, record: dict, force: bool, *, ignore: tuple[str, ...] = ()) -> None:
    """Refuse a folder holding another command's output (always), or a study with other
    results-relevant settings (unless ``force``, which starts it afresh). Settings in ``ignore``
    are not compared (a check before the activations are known)."""
    old = _folder_record(out)
    if old is None:
        return
    if "study" not in old and old.get("command") not in (None, "compare", "reproduce"):
        raise UserError(f"{out} holds the output of `physnet {old['command']}`, not a study; use another --out")
    stored = old.get("study")
    previous: dict = stored if isinstance(stored, dict) else {}
    keys = sorted(k for k in record["study"] if k not in ignore and not _same(k, previous.get(k), record["study"][k]))
    if not keys:
        return
    if not force:
        which = ", ".join(_describe(k, previous.get(k), record["study"][k]) for k in keys) if previous else (
            "unreadable config.json"
        )  # fmt: skip
        raise UserError(
            f"{out} holds a study with other settings ({which}); use another --out or --force to start afresh"
        )
    if ignore:
        return  # only a check: the study itself clears the folder
    for stale in [out / "runs.csv", out / "summary.json", out / "tuning.csv", *sorted((out / "models").glob("*.pt"))]:
        stale.unlink(missing_ok=True)


#: What each part of a user's task's identity is, in a refusal.
_SOURCE_PARTS = {
    "sha256": "the series file's content",
    "source_sha256": "the system module's source",
    "parameters": "the system's parameters",
}


def _same(key: str, old, new) -> bool:
    """Whether a stored setting equals the new one; a user task's identity is compared on the
    parts the stored study recorded (a study from before a part was recorded still resumes)."""
    if key == "task_source" and isinstance(old, dict) and isinstance(new, dict):
        return all(new.get(k) == v for k, v in old.items()) and set(new) - set(old) <= set(_SOURCE_PARTS)
    return old == new


def _describe(key: str, old, new) -> str:
    """A changed setting named for a person: a task's changed inputs by what they are."""
    if key == "task_source" and isinstance(old, dict) and isinstance(new, dict):
        parts = [_SOURCE_PARTS.get(k, k) for k in sorted(set(old) | set(new)) if k in old and old.get(k) != new.get(k)]
        return "task: " + ", ".join(parts or ["how it was built"]) + " changed since the study was made"
    return key


class StudyFolder:
    """The files of the study in ``out`` (the caller holds its ``folder_lock``)."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.runs_path = out / "runs.csv"
        self.tuning_path = out / "tuning.csv"
        self.record: dict = {}

    def begin(self, config, frozen: FrozenBank | None, force: bool) -> list[dict]:
        """Check the folder against ``config`` and the types (refusing another study unless
        ``force``, which clears it), write ``config.json``; returns the rows already finished."""
        record = {"study": {**config.relevant(), "activations": activations_fingerprint(frozen)}}
        check_study_folder(self.out, record, force)
        (self.out / "models").mkdir(exist_ok=True)
        rows = read_runs(self.runs_path)
        self.record = {
            **record,
            "config": config.to_dict(),
            "activations_metadata": frozen.metadata if frozen is not None else None,
        }
        write_json(self.out / "config.json", self.record)
        return rows

    def tuning_rows(self) -> list[dict]:
        """The rows of ``tuning.csv`` (arms tuned before an interruption)."""
        return read_runs(self.tuning_path)

    def add_tuning(self, rows: list[dict]) -> None:
        """Rewrite ``tuning.csv`` with ``rows`` (every arm tuned so far)."""
        write_runs(self.tuning_path, rows, TUNING_HEADER)

    def record_tuning(self, tuning: dict) -> None:
        """Add the chosen rates (:func:`~physnet.study.tuning.tuning_summary`) to ``config.json``."""
        self.record = {**self.record, "tuning": tuning, "tuned_lr": tuning["chosen"]}
        write_json(self.out / "config.json", self.record)

    def add_block(self, result: BlockResult, rows: list[dict]) -> None:
        """Store a finished block's networks and rewrite ``runs.csv`` with ``rows`` (which
        already hold the block's seeds): from here on its results survive an interruption."""
        merge_arm(self.out / "models" / f"{result.block.arm}.pt", result.model, result.arch, result.bank)
        write_runs(self.runs_path, rows)


__all__ = [
    "RUNS_HEADER",
    "TUNING_HEADER",
    "StudyFolder",
    "failed_seeds",
    "activations_fingerprint",
    "check_study_folder",
    "read_runs",
    "read_study_config",
    "write_runs",
]
