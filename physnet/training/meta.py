"""Meta-learning neuron types (the paper's Algorithm 1).

The inner loop trains the network weights theta on the task loss; after every
``inner_steps`` inner steps an outer step updates the sub-network weights theta_s of the
learned activation types. Modes:

- ``first-order``: the outer gradient is the task loss's gradient with respect to theta_s
  on a fresh batch, theta held fixed (the JAX reference).
- ``unrolled``: the outer gradient differentiates through the inner updates (the
  PyTorch reference); through all of them by default, or only the last ``truncate``.

``first-order`` is ``unrolled`` truncated to zero steps, and the code treats it so.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import torch
from torch import Tensor, nn
from tqdm.auto import tqdm

from physnet.activations import FrozenBank, LearnedBank, activation_grid, freeze
from physnet.activations.fused_subnet import set_compiled
from physnet.activations.knots import DEFAULT_KNOTS
from physnet.activations.learned import check_knots, check_subnet, default_subnet_init
from physnet.networks import build_model
from physnet.run_output import folder_lock, write_atomically
from physnet.tasks import TaskData, get_task
from physnet.training.batches import BatchStream
from physnet.training.deployment import deployment_gap, hidden_preactivations
from physnet.training.evaluation import evaluate
from physnet.training.functional_optim import INNER_OPTIMIZERS, FunctionalOptimizer, detached
from physnet.training.rmsprop import DEFAULT_DECAY, RMSprop, check_rmsprop
from physnet.training.trainer import TrainingDivergedError
from physnet.training.unrolled import META_LOSSES, inner_loop, recomputed_meta_gradient, zeros_for_unused

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
    :func:`meta_config_for`).

    Attributes:
        task, model: a task from ``physnet.tasks.TASKS`` and one of its models.
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
    hidden: tuple[int, ...] = (100,)
    k: int = 2
    fractions: tuple[float, ...] | None = None
    base: str = "sin"
    width: int = 50
    mode: str = "first-order"
    truncate: int | None = None
    inner_steps: int = 100
    outer_steps: int = 50
    inner_epochs: int | None = None
    inner_optimizer: str = "adam"
    inner_lr: float = 1e-2
    inner_momentum: float = 0.0
    inner_decay: float = DEFAULT_DECAY
    inner_initial_scale: float = 0.0
    outer_optimizer: str = "adam"
    outer_lr: float = 1e-3
    outer_momentum: float = 0.9
    outer_decay: float = DEFAULT_DECAY
    outer_grad_clip: float | None = None
    batch_size: int = 150
    reinit: str = "none"
    meta_loss: str = "final"
    sub_activation: str = "tanh"
    subnet_init: str | None = None
    residual_scale: float = 1.0
    subnet_eval: str | None = None
    knots: int = DEFAULT_KNOTS
    interpolation: str | None = None
    grid: tuple[float, float, int] = (-10.0, 10.0, 100)
    seed: int = 0
    device: str = "cpu"
    dtype: str = "float32"
    checkpoint_every: int = 5
    recompute: int | None = None
    compile: bool = False
    small: bool = False
    data: str | None = None

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"unknown meta-learning mode {self.mode!r}; valid: {', '.join(MODES)}")
        if self.dtype not in DTYPES:
            raise ValueError(f"unknown dtype {self.dtype!r}; valid: {', '.join(DTYPES)}")
        if self.outer_optimizer not in OUTER_OPTIMIZERS:
            raise ValueError(f"unknown outer optimizer {self.outer_optimizer!r}; valid: {', '.join(OUTER_OPTIMIZERS)}")
        if self.inner_optimizer not in INNER_OPTIMIZERS:
            raise ValueError(f"unknown inner optimizer {self.inner_optimizer!r}; valid: {', '.join(INNER_OPTIMIZERS)}")
        for name, valid in (("reinit", REINIT_MODES), ("meta_loss", META_LOSSES)):
            if getattr(self, name) not in valid:
                raise ValueError(f"unknown {name} {getattr(self, name)!r}; valid: {', '.join(valid)}")
        for name in ("inner_steps", "outer_steps", "batch_size", "width", "checkpoint_every"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.inner_epochs is not None and self.inner_epochs < 1:
            raise ValueError(f"inner_epochs must be >= 1, got {self.inner_epochs}")
        if not self.outer_lr >= 0:
            raise ValueError(f"outer_lr must be >= 0, got {self.outer_lr}")
        check_rmsprop(self.inner_decay, self.inner_momentum, self.inner_initial_scale)
        check_rmsprop(self.outer_decay, self.outer_momentum, 0.0)
        check_subnet(self.sub_activation, self.subnet_init_kind, self.residual_scale)
        check_knots(self.subnet_eval_kind, (self.grid[0], self.grid[1], self.knots))
        if self.compile and self.sub_activation != "tanh" and self.subnet_eval_kind == "direct":
            raise ValueError("compile (fused sub-network kernels) supports tanh sub-networks only; drop --compile")
        if self.recompute is not None and self.recompute < 1:
            raise ValueError(f"recompute must be >= 1 inner step, got {self.recompute}")
        if self.truncate is not None and not 0 <= self.truncate <= self.inner_steps:
            raise ValueError(f"truncate must lie in [0, inner_steps={self.inner_steps}], got {self.truncate}")
        if not isinstance(self.k, int) or self.k < 1:
            raise ValueError(f"number of neuron types k must be a positive integer, got {self.k!r}")
        if self.fractions is not None:
            if len(self.fractions) != self.k:
                raise ValueError(f"got {len(self.fractions)} type fractions for k={self.k} types")
            if min(self.fractions) < 0 or abs(sum(self.fractions) - 1) > 1e-6:
                raise ValueError(f"type fractions must be non-negative and sum to one, got {list(self.fractions)}")
        if self.device.startswith("cuda") and not torch.cuda.is_available():
            raise ValueError(f"device {self.device!r} asked for but CUDA is not available; use --device cpu")

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
        return self.interpolation or ("cubic" if self.model.startswith("hnn") else "linear")

    @property
    def unrolled_steps(self) -> int:
        """Inner steps the outer gradient flows through."""
        if self.mode == "first-order":
            return 0
        return self.inner_steps if self.truncate is None else self.truncate

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


def meta_config_for(task: str, model: str | None = None, **overrides) -> MetaConfig:
    """The task's paper-scale defaults for ``model``, with ``overrides`` applied."""
    t = get_task(task)
    model = model or t.models[0]
    if model not in t.models:
        raise ValueError(f"task {task!r} takes models {', '.join(t.models)}, not {model!r}")
    if "reinit_inner" in overrides:  # the name before reinit modes existed
        warnings.warn(
            "reinit_inner is deprecated; use reinit='fresh' (or 'none', 'same')", DeprecationWarning, stacklevel=2
        )
        flag = overrides.pop("reinit_inner")
        if flag is not None:
            overrides.setdefault("reinit", "fresh" if flag else "none")
    defaults = dict(t.meta_defaults.get(model, {}))
    if "hidden" in defaults:
        defaults["hidden"] = tuple(defaults["hidden"])
    return MetaConfig(task=task, model=model, **{**defaults, **{k: v for k, v in overrides.items() if v is not None}})


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


