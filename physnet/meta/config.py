"""The settings of a meta-learning run (:class:`MetaConfig`), their validation, and each
task's paper-scale defaults (:func:`meta_config_for`)."""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

import torch

from physnet.activations.diverse import check_fractions
from physnet.activations.learned import check_knots, check_subnet, default_subnet_init
from physnet.errors import UserError
from physnet.meta.groups import (
    GROUPS,
    BankSettings,
    InnerSettings,
    OuterSettings,
)
from physnet.meta.unrolled import META_LOSSES
from physnet.networks.build import ENERGY_MODELS
from physnet.schema import as_setting, setting
from physnet.tasks.registry import get_task
from physnet.tasks.settings import SMOKE_META, smoke
from physnet.training.functional_optim import INNER_OPTIMIZERS
from physnet.training.rmsprop import check_rmsprop
from physnet.training.trainer import TrainConfig

MODES = ("first-order", "unrolled")
DTYPES = {"float32": torch.float32, "float64": torch.float64}
OUTER_OPTIMIZERS = ("adam", "sgd", "rmsprop")
#: What happens to the inner network's weights (and its optimizer state) at each outer step:
#: ``none`` - they carry on; ``fresh`` - a new random draw (the PyTorch reference);
#: ``same`` - the same initial draw every time (the JAX reference).
REINIT_MODES = ("none", "fresh", "same")


