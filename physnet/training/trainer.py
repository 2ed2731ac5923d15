"""Plain training for evaluation: Adam, SGD with momentum or RMSprop, mini-batches, epochs,
validation on the whole split.

Trains every member of an ensemble model at once: the summed loss gives each member
exactly the gradient it would get alone, and both optimizers act elementwise, so member
``i`` follows the same path as a single run with its seed and the same batches.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace

import torch
from torch import Tensor, nn
from tqdm.auto import tqdm

from physnet.compiled import GuardedCompiled
from physnet.data import TaskData
from physnet.errors import UserError
from physnet.schema import setting
from physnet.training.batches import BatchStream
from physnet.training.evaluation import ensemble_input, evaluate, n_members
from physnet.training.losses import member_loss
from physnet.training.rmsprop import DEFAULT_DECAY, RMSprop, check_rmsprop
from physnet.training.rollout import predict
from physnet.training.shooting import ShootingBatches

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

    epochs: int = setting(5, type="positive_int", help="passes over the training split (default: the task's)")
    batch_size: int = setting(150, type="positive_int", unit="samples", help="mini-batch size (default: the task's)")
    lr: float = setting(
        1e-2,
        type="positive_float",
        help="learning rate (default: tuned per arm without a preset, else the task's; a rate given is the rate "
        "used, tuning off)",
    )
    data_seed: int = 0
    weight_decay: float = setting(
        0.0, type="nonnegative_float", help="L2 penalty of the training optimizer (default {default})"
    )
    optimizer: str = setting("adam", choices="OPTIMIZERS", help="training optimizer (default {default})")
    momentum: float = setting(0.0, type="momentum", help="sgd, rmsprop: heavy-ball momentum (default {default})")
    compile: bool = setting(
        False,
        switch=True,
        help="run through torch.compile (training: Hamiltonian networks through torch.func.grad; meta-learning: "
        "the fused sub-network kernels; needs a C++ compiler; the same numbers to float rounding)",
    )
    decay: float = setting(
        DEFAULT_DECAY, type="decay", help="rmsprop: second-moment decay (default {default}; the paper preset 0.1)"
    )
    initial_scale: float = setting(
        0.0, type="nonnegative_float", help="rmsprop: initial second moment (default {default})"
    )

    def __post_init__(self) -> None:
        if self.optimizer not in OPTIMIZERS:
            raise UserError(f"unknown optimizer {self.optimizer!r}; valid: {', '.join(OPTIMIZERS)}")
        if not self.weight_decay >= 0:
            raise UserError(f"weight decay must be >= 0, got {self.weight_decay}")
        check_rmsprop(self.decay, self.momentum, self.initial_scale)

    def to_dict(self) -> dict:
        return asdict(self)

    def make_optimizer(self, params: list[torch.Tensor]) -> torch.optim.Optimizer:
        """This configuration's optimizer over ``params``."""
        if self.optimizer == "sgd":
            return torch.optim.SGD(params, lr=self.lr, momentum=self.momentum, weight_decay=self.weight_decay)
        if self.optimizer == "rmsprop":
            return RMSprop(
                params,
                self.lr,
                decay=self.decay,
                momentum=self.momentum,
                initial_scale=self.initial_scale,
                weight_decay=self.weight_decay,
            )
        return torch.optim.Adam(params, lr=self.lr, weight_decay=self.weight_decay)


@dataclass(frozen=True)
class TrainResult:
    """Per-member results: ``train_loss`` shaped ``(epochs, E)`` (mean over each epoch's
    batches), ``val_loss`` and ``val_metric`` shaped ``(E,)`` on the whole validation split,
    and ``diverged`` ``(E,)``: members whose loss stopped being finite (with
    ``nonfinite="flag"``; their ``train_loss`` from then on and their validation loss are
    NaN, an MSE metric infinite)."""

    train_loss: Tensor
    val_loss: Tensor
    val_metric: Tensor
    diverged: Tensor | None = None


#: What :func:`train` does when a member's loss stops being finite.
NONFINITE = ("raise", "flag")