def make_outer_optimizer(config: MetaConfig, params: list[Tensor]) -> torch.optim.Optimizer:
    """The optimizer of the sub-network weights theta_s."""
    if config.outer_optimizer == "adam":
        return torch.optim.Adam(params, lr=config.outer_lr)
    if config.outer_optimizer == "rmsprop":
        return RMSprop(params, config.outer_lr, decay=config.outer_decay, momentum=config.outer_momentum)
    return torch.optim.SGD(params, lr=config.outer_lr, momentum=config.outer_momentum)


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
        bank.fused = set_compiled(True)
    return bank


def meta_learn(
    config: MetaConfig,
    *,
    data: TaskData | None = None,
    checkpoint: str | Path | None = None,
    resume: bool = False,
    progress: bool = False,
    stop_after: int | None = None,
    on_step: Callable[[int, dict], None] | None = None,
) -> MetaResult:
    """Run the paper's Algorithm 1 and return the learned and frozen activation types.

    Args:
        config: the settings; ``config.seed`` makes the run reproducible.
        data: the task's data (default: loaded from the task registry).
        checkpoint: file written every ``checkpoint_every`` outer steps (and at the end).
        resume: continue from ``checkpoint`` if it exists; the result equals that of an
            uninterrupted run.
        progress: show a progress bar over outer steps.
        stop_after: stop after this many outer steps (checkpointed), as an interruption would.
        on_step: called with ``(outer_step, record)`` after each outer step.

    Raises:
        TrainingDivergedError: a NaN or infinite loss, naming the outer and inner step;
            the last checkpoint is kept.
    """
    if checkpoint is None:
        return _meta_learn(config, data, checkpoint, resume, progress, stop_after, on_step)
    with folder_lock(Path(checkpoint).parent):
        return _meta_learn(config, data, checkpoint, resume, progress, stop_after, on_step)