@dataclass(frozen=True)
class MetaConfig:
    """Every setting of a meta-learning run (paper-scale defaults per task come from
    :func:`meta_config_for`). Stored flat, as presets, options and ``config.json`` name them;
    read in three groups as ``config.bank``, ``config.inner`` and ``config.outer``
    (:mod:`physnet.meta.groups`) or built from them with :meth:`from_groups`.

    Attributes:
        task, model: a task from the task registry (:data:`physnet.tasks.TASKS`) and one of its models.
        hidden: hidden widths; every hidden layer is diverse with the learned types.
        k, fractions: number of types and their shares (default: even split).
        base, width: base function of the sub-networks and their width W.
        mode: ``first-order`` or ``unrolled``; ``truncate``: differentiate through
            only the last M inner steps (unrolled; None = all, the reference's math).
        inner_steps, outer_steps: K inner steps per outer step; number of outer steps.
        inner_epochs: if set, K is this many passes over the training split (the JAX
            reference counts its inner loop in epochs); replaces ``inner_steps`` when the
            data are known.
        inner_optimizer, inner_lr, inner_momentum: functional optimizer of theta;
            inner_decay, inner_initial_scale: its RMSprop second-moment decay and start.
        outer_optimizer, outer_lr, outer_momentum, outer_grad_clip: optimizer of theta_s
            (``adam``, ``sgd`` or ``rmsprop``); gradients clamped to +-clip if set;
            outer_decay: its RMSprop decay.
        batch_size: samples per inner step (and per outer batch).
        reinit: the inner weights at each outer step (:data:`REINIT_MODES`).
        meta_loss: ``final`` (the loss on one more batch after the inner steps) or
            ``trajectory`` (the mean of the inner losses along the way).
        sub_activation, subnet_init, residual_scale: the sub-networks' hidden nonlinearity
            (tanh, relu), initialisation (zero, default; None: zero unless the base is
            zero) and the scale s of ``base + s g`` (see ``LearnedBank``).
        subnet_eval, knots: evaluate the sub-networks at every element (``direct``) or on
            ``knots`` even knots over the grid's range with cubic Hermite interpolation
            (``knots``: the same function to about 1e-8 at 256 knots, far fewer sub-network
            units per step; see ``physnet.activations.knots``). None: ``knots`` for tanh
            sub-networks, ``direct`` for relu ones (whose kinks a cubic would round off).
        interpolation: kind used when freezing (default: ``cubic`` for Hamiltonian
            models, whose loss needs second derivatives of activations; else ``linear``).
        grid: ``(lo, hi, n)`` sample points for snapshots and freezing.
        seed: one seed for everything (sub-networks, inner weights, batches).
        device, dtype: where and in what precision to compute.
        recompute: unrolled only: keep the inner state every M steps and rebuild one
            segment's graph at a time for the outer gradient (the same meta-gradient with
            the memory of M steps instead of all, for about one extra forward pass).
        compile: run the sub-networks as one fused autograd Function with
            ``torch.compile``'d kernels (same meta-gradient to rounding; the unrolled mode's
            graph shrinks from the sub-networks' (points x width) tensors to their points;
            one compile of about 5-10 s per process, falls back to plain autograd with a
            warning where compiling is unavailable).
        checkpoint_every: outer steps between checkpoints.
        small: use the task's small data (tests, demos).
        data: a data file for tasks that accept one (clock).
    """

    task: str = "van-der-pol"
    model: str = "nn"
    hidden: tuple[int, ...] = setting(
        (100,), type="int_list", metavar="W,W,...", help="hidden widths, e.g. 100 or 64,64 (default: the task's)"
    )
    k: int = as_setting(BankSettings, "k")
    fractions: tuple[float, ...] | None = as_setting(BankSettings, "fractions")
    base: str = as_setting(BankSettings, "base")
    width: int = as_setting(BankSettings, "width")
    mode: str = as_setting(OuterSettings, "mode")
    truncate: int | None = as_setting(OuterSettings, "truncate")
    inner_steps: int = as_setting(InnerSettings, "steps", prefix="inner ")
    outer_steps: int = as_setting(OuterSettings, "steps", prefix="outer ")
    inner_epochs: int | None = as_setting(InnerSettings, "epochs", prefix="inner ")
    inner_optimizer: str = as_setting(InnerSettings, "optimizer", prefix="inner ")
    inner_lr: float = as_setting(InnerSettings, "lr", prefix="inner ")
    inner_momentum: float = as_setting(InnerSettings, "momentum", prefix="inner ")
    inner_decay: float = as_setting(InnerSettings, "decay", prefix="inner ")
    inner_initial_scale: float = as_setting(InnerSettings, "initial_scale", prefix="inner ")
    outer_optimizer: str = as_setting(OuterSettings, "optimizer", prefix="outer ")
    outer_lr: float = as_setting(OuterSettings, "lr", prefix="outer ")
    outer_momentum: float = as_setting(OuterSettings, "momentum", prefix="outer ")
    outer_decay: float = as_setting(OuterSettings, "decay", prefix="outer ")
    outer_grad_clip: float | None = as_setting(OuterSettings, "grad_clip", prefix="outer ")
    batch_size: int = as_setting(InnerSettings, "batch_size")
    reinit: str = as_setting(InnerSettings, "reinit")
    meta_loss: str = as_setting(OuterSettings, "meta_loss")
    sub_activation: str = as_setting(BankSettings, "sub_activation")
    subnet_init: str | None = as_setting(BankSettings, "subnet_init")
    residual_scale: float = as_setting(BankSettings, "residual_scale")
    subnet_eval: str | None = as_setting(BankSettings, "subnet_eval")
    knots: int = as_setting(BankSettings, "knots")
    interpolation: str | None = as_setting(BankSettings, "interpolation")
    grid: tuple[float, float, int] = as_setting(BankSettings, "grid")
    seed: int = 0
    device: str = setting("cpu", type="device", help="cpu (default), cuda, cuda:N or mps")
    dtype: str = setting("float32", choices=("float32", "float64"), help="floating precision (default {default})")
    checkpoint_every: int = 5
    recompute: int | None = as_setting(OuterSettings, "recompute")
    compile: bool = as_setting(TrainConfig, "compile")
    small: bool = setting(False, switch=True, help="the task's small data (the budget stays)")
    data: str | None = None

    def __post_init__(self) -> None:
        _check_choices(self)
        _check_numbers(self)
        _check_types_and_device(self)

    @property
    def subnet_init_kind(self) -> str:
        """The sub-networks' initialisation (``subnet_init``, or its default for the base)."""
        return self.subnet_init or default_subnet_init(self.base)

    @property
    def subnet_eval_kind(self) -> str:
        """How the sub-networks are evaluated (``subnet_eval``, or its default for the hidden units)."""
        return self.subnet_eval or ("knots" if self.sub_activation == "tanh" else "direct")

    @property
    def interpolation_kind(self) -> str:
        return self.interpolation or ("cubic" if self.model in ENERGY_MODELS else "linear")

    @property
    def unrolled_steps(self) -> int:
        """Inner steps the outer gradient flows through."""
        if self.mode == "first-order":
            return 0
        return self.inner_steps if self.truncate is None else self.truncate

    @property
    def bank(self) -> BankSettings:
        """The neuron types' settings as one record (:mod:`physnet.meta.groups`)."""
        return self._group("bank")

    @property
    def inner(self) -> InnerSettings:
        """The inner loop's settings as one record."""
        return self._group("inner")

    @property
    def outer(self) -> OuterSettings:
        """The outer loop's settings as one record."""
        return self._group("outer")

    def _group(self, group: str) -> Any:
        kind, names = GROUPS[group]
        return kind(**{short: getattr(self, flat) for short, flat in names.items()})

    @classmethod
    def from_groups(
        cls,
        task: str,
        model: str,
        *,
        bank: BankSettings | None = None,
        inner: InnerSettings | None = None,
        outer: OuterSettings | None = None,
        **rest: Any,
    ) -> MetaConfig:
        """A configuration from the three groups (each default: its defaults) and the other
        settings (``hidden``, ``seed``, ``dtype``, ...) by name."""
        flat: dict[str, Any] = {}
        for group, (kind, names) in zip((bank, inner, outer), GROUPS.values(), strict=True):
            record = group if group is not None else kind()
            flat.update({names[f.name]: getattr(record, f.name) for f in fields(record)})
        return cls(task=task, model=model, **flat, **rest)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["interpolation_kind"] = self.interpolation_kind
        d["unrolled_steps"] = self.unrolled_steps
        d["subnet_init_kind"] = self.subnet_init_kind
        d["subnet_eval_kind"] = self.subnet_eval_kind
        return d

    def for_data(self, n_train: int) -> MetaConfig:
        """This configuration with ``inner_epochs`` turned into inner steps for ``n_train``
        training samples (unchanged without ``inner_epochs``)."""
        if self.inner_epochs is None:
            return self
        per_epoch = max(1, n_train // min(self.batch_size, n_train))
        return replace(self, inner_steps=self.inner_epochs * per_epoch)


_LABELS = {"mode": "meta-learning mode", "outer_optimizer": "outer optimizer", "inner_optimizer": "inner optimizer"}


def _check_choices(c: MetaConfig) -> None:
    """Raise ValueError naming a setting that is not one of its choices."""
    for name, valid in (
        ("mode", MODES),
        ("dtype", tuple(DTYPES)),
        ("outer_optimizer", OUTER_OPTIMIZERS),
        ("inner_optimizer", INNER_OPTIMIZERS),
        ("reinit", REINIT_MODES),
        ("meta_loss", META_LOSSES),
    ):
        if getattr(c, name) not in valid:
            raise UserError(f"unknown {_LABELS.get(name, name)} {getattr(c, name)!r}; valid: {', '.join(valid)}")
    check_subnet(c.sub_activation, c.subnet_init_kind, c.residual_scale)
    check_knots(c.subnet_eval_kind, (c.grid[0], c.grid[1], c.knots))
    if c.compile and c.sub_activation != "tanh" and c.subnet_eval_kind == "direct":
        raise UserError("compile (fused sub-network kernels) supports tanh sub-networks only; drop --compile")


def _check_numbers(c: MetaConfig) -> None:
    """Raise ValueError naming a count, rate or optimizer setting out of range."""
    for name in ("inner_steps", "outer_steps", "batch_size", "width", "checkpoint_every"):
        if getattr(c, name) < 1:
            raise UserError(f"{name} must be >= 1, got {getattr(c, name)}")
    if c.inner_epochs is not None and c.inner_epochs < 1:
        raise UserError(f"inner_epochs must be >= 1, got {c.inner_epochs}")
    if not c.outer_lr >= 0:
        raise UserError(f"outer_lr must be >= 0, got {c.outer_lr}")
    check_rmsprop(c.inner_decay, c.inner_momentum, c.inner_initial_scale)
    check_rmsprop(c.outer_decay, c.outer_momentum, 0.0)
    if c.recompute is not None and c.recompute < 1:
        raise UserError(f"recompute must be >= 1 inner step, got {c.recompute}")
    if c.truncate is not None and not 0 <= c.truncate <= c.inner_steps:
        raise UserError(f"truncate must lie in [0, inner_steps={c.inner_steps}], got {c.truncate}")


def _check_types_and_device(c: MetaConfig) -> None:
    """Raise ValueError for a bad number of types, type fractions or an absent device."""
    if not isinstance(c.k, int) or c.k < 1:
        raise UserError(f"number of neuron types k must be a positive integer, got {c.k!r}")
    if c.fractions is not None:
        check_fractions(list(c.fractions), c.k, "type fractions")
    if c.device.startswith("cuda") and not torch.cuda.is_available():
        raise UserError(f"device {c.device!r} asked for but CUDA is not available; use --device cpu")


def meta_config_for(task: str, model: str | None = None, *, quick: bool = False, **overrides) -> MetaConfig:
    """The task's paper-scale defaults for ``model`` (``quick``: its quick budget, small data
    and fewer outer steps, as ``StudyConfig.for_task(quick=True)`` takes for a comparison),
    with ``overrides`` applied."""
    t = get_task(task)
    settings = t.model_settings(model)  # refuses a model the task does not take
    model = model or t.models[0]
    if quick:
        overrides = {**settings.quick_meta, **{k: v for k, v in overrides.items() if v is not None}}
    if "reinit_inner" in overrides:  # the name before reinit modes existed
        warnings.warn(
            "reinit_inner is deprecated; use reinit='fresh' (or 'none', 'same')", DeprecationWarning, stacklevel=2
        )
        flag = overrides.pop("reinit_inner")
        if flag is not None:
            overrides.setdefault("reinit", "fresh" if flag else "none")
    defaults = dict(settings.meta)
    if "hidden" in defaults:
        defaults["hidden"] = tuple(defaults["hidden"])
    given = {k: v for k, v in overrides.items() if v is not None}
    return MetaConfig(task=task, model=model, **{**defaults, **given, **(SMOKE_META if smoke() else {})})


__all__ = ["DTYPES", "MODES", "OUTER_OPTIMIZERS", "REINIT_MODES", "MetaConfig", "meta_config_for"]
