"""The paper's comparison protocol: fresh networks from many seeds in each arm, same data,
budget and hyperparameters; results kept per seed so a study resumes and extends."""

from __future__ import annotations

import csv
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from physnet.activations import FrozenBank
from physnet.experiments.arms import ARMS, PAPER_ARMS, check_arms, control_fits
from physnet.experiments.backends import run_blocks
from physnet.experiments.blocks import plan_blocks
from physnet.experiments.effects import study_effects
from physnet.experiments.model_store import DTYPES, merge_arm
from physnet.experiments.statistics import summarize
from physnet.run_output import folder_lock, write_atomically, write_json
from physnet.tasks import TaskData, get_task
from physnet.training import TrainConfig
from physnet.training.rmsprop import DEFAULT_DECAY

RUNS_HEADER = ["arm", "seed", "model", "hidden", "metric", "train_loss"]
#: Members trained together in one batched ensemble.
CHUNK = 50


@dataclass(frozen=True)
class CompareConfig:
    """Settings of a comparison study (all but ``seeds`` must match to resume or extend).

    Attributes:
        task, model: the task and its model (``nn``, ``hnn``, ``classifier``).
        hidden: hidden widths of the fresh networks.
        arms: arms to run (``base``, ``type1``, ``type2``, ``mix``, ``relu``, ``tanh``).
        seeds: number of random initialisations per arm (seeds 0..seeds-1).
        epochs, batch_size, lr: the training budget, the same for every arm.
        optimizer, momentum: ``adam`` (default), ``sgd`` with heavy-ball momentum or ``rmsprop``
            (with momentum); decay, initial_scale: RMSprop's second-moment decay and start.
        compile: train through ``torch.compile``.
        data_seed: seed of the dataset and of the batch order (shared by all arms).
        base: the base activation of the ``base`` arm (sine for the dynamics tasks).
        small: the task's small data; data: a series file (clock).
        dtype: float32 or float64.
    """

    task: str
    model: str
    hidden: tuple[int, ...] = (100,)
    arms: tuple[str, ...] = PAPER_ARMS
    seeds: int = 50
    epochs: int = 20
    batch_size: int = 150
    lr: float = 1e-2
    optimizer: str = "adam"
    momentum: float = 0.0
    decay: float = DEFAULT_DECAY
    initial_scale: float = 0.0
    compile: bool = False
    data_seed: int = 0
    base: str = "sin"
    small: bool = False
    data: str | None = None
    dtype: str = "float32"

    def __post_init__(self) -> None:
        if self.seeds < 1:
            raise ValueError(f"need at least one seed per arm, got {self.seeds}")
        unknown = set(self.arms) - set(ARMS)
        if unknown or not self.arms:
            raise ValueError(
                f"unknown arm(s) {', '.join(sorted(unknown)) or '(none given)'}; valid arms: {', '.join(ARMS)}"
            )
        if self.epochs < 1 or self.batch_size < 1 or not self.lr > 0:
            raise ValueError("epochs and batch size must be >= 1 and the learning rate positive")
        self.train_config()  # validates the optimizer's settings

    def relevant(self) -> dict:
        """Everything that changes results, except the number of seeds (which extends)."""
        d = asdict(self)
        d.pop("seeds")
        if self.optimizer == "adam" and self.momentum == 0.0:  # studies written before these options existed
            d.pop("optimizer"), d.pop("momentum")
        if self.optimizer != "rmsprop":  # only RMSprop reads them; absent from studies written before
            d.pop("decay"), d.pop("initial_scale")
        d.pop("compile")  # same numbers up to float rounding; does not make another study
        d["hidden"], d["arms"] = list(self.hidden), list(self.arms)
        return d

    def train_config(self) -> TrainConfig:
        """The training run every member of every arm gets."""
        return TrainConfig(
            epochs=self.epochs,
            batch_size=self.batch_size,
            lr=self.lr,
            data_seed=self.data_seed,
            optimizer=self.optimizer,
            momentum=self.momentum,
            decay=self.decay,
            initial_scale=self.initial_scale,
            compile=self.compile,
        )


@dataclass
class StudyResult:
    """Per-arm metric values (``{arm: (n,)}``), summaries, tests, effects and bookkeeping.

    ``effects``: :func:`~physnet.experiments.effects.study_effects`; ``fits``: each learned
    type's fit within ``sin(a x) + b x + c`` where the ``fit`` controls ran.
    """

    values: dict[str, np.ndarray]
    arms: dict
    tests: dict
    metric: str
    higher_is_better: bool
    seconds: dict[str, float] = field(default_factory=dict)
    effects: dict = field(default_factory=dict)
    fits: list | None = None


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


def write_runs(path: Path, rows: list[dict]) -> None:
    """Write ``runs.csv`` atomically."""

    def _write(tmp: Path) -> None:
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=RUNS_HEADER)
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
        raise ValueError(f"{run_dir} is not a study folder (it holds {what}); pass a `physnet compare` folder")
    config = record.get("config")
    if not isinstance(config, dict) or "task" not in config or "arms" not in config:
        raise ValueError(f"{run_dir}/config.json lacks the study's settings; rerun `physnet compare` into a new folder")
    return config