def _meta_learn(
    config: MetaConfig,
    data: TaskData | None,
    checkpoint: str | Path | None,
    resume: bool,
    progress: bool,
    stop_after: int | None,
    on_step: Callable[[int, dict], None] | None,
) -> MetaResult:
    if data is None:
        data = get_task(config.task).load(seed=config.seed, small=config.small, data=config.data)
    data = data.to(config.device, DTYPES[config.dtype])
    config = config.for_data(len(data.x_train))
    bank = make_bank(config)
    model = _build(config, data, bank, config.seed)
    bank_ids = {id(p) for p in bank.parameters()}
    theta = detached({n: p for n, p in model.named_parameters() if id(p) not in bank_ids}, True)
    initial_theta = {k: v.clone() for k, v in detached(theta).items()}  # the model syncs into its storage
    inner = FunctionalOptimizer(
        config.inner_optimizer,
        config.inner_lr,
        momentum=config.inner_momentum,
        decay=config.inner_decay,
        initial_scale=config.inner_initial_scale,
    )
    inner_state = inner.init(theta)
    outer = make_outer_optimizer(config, list(bank.parameters()))
    stream = BatchStream(len(data.x_train), config.batch_size, config.seed + 1)
    grid = activation_grid(*config.grid)
    history: dict[str, list] = {
        k: [] for k in ("outer_step", "train_loss", "meta_loss", "val_loss", "seconds", "activations")
    }
    start_step = 0

    def sync_model() -> None:
        with torch.no_grad():
            for n, p in model.named_parameters():
                if n in theta:
                    p.copy_(theta[n])

    def record(step: int, train_loss: float, meta_loss: float, seconds: float) -> dict:
        sync_model()
        val_loss, _ = evaluate(model, data.x_val, data.y_val, data.loss)
        rec = {
            "outer_step": step,
            "train_loss": train_loss,
            "meta_loss": meta_loss,
            "val_loss": float(val_loss[0]),
            "seconds": seconds,
            "activations": bank.sample(grid).cpu().double(),
        }
        for key, value in rec.items():
            history[key].append(value)
        return rec

    ckpt_path = Path(checkpoint) if checkpoint else None
    if resume and ckpt_path is not None and ckpt_path.exists():
        state = load_checkpoint(ckpt_path, config)
        theta = detached(state["theta"], True)
        inner_state = detached(state["inner_state"])
        bank.load_state_dict(state["bank"])
        outer.load_state_dict(state["outer"])
        stream.load_state_dict(state["stream"])
        history = state["history"]
        start_step = int(state["step"])
    else:
        record(0, math.nan, math.nan, 0.0)

    def save(step: int) -> None:
        if ckpt_path is not None:
            save_checkpoint(
                ckpt_path,
                {
                    "step": step,
                    "theta": detached(theta),
                    "inner_state": detached(inner_state),
                    "bank": bank.state_dict(),
                    "outer": outer.state_dict(),
                    "stream": stream.state_dict(),
                    "history": history,
                    "config": config.to_dict(),
                },
            )

    last = config.outer_steps if stop_after is None else min(config.outer_steps, stop_after)
    bar = tqdm(range(start_step + 1, last + 1), disable=not progress, desc=f"meta {config.task}/{config.model}")
    for step in bar:
        began = time.perf_counter()
        if config.reinit == "same":
            theta, inner_state = detached(initial_theta, True), inner.init(initial_theta)
        elif config.reinit == "fresh" and step > 1:
            fresh = _build(config, data, bank, config.seed + 7919 * step)
            theta = detached({n: p for n, p in fresh.named_parameters() if n in theta}, True)
            inner_state = inner.init(theta)
        try:
            with bank.reuse_knot_tables():  # the weights hold still until the outer step
                theta, inner_state, meta_loss, inner_losses = outer_step(
                    config, model, theta, inner_state, inner, data, stream, bank, outer
                )
        except TrainingDivergedError as err:
            kept = f" (last checkpoint kept at {ckpt_path})" if ckpt_path is not None and ckpt_path.exists() else ""
            raise TrainingDivergedError(f"{err} at outer step {step}; lower the learning rates{kept}") from None
        rec = record(step, float(np.mean(inner_losses)), meta_loss, time.perf_counter() - began)
        bar.set_postfix(val=f"{rec['val_loss']:.3g}")
        if on_step is not None:
            on_step(step, rec)
        if step % config.checkpoint_every == 0 or step == last:
            save(step)
    sync_model()
    hist = {
        k: (np.stack([np.asarray(a) for a in v]) if k == "activations" else np.asarray(v, dtype=np.float64))
        for k, v in history.items()
    }
    hist["grid"] = grid.numpy()
    frozen = freeze(
        bank,
        config.interpolation_kind,
        grid,
        metadata=provenance(config, bank, data),
        initial=torch.as_tensor(hist["activations"][0]),
    )
    gap = deployment_gap(bank, frozen, hidden_preactivations(model, data.x_train))
    return MetaResult(
        bank, frozen, hist, model, config, completed=last == config.outer_steps, data_config=data.config, deployment=gap
    )


