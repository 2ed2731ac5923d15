"""One unit of a study's work: the seeds of one block of one arm, trained as one batched
ensemble. The in-process and Ray backends run the same function, so their numbers agree."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from torch import nn

from physnet.activations import FrozenBank
from physnet.activations.frozen_function import use_compiled
from physnet.data import TaskData
from physnet.meta.learn import DTYPES
from physnet.networks import build_model
from physnet.study.arms import arm_bank
from physnet.study.config import StudyConfig
from physnet.study.failures import classify_failures, failure_rule
from physnet.training import train


@dataclass(frozen=True)
class Block:
    """``seeds`` of ``arm``, trained at learning rate ``lr`` (None: the study's), frozen types
    through compiled kernels or not (``compiled``; None: as the process has it): a decision
    that changes numbers travels with the block to whichever process trains it."""

    arm: str
    seeds: tuple[int, ...]
    lr: float | None = None
    compiled: bool | None = None


@dataclass
class BlockResult:
    """The trained ensemble (on the CPU), what rebuilds it, and per-seed numbers ``(len(seeds),)``:
    validation metric, final training loss, the learning rate trained at and why a seed failed
    (``""`` where it did not; :mod:`physnet.study.failures`)."""

    block: Block
    model: nn.Module
    bank: nn.Module
    arch: dict
    val_metric: np.ndarray
    final_train_loss: np.ndarray
    lr: float = 0.0
    failures: tuple[str, ...] = ()


def plan_blocks(
    arms: tuple[str, ...],
    todo: dict[str, list[int]],
    size: int,
    rates: dict[str, float] | None = None,
    compiled: bool | None = None,
) -> list[Block]:
    """Split each arm's unfinished seeds into blocks of at most ``size`` seeds (at the arm's
    tuned rate where ``rates`` gives one), in the order of ``arms``."""
    blocks = []
    for arm in arms:
        seeds = todo[arm]
        for start in range(0, len(seeds), size):
            blocks.append(Block(arm, tuple(seeds[start : start + size]), (rates or {}).get(arm), compiled))
    return blocks


def train_block(
    block: Block,
    study: StudyConfig,
    data: TaskData,
    frozen: FrozenBank | None,
    device: str = "cpu",
    progress: bool = False,
) -> BlockResult:
    """Build the block's ensemble (member i from its own seed) and train it on ``data`` with
    the study's training run (``study.train``, at the block's rate where it has one). A seed
    whose training diverges is flagged, not raised: the others train on."""
    dtype = DTYPES[study.dtype]
    bank = arm_bank(block.arm, frozen, study.base)
    kind = "classifier" if data.loss == "cross_entropy" else study.model
    dim_out = int(data.y_train.max()) + 1 if kind == "classifier" else None
    seeds = list(block.seeds)
    model = build_model(
        kind,
        data.dim_in,
        tuple(study.hidden),
        bank,
        dim_out=dim_out,
        seeds=seeds,
        dtype=dtype,
        device=device,
        state_names=data.state_names or None,
        init=study.init,
        output_bias=study.output_bias,
    )
    config = study.train if block.lr is None else replace(study.train, lr=block.lr)
    moved = data.to(device, dtype)
    desc = f"{block.arm} seeds {seeds[0]}-{seeds[-1]}"
    with use_compiled(block.compiled):
        result = train(model, moved, config, progress=progress, desc=desc, nonfinite="flag")
    arch = {
        "kind": kind,
        "dim_in": data.dim_in,
        "hidden": list(study.hidden),
        "dim_out": dim_out,
        "seeds": seeds,
        "dtype": study.dtype,
        "output_bias": study.output_bias,
    }
    history = result.train_loss.double().numpy()
    failures = classify_failures(history, result.val_metric.numpy(), failure_rule(moved.y_train, moved.loss))
    return BlockResult(
        block,
        model.cpu(),
        bank.cpu(),
        arch,
        result.val_metric.double().numpy(),
        history[-1],
        config.lr,
        tuple(failures),
    )


def block_rows(config: StudyConfig, result: BlockResult) -> list[dict]:
    """The ``runs.csv`` rows of a finished block, one per seed."""
    hidden = "-".join(str(h) for h in config.hidden)
    return [
        {
            "arm": result.block.arm,
            "seed": s,
            "model": config.model,
            "hidden": hidden,
            "metric": f"{float(result.val_metric[i]):.9g}",
            "train_loss": f"{float(result.final_train_loss[i]):.9g}",
            "lr": f"{result.lr:.9g}",
            "failed": int(bool(result.failures and result.failures[i])),
            "failure": result.failures[i] if result.failures else "",
        }
        for i, s in enumerate(result.block.seeds)
    ]


__all__ = ["Block", "BlockResult", "block_rows", "plan_blocks", "train_block"]