def check_study_folder(out: Path, record: dict, force: bool, *, ignore: tuple[str, ...] = ()) -> None:
    """Refuse a folder holding another command's output (always), or a study with other
    results-relevant settings (unless ``force``, which starts it afresh). Settings in ``ignore``
    are not compared (a check before the activations are known)."""
    old = _folder_record(out)
    if old is None:
        return
    if "study" not in old and old.get("command") not in (None, "compare", "reproduce"):
        raise ValueError(f"{out} holds the output of `physnet {old['command']}`, not a study; use another --out")
    stored = old.get("study")
    previous: dict = stored if isinstance(stored, dict) else {}
    keys = sorted(k for k in record["study"] if k not in ignore and previous.get(k) != record["study"][k])
    if not keys:
        return
    if not force:
        which = ", ".join(keys) if previous else "unreadable config.json"
        raise ValueError(
            f"{out} holds a study with other settings ({which}); use another --out or --force to start afresh"
        )
    if ignore:
        return  # only a check: the study itself clears the folder
    for stale in [out / "runs.csv", out / "summary.json", *sorted((out / "models").glob("*.pt"))]:
        stale.unlink(missing_ok=True)


def run_study(
    config: CompareConfig,
    frozen: FrozenBank | None,
    out: Path,
    *,
    data: TaskData | None = None,
    device: str = "cpu",
    force: bool = False,
    on_arm: Callable[[str, list[int]], None] | None = None,
    progress: bool = False,
    backend: str = "process",
    address: str | None = None,
    block_size: int = CHUNK,
) -> StudyResult:
    """Train ``config.seeds`` fresh networks per arm (one batched ensemble per arm and chunk
    of seeds), record each seed's validation metric in ``out/runs.csv`` as soon as its arm
    finishes, store the networks in ``out/models/ARM.pt``, and summarise.

    Seeds already in ``runs.csv`` are skipped, so an interrupted study resumes and a larger
    ``seeds`` extends it.

    Args:
        backend: ``process`` (here, one block after another) or ``ray`` (blocks as Ray tasks
            on the cluster at ``address``, or a local one; results written as they return).
        block_size: seeds per batched ensemble (one Ray task each).
    """
    check_arms(list(config.arms), frozen)
    if block_size < 1:
        raise ValueError(f"block size must be at least one seed, got {block_size}")
    task = get_task(config.task)
    if config.model not in task.models:
        raise ValueError(f"task {config.task!r} takes models {', '.join(task.models)}, not {config.model!r}")
    with folder_lock(out):
        return _run_study(
            config, frozen, out, data, device, force, on_arm, progress, backend, address, block_size, task
        )


def _run_study(
    config, frozen, out, data, device, force, on_arm, progress, backend, address, block_size, task
) -> StudyResult:
    record = {"study": {**config.relevant(), "activations": activations_fingerprint(frozen)}}
    check_study_folder(out, record, force)
    (out / "models").mkdir(exist_ok=True)
    if data is None:
        data = task.load(seed=config.data_seed, small=config.small, data=config.data)
    dtype = DTYPES[config.dtype]
    data = data.to(device, dtype)
    runs_path = out / "runs.csv"
    rows = read_runs(runs_path)
    hidden_label = "-".join(str(h) for h in config.hidden)
    seconds: dict[str, float] = {}
    write_json(
        out / "config.json",
        {
            **record,
            "config": {**asdict(config), "seeds": config.seeds},
            "activations_metadata": frozen.metadata if frozen is not None else None,
        },
    )
    done = {(r["arm"], int(r["seed"])) for r in rows}
    todo = {arm: [s for s in range(config.seeds) if (arm, s) not in done] for arm in config.arms}
    blocks = plan_blocks(config.arms, todo, block_size)
    began = time.perf_counter()
    start = None if on_arm is None else (lambda b: on_arm(b.arm, list(b.seeds)))
    for result in run_blocks(
        blocks,
        asdict(config),
        data,
        frozen,
        backend=backend,
        address=address,
        device=device,
        progress=progress,
        on_start=start,
    ):
        arm, seeds = result.block.arm, list(result.block.seeds)
        merge_arm(out / "models" / f"{arm}.pt", result.model, result.arch, result.bank)
        for i, s in enumerate(seeds):
            rows.append(
                {
                    "arm": arm,
                    "seed": s,
                    "model": config.model,
                    "hidden": hidden_label,
                    "metric": f"{float(result.val_metric[i]):.9g}",
                    "train_loss": f"{float(result.final_train_loss[i]):.9g}",
                }
            )
        write_runs(runs_path, rows)  # results of this block are safe from here on
        seconds[arm] = seconds.get(arm, 0.0) + time.perf_counter() - began  # wall time until this block came back
        began = time.perf_counter()
    by_seed = sorted(rows, key=lambda r: int(r["seed"]))  # blocks may return in any order (Ray)
    values = {
        arm: np.array([float(r["metric"]) for r in by_seed if r["arm"] == arm and int(r["seed"]) < config.seeds])
        for arm in config.arms
    }
    arms, tests = summarize(values)
    classification = data.loss == "cross_entropy"
    fits = control_fits(frozen) if any(a.startswith("fit") for a in config.arms) else None
    return StudyResult(
        values,
        arms,
        tests,
        "val_accuracy" if classification else "val_mse",
        classification,
        seconds,
        study_effects(values, classification),
        fits,
    )


def study_summary(config: CompareConfig, result: StudyResult, extra: dict | None = None) -> dict:
    """The content of ``summary.json``."""
    return {
        "task": config.task,
        "model": config.model,
        "metric": result.metric,
        "higher_is_better": result.higher_is_better,
        "arms": result.arms,
        "tests": result.tests,
        "effects": result.effects,
        "sine_fits": result.fits,
        "seconds_per_arm": result.seconds,
        "config": {**asdict(config), **(extra or {})},
    }


__all__ = ["CHUNK", "CompareConfig", "StudyResult", "run_study", "study_summary"]