def outer_step(
    config: MetaConfig,
    model: nn.Module,
    theta: dict[str, Tensor],
    inner_state: dict[str, Tensor],
    inner: FunctionalOptimizer,
    data: TaskData,
    stream: BatchStream,
    bank: LearnedBank,
    outer: torch.optim.Optimizer,
) -> tuple[dict[str, Tensor], dict[str, Tensor], float, list[float]]:
    """K inner steps from ``theta``, the meta-gradient of the meta loss with respect to the
    sub-network weights of ``bank`` and one step of ``outer`` on them. The inner loop
    differentiates with respect to the bank's :meth:`~LearnedBank.gradient_targets` (on
    knots: its shared tables), carried to the weights once at the end.

    Returns:
        theta and the inner optimizer state after the inner steps (detached leaves), the
        meta loss and the inner losses.
    """
    window = config.unrolled_steps
    n_batches = config.inner_steps + (config.meta_loss == "final")
    batches = [stream.next() for _ in range(n_batches)]
    targets = bank.gradient_targets()
    if config.recompute and window:
        theta, inner_state, meta_loss, inner_losses, grads = recomputed_meta_gradient(
            model,
            theta,
            inner_state,
            inner,
            data,
            batches,
            window,
            targets,
            config.recompute,
            meta_loss=config.meta_loss,
        )
    else:
        theta, inner_state, meta_loss, inner_losses = inner_loop(
            model, theta, inner_state, inner, data, batches, window, meta_loss=config.meta_loss, params=targets
        )
        grads = list(torch.autograd.grad(meta_loss, targets, allow_unused=True))
    params = list(bank.parameters())
    grads = bank.to_weight_gradients(targets, zeros_for_unused(grads, targets))
    for p, g in zip(params, grads, strict=True):
        p.grad = g
        if config.outer_grad_clip is not None:
            p.grad.clamp_(-config.outer_grad_clip, config.outer_grad_clip)
    outer.step()
    outer.zero_grad(set_to_none=True)
    return detached(theta, True), detached(inner_state), float(meta_loss.detach()), inner_losses


