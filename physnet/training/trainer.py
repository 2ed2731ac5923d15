"""Plain training for evaluation: Adam, SGD with momentum or RMSprop, mini-batches, epochs,
validation on the whole split.

Trains every member of an ensemble model at once: the summed loss gives each member
exactly the gradient it would get alone, and both optimizers act elementwise, so member
``i`` follows the same path as a single run with its seed and the same batches.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass

import torch
from torch import Tensor, nn
from tqdm.auto import tqdm

from physnet.tasks import TaskData
from physnet.training.batches import BatchStream
from physnet.training.evaluation import ensemble_input, evaluate, n_members
from physnet.training.losses import member_loss
from physnet.training.rmsprop import DEFAULT_DECAY, RMSprop, check_rmsprop

OPTIMIZERS = ("adam", "sgd", "rmsprop")


class TrainingDivergedError(FloatingPointError):
    """The loss became NaN or infinite."""


@dataclass(frozen=True)
class TrainConfig:
    """Settings of a training run.

    Attributes:
        epochs: passes over the training split.
        batch_size: samples per step (all members see the same batches).
        lr: learning rate.
        data_seed: seed of the batch order (shared by all members).
        weight_decay: L2 penalty.
        optimizer: ``adam``, ``sgd`` (heavy-ball ``momentum``; the paper's PyTorch code) or
            ``rmsprop`` (:mod:`physnet.training.rmsprop`; the paper's JAX code: decay 0.1,
            momentum 0.6).
        momentum: SGD or RMSprop momentum (ignored by Adam).
        decay, initial_scale: RMSprop's second-moment decay and starting value.
        compile: train through ``torch.compile`` (Hamiltonian networks through their
            ``traceable_forward``, ``torch.func.grad`` instead of ``autograd.grad``). Off by
            default: see ``benchmarks/ensemble_speed.py`` for when it pays.
    """

    epochs: int = 5
    batch_size: int = 150
    lr: float = 1e-2
    data_seed: int = 0
    weight_decay: float = 0.0
    optimizer: str = "adam"
    momentum: float = 0.0
    compile: bool = False
    decay: float = DEFAULT_DECAY
    initial_scale: float = 0.0

    def __post_init__(self) -> None:
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {self.optimizer!r}; valid: {', '.join(OPTIMIZERS)}")
        check_rmsprop(self.decay, self.momentum, self.initial_scale)

    def to_dict(self) -> dict:
        return asdict(self)

    def make_optimizer(self, params: list[torch.Tensor]) -> torch.optim.Optimizer:
        """This configuration's optimizer over ``params``."""
        if self.optimizer == "sgd":
            return torch.optim.SGD(params, lr=self.lr, momentum=self.momentum, weight_decay=self.weight_decay)
        if self.optimizer == "rmsprop":
            if self.weight_decay:
                raise ValueError("weight decay is not supported with rmsprop")
            return RMSprop(params, self.lr, decay=self.decay, momentum=self.momentum, initial_scale=self.initial_scale)
        return torch.optim.Adam(params, lr=self.lr, weight_decay=self.weight_decay)


@dataclass(frozen=True)
class TrainResult:
    """Per-member results: ``train_loss`` shaped ``(epochs, E)`` (mean over each epoch's
    batches), ``val_loss`` and ``val_metric`` shaped ``(E,)`` on the whole validation split."""

    train_loss: Tensor
    val_loss: Tensor
    val_metric: Tensor


def train(
    model: nn.Module, data: TaskData, config: TrainConfig, *, progress: bool = False, desc: str = "train"
) -> TrainResult:
    """Train ``model`` (all ensemble members) in place on ``data``.

    Raises:
        TrainingDivergedError: naming the epoch and step where the loss stopped being finite.
    """
    e = n_members(model)
    forward: Callable[[Tensor], Tensor] = model
    if config.compile:  # every batch has the same shape (the last short one is dropped): no dynamic shapes
        # a Hamiltonian network's own forward calls autograd.grad, which torch.compile cannot trace
        forward = torch.compile(getattr(model, "traceable_forward", model), dynamic=False)
    opt = config.make_optimizer([p for p in model.parameters() if p.requires_grad])
    stream = BatchStream(len(data.x_train), config.batch_size, config.data_seed)
    history = torch.zeros(config.epochs, e, dtype=torch.float64)
    bar = tqdm(total=config.epochs * stream.batches_per_epoch, disable=not progress, desc=desc, leave=False)
    for epoch in range(config.epochs):
        for step in range(stream.batches_per_epoch):
            idx = stream.next()
            losses = member_loss(forward(ensemble_input(model, data.x_train[idx])), data.y_train[idx], data.loss, e)
            total = losses.sum()
            if not math.isfinite(float(total.detach())):
                raise TrainingDivergedError(
                    f"training loss became {float(total.detach())} at epoch {epoch + 1}, step {step + 1}; "
                    "lower the learning rate"
                )
            opt.zero_grad(set_to_none=True)
            total.backward()
            opt.step()
            history[epoch] += losses.detach().double().cpu() / stream.batches_per_epoch
            bar.update()
        bar.set_postfix(epoch=epoch + 1, median_loss=f"{float(history[epoch].median()):.3g}")
    bar.close()
    val_loss, val_metric = evaluate(model, data.x_val, data.y_val, data.loss)
    return TrainResult(history, val_loss.cpu(), val_metric.cpu())