def train(
    model: nn.Module,
    data: TaskData,
    config: TrainConfig,
    *,
    progress: bool = False,
    desc: str = "train",
    nonfinite: str = "raise",
    member_lr: Tensor | Sequence[float] | None = None,
) -> TrainResult:
    """Train ``model`` (all ensemble members) in place on ``data``.

    Args:
        nonfinite: ``raise`` (a :class:`TrainingDivergedError` when any member's loss is NaN
            or infinite) or ``flag`` (that member is marked in ``TrainResult.diverged`` and
            left out of the loss from then on; the others train on, exactly as they would
            alone; training stops early when every member has diverged).
        member_lr: a learning rate per member ``(E,)`` in place of ``config.lr``: member ``i``
            follows the path it would follow alone at rate ``member_lr[i]`` (the optimiser
            steps at rate 1 and each member's move is scaled by its rate, which is exact for
            Adam, SGD and RMSprop, whose moves are proportional to the rate).

    Raises:
        TrainingDivergedError: (``nonfinite="raise"``) naming the epoch and step where the loss
            stopped being finite.
    """
    if nonfinite not in NONFINITE:
        raise UserError(f"nonfinite must be one of {', '.join(NONFINITE)}, got {nonfinite!r}")
    e = n_members(model)
    prediction = _prediction(model, data, config)
    params: list[Tensor] = [p for p in model.parameters() if p.requires_grad]
    shooting = ShootingBatches(data, e) if data.rollout is not None and data.rollout.continuity is not None else None
    if shooting is not None:  # the window starts are learned with the weights
        params.append(shooting.starts)
    rates = _member_rates(member_lr, params, e)
    opt = (config if rates is None else replace(config, lr=1.0)).make_optimizer(params)
    # an epoch passes once over the samples, or with multiple shooting over the segments (1/K of the windows)
    stream = BatchStream(len(data.x_train) if shooting is None else shooting.count, config.batch_size, config.data_seed)
    steps = stream.batches_per_epoch
    history = torch.zeros(config.epochs, e, dtype=torch.float64)
    alive = torch.ones(e, dtype=torch.bool)
    bar = tqdm(total=config.epochs * steps, disable=not progress, desc=desc, leave=False)
    for epoch in range(config.epochs):
        for step in range(steps):
            idx = stream.next()
            losses = _losses(prediction, model, data, shooting, idx)
            total = losses.sum()
            if not math.isfinite(float(total.detach())):
                if nonfinite == "raise":
                    raise TrainingDivergedError(
                        f"training loss became {float(total.detach())} at epoch {epoch + 1}, step {step + 1}; "
                        "lower the learning rate"
                    )
                alive &= torch.isfinite(losses.detach()).cpu()
                total = torch.where(alive.to(losses.device), losses, torch.zeros_like(losses)).sum()
            opt.zero_grad(set_to_none=True)
            total.backward()
            if not bool(alive.all()):
                _silence(params, ~alive)
            if rates is None:
                opt.step()
            else:
                _scaled_step(opt, params, rates)
            history[epoch] += losses.detach().double().cpu() / steps
            bar.update()
            if not bool(alive.any()):
                break
        bar.set_postfix(epoch=epoch + 1, median_loss=f"{float(history[epoch].nanmedian()):.3g}")
        if not bool(alive.any()):
            history[epoch + 1 :] = float("nan")
            break
    bar.close()
    val_loss, val_metric = evaluate(model, data.x_val, data.y_val, data.loss, rollout=data.rollout)
    val_loss, val_metric = val_loss.cpu(), val_metric.cpu()
    diverged = ~alive
    if bool(diverged.any()):
        val_loss[diverged] = float("nan")
        if data.loss != "cross_entropy":
            val_metric[diverged] = float("inf")
    return TrainResult(history, val_loss, val_metric, diverged)


def _prediction(model: nn.Module, data: TaskData, config: TrainConfig) -> Callable[[Tensor], Tensor]:
    """:func:`training_prediction`, through ``torch.compile`` with ``config.compile`` (every batch
    has the same shape, the last short one dropped: no dynamic shapes). A Hamiltonian network's
    own forward calls ``autograd.grad``, which cannot be traced: on derivatives its
    ``traceable_forward``, on rollouts the whole rollout over the closed-form field."""
    prediction = training_prediction(model, data)
    if not config.compile:
        return prediction
    traced = getattr(model, "traceable_forward", model)
    if data.rollout is not None:
        traced = training_prediction(model, data, traceable=True)
    return GuardedCompiled(torch.compile(traced, dynamic=False), prediction, "training")


def _losses(
    prediction: Callable[[Tensor], Tensor],
    model: nn.Module,
    data: TaskData,
    shooting: ShootingBatches | None,
    idx: Tensor,
) -> Tensor:
    """Each member's loss ``(E,)`` on batch ``idx``: samples, or with multiple shooting segments."""
    if shooting is not None:
        return shooting.losses(prediction, idx)
    pred = prediction(ensemble_input(model, data.x_train[idx]))
    return member_loss(pred, data.y_train[idx], data.loss, n_members(model))


def training_prediction(model: nn.Module, data: TaskData, *, traceable: bool = False) -> Callable[[Tensor], Tensor]:
    """What training compares with the targets, as a function of a batch of states: the
    model's output, or on rollouts its integrated states (:func:`~physnet.training.rollout.predict`).
    ``traceable``: for ``torch.compile``, an energy model's field with ``grad H`` in closed form
    (``closed_form_field``: the same values to float rounding; ``autograd.grad`` inside a
    forward pass cannot be traced). Eager training keeps the model's own field: the closed form
    is no faster there (``benchmarks/rollout_cost.py``)."""
    if data.rollout is None:
        return model
    field = getattr(model, "closed_form_field", model) if traceable else model
    rollout = data.rollout
    return lambda x: predict(field, x, rollout)


def _member_rates(member_lr: Tensor | Sequence[float] | None, params: list[Tensor], e: int) -> Tensor | None:
    if member_lr is None:
        return None
    rates = torch.as_tensor(member_lr, dtype=torch.float64).flatten()
    if rates.shape != (e,):
        raise UserError(f"member_lr needs one rate per member ({e}), got {tuple(rates.shape)}")
    if not bool(torch.isfinite(rates).all() and (rates > 0).all()):
        raise UserError(f"every member's learning rate must be finite and positive, got {rates.tolist()}")
    if any(p.dim() == 0 or p.shape[0] != e for p in params):
        raise UserError("member_lr needs every trained parameter to lead with the ensemble's member axis")
    return rates


def _scaled_step(opt: torch.optim.Optimizer, params: list[Tensor], rates: Tensor) -> None:
    """``opt.step()`` at rate 1, then each member's move scaled by its own rate."""
    before = [p.detach().clone() for p in params]
    opt.step()
    with torch.no_grad():
        for p, b in zip(params, before, strict=True):
            r = rates.to(device=p.device, dtype=p.dtype).view(-1, *([1] * (p.dim() - 1)))
            p.sub_(b).mul_(r).add_(b)


def _silence(params: list[Tensor], dead: Tensor) -> None:
    """Zero the gradients of diverged members, so that nothing non-finite reaches the optimiser."""
    for p in params:
        if p.grad is not None and p.dim() > 0 and p.shape[0] == len(dead):
            p.grad[dead.to(p.device)] = 0.0