def provenance(config: MetaConfig, bank: LearnedBank, data: TaskData) -> dict:
    """What an activations file records about where its types came from."""
    return {
        "base": config.base,
        "width": config.width,
        "k": bank.k,
        "task": config.task,
        "model": config.model,
        "hidden": list(config.hidden),
        "meta_learning": {
            key: getattr(config, key)
            for key in (
                "mode",
                "truncate",
                "inner_steps",
                "inner_epochs",
                "outer_steps",
                "inner_optimizer",
                "inner_lr",
                "inner_momentum",
                "inner_decay",
                "inner_initial_scale",
                "outer_optimizer",
                "outer_lr",
                "outer_momentum",
                "outer_decay",
                "outer_grad_clip",
                "batch_size",
                "reinit",
                "meta_loss",
                "sub_activation",
                "residual_scale",
                "knots",
            )
        },
        "subnet_init": config.subnet_init_kind,
        "subnet_eval": config.subnet_eval_kind,
        "seed": config.seed,
        "data": data.config.get("source", ""),
    }


def save_checkpoint(path: Path, state: dict) -> None:
    """Write a checkpoint atomically (tensors, numbers, lists and dicts only)."""
    write_atomically(path, lambda tmp: torch.save(state, tmp))


def load_checkpoint(path: Path, config: MetaConfig) -> dict:
    """Load a checkpoint with torch's weights-only loader; refuse one from other settings."""
    try:
        state = torch.load(path, weights_only=True, map_location=config.device)
    except Exception as err:  # noqa: BLE001 - any failure to read is the same user error
        raise ValueError(f"cannot read checkpoint {path} ({type(err).__name__}); delete it to start afresh") from None
    # may change between resumes (the evaluation of the sub-networks changes only rounding)
    free = ("outer_steps", "checkpoint_every", "compile", "subnet_eval", "subnet_eval_kind", "knots")
    saved = {k: v for k, v in _upgraded(state.get("config", {})).items() if k not in free}
    wanted = {k: v for k, v in config.to_dict().items() if k not in free}
    if _jsonish(saved) != _jsonish(wanted):
        diff = sorted(k for k in wanted if _jsonish(saved.get(k)) != _jsonish(wanted[k]))
        raise ValueError(
            f"checkpoint {path} was made with other settings ({', '.join(diff)}); use the same options or a new --out"
        )
    return state


#: Settings added after checkpoints were first written, at the value that reproduces the
#: behaviour of the code that wrote them (a checkpoint without them resumes as it was).
_ADDED_LATER = {
    "inner_epochs": None,
    "inner_decay": 0.99,
    "inner_initial_scale": 0.0,
    "outer_decay": 0.99,
    "meta_loss": "final",
    "sub_activation": "tanh",
    "subnet_init": None,
    "subnet_init_kind": "zero",
    "residual_scale": 1.0,
}


def _upgraded(saved: dict) -> dict:
    """A checkpoint's config in today's terms (``reinit_inner`` became ``reinit``)."""
    saved = dict(saved)
    if "reinit_inner" in saved:
        saved.setdefault("reinit", "fresh" if saved.pop("reinit_inner") else "none")
    for key, value in _ADDED_LATER.items():
        saved.setdefault(key, value)
    return saved


def _jsonish(value):
    if isinstance(value, (list, tuple)):
        return [_jsonish(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonish(v) for k, v in value.items()}
    return value


__all__ = [
    "MODES",
    "OUTER_OPTIMIZERS",
    "REINIT_MODES",
    "MetaConfig",
    "MetaResult",
    "inner_loop",
    "meta_config_for",
    "meta_learn",
]
