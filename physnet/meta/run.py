"""The state of a meta-learning run between outer steps (:class:`MetaRun`), the learned
types it starts from (:func:`make_bank`) and what it returns (:class:`MetaResult`)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import Tensor, nn

from physnet.activations import FrozenBank, LearnedBank, activation_grid, freeze
from physnet.activations.fused_subnet import compiled_kernels
from physnet.data import TaskData
from physnet.meta.config import DTYPES, MetaConfig
from physnet.meta.deployment import deployment_gap, hidden_preactivations
from physnet.meta.outer_step import make_outer_optimizer, outer_step
from physnet.meta.records import load_checkpoint, provenance, save_checkpoint
from physnet.networks import build_model
from physnet.training.batches import BatchStream
from physnet.training.evaluation import evaluate
from physnet.training.functional_optim import FunctionalOptimizer, detached
from physnet.training.trainer import TrainingDivergedError

HISTORY_KEYS = ("outer_step", "train_loss", "meta_loss", "val_loss", "seconds", "activations")


@dataclass
class MetaResult:
    """Outcome of meta-learning.

    Attributes:
        bank: the learned types (sub-networks).
        frozen: the frozen, interpolated types with provenance metadata.
        history: arrays over outer steps 0..S: ``outer_step``, ``train_loss``,
            ``meta_loss``, ``val_loss``, ``seconds`` (each ``(S+1,)``), ``activations``
            ``(S+1, k, G)`` and ``grid`` ``(G,)``.
        model: the network with its final inner weights.
        config: the settings used.
        completed: False when stopped early by ``stop_after``.
        deployment: largest ``|learned - frozen|`` per type on the grid and on the final
            network's pre-activations over the training split (``deployment_gap``).
    """

    bank: LearnedBank
    frozen: FrozenBank
    history: dict[str, np.ndarray]
    model: nn.Module
    config: MetaConfig
    completed: bool = True
    data_config: dict = field(default_factory=dict)
    deployment: dict = field(default_factory=dict)


def _build(config: MetaConfig, data: TaskData, bank: LearnedBank, seed: int) -> nn.Module:
    dim_out = int(data.y_train.max()) + 1 if data.loss == "cross_entropy" else None
    return build_model(
        config.model,
        data.dim_in,
        config.hidden,
        bank,
        dim_out=dim_out,
        seeds=[seed],
        fractions=config.fractions,
        dtype=DTYPES[config.dtype],
        device=config.device,
        state_names=data.state_names or None,
    )


def make_bank(config: MetaConfig) -> LearnedBank:
    """The learned types as configured, drawn from ``config.seed``."""
    bank = LearnedBank(
        config.k,
        config.base,
        config.width,
        generator=torch.Generator().manual_seed(config.seed),
        sub_activation=config.sub_activation,
        init=config.subnet_init_kind,
        residual_scale=config.residual_scale,
        subnet_eval=config.subnet_eval_kind,
        knots=(config.grid[0], config.grid[1], config.knots),
        dtype=DTYPES[config.dtype],
        device=config.device,
    )
    if config.compile and config.subnet_eval_kind == "direct":  # on knots the sub-networks are small already
        bank.fused = bank.compiled = compiled_kernels() is not None  # plain autograd where compiling fails
    return bank


class MetaRun:
    """The state of one meta-learning run between outer steps: the network, its inner
    weights ``theta`` and inner optimizer state, the learned types and their outer
    optimizer, the batch stream and the history; :meth:`step` is Algorithm 1's outer loop
    body, :meth:`save` / :meth:`resume` its checkpoints."""

    def __init__(self, config: MetaConfig, data: TaskData, checkpoint: Path | None) -> None:
        self.data = data.to(config.device, DTYPES[config.dtype])
        self.config = config = config.for_data(len(self.data.x_train))
        self.checkpoint = checkpoint
        self.bank = make_bank(config)
        self.model = _build(config, self.data, self.bank, config.seed)
        bank_ids = {id(p) for p in self.bank.parameters()}
        theta: dict[str, Tensor] = {n: p for n, p in self.model.named_parameters() if id(p) not in bank_ids}
        self.theta = detached(theta, True)
        self.initial_theta = {k: v.clone() for k, v in detached(self.theta).items()}  # the model syncs into its storage
        self.inner = FunctionalOptimizer(
            config.inner_optimizer,
            config.inner_lr,
            momentum=config.inner_momentum,
            decay=config.inner_decay,
            initial_scale=config.inner_initial_scale,
        )
        self.inner_state = self.inner.init(self.theta)
        self.outer = make_outer_optimizer(config, list(self.bank.parameters()))
        self.stream = BatchStream(len(self.data.x_train), config.batch_size, config.seed + 1)
        self.grid = activation_grid(*config.grid)
        self.history: dict[str, list] = {k: [] for k in HISTORY_KEYS}

    def sync_model(self) -> None:
        """Copy ``theta`` into the network's own parameters."""
        with torch.no_grad():
            for n, p in self.model.named_parameters():
                if n in self.theta:
                    p.copy_(self.theta[n])

    def record(self, step: int, train_loss: float, meta_loss: float, seconds: float) -> dict:
        """Append outer step ``step`` (validation loss, the types on the grid) to the history."""
        self.sync_model()
        val_loss, _ = evaluate(self.model, self.data.x_val, self.data.y_val, self.data.loss, rollout=self.data.rollout)
        rec = {
            "outer_step": step,
            "train_loss": train_loss,
            "meta_loss": meta_loss,
            "val_loss": float(val_loss[0]),
            "seconds": seconds,
            "activations": self.bank.sample(self.grid).cpu().double(),
        }
        for key, value in rec.items():
            self.history[key].append(value)
        return rec

    def step(self, step: int) -> dict:
        """Outer step ``step``: re-initialise the inner weights as configured, run the inner
        steps, update the types; returns the history record.

        Raises:
            TrainingDivergedError: naming the outer step and the checkpoint kept.
        """
        began = time.perf_counter()
        self._reinit(step)
        try:
            with self.bank.reuse_knot_tables():  # the weights hold still until the outer step
                self.theta, self.inner_state, meta_loss, inner_losses = outer_step(
                    self.config,
                    self.model,
                    self.theta,
                    self.inner_state,
                    self.inner,
                    self.data,
                    self.stream,
                    self.bank,
                    self.outer,
                )
        except TrainingDivergedError as err:
            kept = self.checkpoint is not None and self.checkpoint.exists()
            note = f" (last checkpoint kept at {self.checkpoint})" if kept else ""
            raise TrainingDivergedError(f"{err} at outer step {step}; lower the learning rates{note}") from None
        return self.record(step, float(np.mean(inner_losses)), meta_loss, time.perf_counter() - began)

    def _reinit(self, step: int) -> None:
        if self.config.reinit == "same":
            self.theta, self.inner_state = detached(self.initial_theta, True), self.inner.init(self.initial_theta)
        elif self.config.reinit == "fresh" and step > 1:
            fresh = _build(self.config, self.data, self.bank, self.config.seed + 7919 * step)
            self.theta = detached({n: p for n, p in fresh.named_parameters() if n in self.theta}, True)
            self.inner_state = self.inner.init(self.theta)

    def save(self, step: int) -> None:
        """Checkpoint after outer step ``step`` (when the run has a checkpoint file)."""
        if self.checkpoint is None:
            return
        state = {
            "step": step,
            "theta": detached(self.theta),
            "inner_state": detached(self.inner_state),
            "bank": self.bank.state_dict(),
            "outer": self.outer.state_dict(),
            "stream": self.stream.state_dict(),
            "history": self.history,
            "config": self.config.to_dict(),
        }
        save_checkpoint(self.checkpoint, state)

    def resume(self) -> int:
        """Continue from the checkpoint if there is one; returns the outer step it holds (0: none)."""
        if self.checkpoint is None or not self.checkpoint.exists():
            return 0
        state = load_checkpoint(self.checkpoint, self.config)
        self.theta = detached(state["theta"], True)
        self.inner_state = detached(state["inner_state"])
        self.bank.load_state_dict(state["bank"])
        self.outer.load_state_dict(state["outer"])
        self.stream.load_state_dict(state["stream"])
        self.history = state["history"]
        return int(state["step"])

    def result(self, completed: bool) -> MetaResult:
        """The learned and frozen types, the history as arrays, and how far the frozen types
        are from the learned ones where the network uses them."""
        self.sync_model()
        hist = {
            k: (np.stack([np.asarray(a) for a in v]) if k == "activations" else np.asarray(v, dtype=np.float64))
            for k, v in self.history.items()
        }
        hist["grid"] = self.grid.numpy()
        frozen = freeze(
            self.bank,
            self.config.interpolation_kind,
            self.grid,
            metadata=provenance(self.config, self.bank, self.data),
            initial=torch.as_tensor(hist["activations"][0]),
        )
        gap = deployment_gap(self.bank, frozen, hidden_preactivations(self.model, self.data.x_train))
        return MetaResult(
            self.bank,
            frozen,
            hist,
            self.model,
            self.config,
            completed=completed,
            data_config=self.data.config,
            deployment=gap,
        )


__all__ = ["HISTORY_KEYS", "MetaResult", "MetaRun", "make_bank"]
