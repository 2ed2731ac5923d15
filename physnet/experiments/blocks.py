"""One unit of a study's work: the seeds of one block of one arm, trained as one batched
ensemble. The in-process and Ray backends run the same function, so their numbers agree."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from torch import nn

from physnet.activations import FrozenBank
from physnet.experiments.arms import arm_bank
from physnet.networks import build_model
from physnet.tasks import TaskData
from physnet.training import TrainConfig, train
from physnet.training.meta import DTYPES
from physnet.training.rmsprop import DEFAULT_DECAY


@dataclass(frozen=True)
class Block:
    """``seeds`` of ``arm``."""

    arm: str
    seeds: tuple[int, ...]


@dataclass
class BlockResult:
    """The trained ensemble (on the CPU), what rebuilds it, and per-seed numbers ``(len(seeds),)``."""

    block: Block
    model: nn.Module
    bank: nn.Module
    arch: dict
    val_metric: np.ndarray
    final_train_loss: np.ndarray


def plan_blocks(arms: tuple[str, ...], todo: dict[str, list[int]], size: int) -> list[Block]:
    """Split each arm's unfinished seeds into blocks of at most ``size`` seeds."""
    blocks = []
    for arm in arms:
        seeds = todo[arm]
        for start in range(0, len(seeds), size):
            blocks.append(Block(arm, tuple(seeds[start : start + size])))
    return blocks


def train_block(
    block: Block, settings: dict, data: TaskData, frozen: FrozenBank | None, device: str = "cpu", progress: bool = False
) -> BlockResult:
    """Build the block's ensemble (member i from its own seed) and train it on ``data``.

    Args:
        settings: the study's ``StudyConfig`` as a dict (model, hidden, base, dtype and the budget).
    """
    dtype = DTYPES[settings["dtype"]]
    bank = arm_bank(block.arm, frozen, settings["base"])
    kind = "classifier" if data.loss == "cross_entropy" else settings["model"]
    dim_out = int(data.y_train.max()) + 1 if kind == "classifier" else None
    seeds = list(block.seeds)
    model = build_model(
        kind,
        data.dim_in,
        tuple(settings["hidden"]),
        bank,
        dim_out=dim_out,
        seeds=seeds,
        dtype=dtype,
        device=device,
        state_names=data.state_names or None,
    )
    config = TrainConfig(
        epochs=settings["epochs"],
        batch_size=settings["batch_size"],
        lr=settings["lr"],
        data_seed=settings["data_seed"],
        optimizer=settings["optimizer"],
        momentum=settings["momentum"],
        decay=settings.get("decay", DEFAULT_DECAY),
        initial_scale=settings.get("initial_scale", 0.0),
        compile=settings.get("compile", False),
    )
    result = train(
        model, data.to(device, dtype), config, progress=progress, desc=f"{block.arm} seeds {seeds[0]}-{seeds[-1]}"
    )
    arch = {
        "kind": kind,
        "dim_in": data.dim_in,
        "hidden": list(settings["hidden"]),
        "dim_out": dim_out,
        "seeds": seeds,
        "dtype": settings["dtype"],
    }
    return BlockResult(
        block, model.cpu(), bank.cpu(), arch, result.val_metric.double().numpy(), result.train_loss[-1].double().numpy()
    )


__all__ = ["Block", "BlockResult", "plan_blocks", "train_block"]
