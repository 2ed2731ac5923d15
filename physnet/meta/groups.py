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
from physnet.schema import setting
from physnet.training.rmsprop import DEFAULT_DECAY


@dataclass(frozen=True)
class BankSettings:
    """The neuron types: ``k`` types sharing the hidden neurons by ``fractions`` (default even),
    each ``base(x) + residual_scale * g(x)`` with ``g`` a 1-``width``-1 sub-network of
    ``sub_activation`` units initialised by ``subnet_init`` and evaluated ``subnet_eval``
    (``direct`` or on ``knots`` knots); frozen with ``interpolation`` on ``grid`` = (lo, hi, n)."""

    k: int = setting(2, type="positive_int", help="number of neuron types (default {default})")
    fractions: tuple[float, ...] | None = setting(
        None, type="fractions", help="share of each type, e.g. 0.3,0.7 (default even)"
    )
    base: str = setting("sin", choices="ACTIVATIONS", help="base function of the sub-networks (default {default})")
    width: int = setting(50, type="positive_int", metavar="W", help="sub-network width (default {default})")
    sub_activation: str = setting(
        "tanh", choices="SUB_ACTIVATIONS", help="sub-network hidden units (default {default}; JAX reference relu)"
    )
    subnet_init: str | None = setting(
        None,
        choices="SUBNET_INITS",
        help="zero output layer (default; starts at the base) or the frameworks' default init (default for "
        "--base zero)",
    )
    residual_scale: float = setting(
        1.0, type="positive_float", help="s in base + s * g (default {default}; PyTorch reference 0.2)"
    )
    subnet_eval: str | None = setting(
        None,
        choices="SUBNET_EVALS",
        help="direct (the sub-network at every element) or knots (on --knots even knots over the grid, cubic "
        "Hermite between them)",
    )
    knots: int = setting(
        DEFAULT_KNOTS, type="positive_int", metavar="G", help="knots of --subnet-eval knots (default {default})"
    )
    interpolation: str | None = setting(
        None, choices=("linear", "cubic"), help="frozen kind (default: cubic for energy models, else linear)"
    )
    grid: tuple[float, float, int] = (-10.0, 10.0, 100)


@dataclass(frozen=True)
class InnerSettings:
    """The inner loop: ``steps`` optimiser steps (or ``epochs`` passes over the training split)
    of ``optimizer`` at ``lr`` (RMSprop's ``momentum``, ``decay`` and ``initial_scale``) on
    batches of ``batch_size``; ``reinit``: what happens to the inner weights at each outer step."""

    steps: int = setting(100, type="positive_int", help="steps K per outer step (default {default})")
    epochs: int | None = setting(
        None,
        type="positive_int",
        help="steps as passes over the training split (replaces --inner-steps; JAX reference 2)",
    )
    optimizer: str = setting("adam", choices="INNER_OPTIMIZERS", help="optimizer (default {default})")
    lr: float = setting(1e-2, type="positive_float", help="learning rate (default {default})")
    momentum: float = setting(0.0, type="momentum", help="sgd/rmsprop momentum (default {default})")
    decay: float = setting(
        DEFAULT_DECAY, type="decay", help="rmsprop: second-moment decay (default {default}; JAX 0.1, PyTorch 0.8)"
    )
    initial_scale: float = setting(
        0.0,
        type="nonnegative_float",
        help="rmsprop: initial second moment (default {default}; PyTorch reference 1)",
    )
    batch_size: int = setting(150, type="positive_int", help="mini-batch size (default: the task's)", unit="samples")
    reinit: str = setting(
        "none",
        choices="REINIT_MODES",
        help="inner weights at each outer step: none (default, carry on), fresh (new draw; PyTorch reference) "
        "or same (the same draw; JAX reference)",
    )


@dataclass(frozen=True)
class OuterSettings:
    """The outer loop: ``steps`` steps of ``optimizer`` at ``lr`` (``momentum``, ``decay``,
    gradients clamped to ``grad_clip``) on the sub-networks; the meta-gradient ``mode``
    (``first-order`` or ``unrolled``, through the last ``truncate`` inner steps, rebuilt every
    ``recompute`` steps) of the ``meta_loss`` (``final`` or ``trajectory``)."""

    steps: int = setting(50, type="positive_int", help="steps (default {default})")
    mode: str = setting("first-order", choices="MODES", help="meta-gradient: first-order (default) or unrolled")
    truncate: int | None = setting(
        None, type="positive_int", help="unrolled: differentiate through only the last M inner steps"
    )
    recompute: int | None = setting(
        None,
        type="positive_int",
        metavar="M",
        help="unrolled: keep the inner state every M steps and recompute the graph segment by segment (same "
        "meta-gradient, memory of M steps instead of K)",
    )
    optimizer: str = setting("adam", choices="OUTER_OPTIMIZERS", help="optimizer (default {default})")
    lr: float = setting(1e-3, type="positive_float", help="learning rate (default {default})")
    momentum: float = setting(0.9, type="momentum", help="sgd/rmsprop momentum (default {default})")
    decay: float = setting(
        DEFAULT_DECAY, type="decay", help="rmsprop: second-moment decay (default {default}; JAX 0.9)"
    )
    grad_clip: float | None = setting(
        None, type="positive_float", help="gradients clamped to +-CLIP (PyTorch reference 0.1)"
    )
    meta_loss: str = setting(
        "final",
        choices="META_LOSSES",
        help="final (default: loss on one more batch) or trajectory (mean of the inner losses; PyTorch reference)",
    )


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
