"""The settings of a meta-learning run in three groups - the neuron types (:class:`BankSettings`),
the inner loop (:class:`InnerSettings`) and the outer loop (:class:`OuterSettings`) - read from
a :class:`~physnet.meta.config.MetaConfig` (``config.bank``, ``config.inner``, ``config.outer``)
or given to :meth:`~physnet.meta.config.MetaConfig.from_groups`.

A ``MetaConfig`` stores its settings flat (``inner_lr``, ``outer_lr``, ...): presets, the
command line's options and every stored ``config.json`` use those names, and they keep loading.
The groups are the same settings under their short names; ``*_FIELDS`` map one to the other."""

from __future__ import annotations

from dataclasses import dataclass, fields

from physnet.activations.knots import DEFAULT_KNOTS
from physnet.training.rmsprop import DEFAULT_DECAY


@dataclass(frozen=True)
class BankSettings:
    """The neuron types: ``k`` types sharing the hidden neurons by ``fractions`` (default even),
    each ``base(x) + residual_scale * g(x)`` with ``g`` a 1-``width``-1 sub-network of
    ``sub_activation`` units initialised by ``subnet_init`` and evaluated ``subnet_eval``
    (``direct`` or on ``knots`` knots); frozen with ``interpolation`` on ``grid`` = (lo, hi, n)."""

    k: int = 2
    fractions: tuple[float, ...] | None = None
    base: str = "sin"
    width: int = 50
    sub_activation: str = "tanh"
    subnet_init: str | None = None
    residual_scale: float = 1.0
    subnet_eval: str | None = None
    knots: int = DEFAULT_KNOTS
    interpolation: str | None = None
    grid: tuple[float, float, int] = (-10.0, 10.0, 100)


@dataclass(frozen=True)
class InnerSettings:
    """The inner loop: ``steps`` optimiser steps (or ``epochs`` passes over the training split)
    of ``optimizer`` at ``lr`` (RMSprop's ``momentum``, ``decay`` and ``initial_scale``) on
    batches of ``batch_size``; ``reinit``: what happens to the inner weights at each outer step."""

    steps: int = 100
    epochs: int | None = None
    optimizer: str = "adam"
    lr: float = 1e-2
    momentum: float = 0.0
    decay: float = DEFAULT_DECAY
    initial_scale: float = 0.0
    batch_size: int = 150
    reinit: str = "none"


@dataclass(frozen=True)
class OuterSettings:
    """The outer loop: ``steps`` steps of ``optimizer`` at ``lr`` (``momentum``, ``decay``,
    gradients clamped to ``grad_clip``) on the sub-networks; the meta-gradient ``mode``
    (``first-order`` or ``unrolled``, through the last ``truncate`` inner steps, rebuilt every
    ``recompute`` steps) of the ``meta_loss`` (``final`` or ``trajectory``)."""

    steps: int = 50
    mode: str = "first-order"
    truncate: int | None = None
    recompute: int | None = None
    optimizer: str = "adam"
    lr: float = 1e-3
    momentum: float = 0.9
    decay: float = DEFAULT_DECAY
    grad_clip: float | None = None
    meta_loss: str = "final"


#: Group field -> the MetaConfig field it is stored in.
BANK_FIELDS = {f.name: f.name for f in fields(BankSettings)}
INNER_FIELDS = {
    "steps": "inner_steps",
    "epochs": "inner_epochs",
    "optimizer": "inner_optimizer",
    "lr": "inner_lr",
    "momentum": "inner_momentum",
    "decay": "inner_decay",
    "initial_scale": "inner_initial_scale",
    "batch_size": "batch_size",
    "reinit": "reinit",
}
OUTER_FIELDS = {
    "steps": "outer_steps",
    "mode": "mode",
    "truncate": "truncate",
    "recompute": "recompute",
    "optimizer": "outer_optimizer",
    "lr": "outer_lr",
    "momentum": "outer_momentum",
    "decay": "outer_decay",
    "grad_clip": "outer_grad_clip",
    "meta_loss": "meta_loss",
}
GROUPS = {
    "bank": (BankSettings, BANK_FIELDS),
    "inner": (InnerSettings, INNER_FIELDS),
    "outer": (OuterSettings, OUTER_FIELDS),
}

__all__ = ["BANK_FIELDS", "GROUPS", "INNER_FIELDS", "OUTER_FIELDS", "BankSettings", "InnerSettings", "OuterSettings"]
