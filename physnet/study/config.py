"""The settings of a comparison study: what it trains (task, model, widths, arms, seeds), with
which training run (a :class:`~physnet.training.TrainConfig`), on which data and precision."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from physnet.data import Rollout, TaskData
from physnet.errors import UserError
from physnet.meta.config import MetaConfig
from physnet.networks.build import ENERGY_MODELS
from physnet.networks.ensemble_linear import INITS
from physnet.schema import as_setting, setting
from physnet.study.arms import ARMS, PAPER_ARMS
from physnet.study.references import BASELINES
from physnet.study.tuning import DEFAULT_GRIDS, TUNABLE, TUNE_FRACTION, TUNE_SEEDS, check_tuning
from physnet.tasks.presets import RunRequest, budget
from physnet.tasks.registry import find_task, get_task
from physnet.tasks.rollout_data import LOSS_KINDS, ROLLOUT_STEPS, with_loss
from physnet.tasks.settings import QUICK_COMPARE, SMOKE_COMPARE, smoke
from physnet.training import TrainConfig

#: The training budget's settings a study stores flat in its ``config.json`` (the fields of
#: its :class:`~physnet.training.TrainConfig`), and their defaults for a study.
TRAIN_KEYS = (
    "epochs",
    "batch_size",
    "lr",
    "optimizer",
    "momentum",
    "decay",
    "initial_scale",
    "weight_decay",
    "compile",
    "data_seed",
)
STUDY_TRAINING = TrainConfig(epochs=20, batch_size=150, lr=1e-2)
#: Multiple shooting's continuity weight (benchmarks/rollout_cost.py: 1 forecast better than 10).
CONTINUITY = 1.0


@dataclass(frozen=True, init=False)
class StudyConfig:
    """Settings of a comparison study (all but ``seeds`` must match to resume or extend).

    Attributes:
        task, model: the task and its model (``nn``, ``hnn``, ``hnn-separable``, ``dhnn``, ``dhnn-forced``,
            ``classifier``: :data:`physnet.networks.build.MODEL_KINDS`).
        hidden: hidden widths of the fresh networks.
        arms: arms to run (``base``, ``type1``, ``type2``, ``mix``, ``relu``, ``tanh``, controls).
        seeds: number of random initialisations per arm (seeds 0..seeds-1).
        train: the training run every member of every arm gets (:class:`TrainConfig`: epochs,
            batch size, learning rate, optimizer - ``adam``, ``sgd`` with heavy-ball momentum or
            ``rmsprop`` with decay and initial second moment -, ``compile``, and ``data_seed``,
            also the dataset's seed). Its fields can be given flat (``epochs=5``) and read flat
            (``config.epochs``), as in ``config.json``.
        base: the base activation of the ``base`` arm (sine for the dynamics tasks).
        small: the task's small data; data: a series file (clock).
        dtype: float32 or float64.
        init: weight initialisation of the fresh networks, ``default`` (as ``nn.Linear``) or
            ``orthogonal`` (and then a Hamiltonian network's output layer has no bias, as in the
            Hamiltonian-network literature's code).
        tune: ``"lr"``: choose each arm's learning rate before its study
            (:mod:`physnet.study.tuning`); None: train at ``lr``.
        tune_seeds, tune_grid, tune_fraction: seeds per candidate rate, the candidates (None:
            the optimizer's default log grid) and the share of the training split held back
            to choose on.
        loss: what a forecaster trains on and is measured by: ``derivative`` (the states' time
            derivatives, given or estimated) or ``rollout`` (the next ``rollout_steps`` observed
            states, the model integrated with ``rollout_method``; :mod:`physnet.training.rollout`).
        baselines: the reference arms beside the networks (:mod:`physnet.study.references`):
            ``sindy`` (sparse regression) and ``truth`` (the exact field, where known); None:
            both for a task with a vector field, none for a classifier; ``()``: none.
        substeps: integration steps per sample of every forecast rollout; None: chosen so that
            the integrator alone errs under 2 % (:mod:`physnet.study.integration_floor`).
        sindy_degree: the sparse regression's library degree; None: chosen on the tuning slice.
    """

    task: str
    model: str
    train: TrainConfig
    base: str
    data: str | None
    tune_fraction: float
    # the settings a user gives by name, each described once (physnet.schema)
    hidden: tuple[int, ...] = as_setting(MetaConfig, "hidden", with_default=False)
    arms: tuple[str, ...] = setting(
        type="arms",
        help=f"comma-separated, from {', '.join(ARMS)} (default: the paper's {', '.join(PAPER_ARMS)}; all six for "
        "mnist1d)",
    )
    seeds: int = setting(
        type="positive_int",
        help=f"seeds per arm (default: the task's budget, 50 for the paper's tasks; {QUICK_COMPARE['seeds']} with "
        "--quick; a preset's under --preset)",
    )
    small: bool = as_setting(MetaConfig, "small", with_default=False)
    dtype: str = as_setting(MetaConfig, "dtype", with_default=False)
    init: str = setting(
        choices="INITS",
        help="weight initialisation: default (as torch.nn.Linear) or orthogonal (then a Hamiltonian network's "
        "output layer has no bias, as in the Hamiltonian-network literature's code)",
    )
    tune: str | None = setting(
        choices=(*TUNABLE, "none"),
        help="lr: choose each arm's learning rate the same way before its study (on a slice of the training split "
        "held back for it); none: train at --lr (default: lr without a preset and without --lr, none under a "
        "preset)",
    )
    tune_seeds: int = setting(type="positive_int", help=f"tuning: seeds per candidate rate (default {TUNE_SEEDS})")
    tune_grid: tuple[float, ...] | None = setting(
        type="positive_float_list",
        metavar="LR,LR,...",
        help="tuning: the candidate rates (default per optimizer: "
        + "; ".join(f"{name} {','.join(f'{v:g}' for v in grid)}" for name, grid in DEFAULT_GRIDS.items())
        + ")",
    )
    loss: str = setting(
        choices="LOSS_KINDS",
        help="derivative (default): the states' time derivatives (given, or estimated from a series); rollout: "
        "the next --rollout-steps observed states, the model integrated from each observed state (no derivatives "
        "needed; robust to noisy positions)",
    )
    rollout_steps: int = setting(
        type="positive_int",
        metavar="K",
        unit="samples",
        help=f"rollout: samples ahead each window integrates (default {ROLLOUT_STEPS})",
    )
    rollout_method: str = setting(
        choices="ROLLOUT_METHODS", help="rollout: the integrator, one step per sample (default rk4)"
    )
    shooting: bool = setting(
        switch=True,
        help="rollout: multiple shooting - consecutive windows whose start states are learned (from the "
        "observations) and joined by a continuity penalty, so that noisy starts do not bias the fit; an epoch costs "
        "about 1/K of plain windows', so without --epochs it trains K times the budget's epochs (the comparison's "
        "training; meta-learning rolls out plain windows)",
    )
    continuity: float = setting(
        type="nonnegative_float",
        metavar="W",
        help=f"shooting: weight of the continuity penalty between consecutive windows (default {CONTINUITY})",
    )
    baselines: tuple[str, ...] | None = setting(
        type="baselines",
        metavar="sindy,truth|none",
        help="reference arms beside the networks: sindy (sparse regression of the vector field, one bootstrap fit "
        "per seed) and truth (the exact field's forecast: the integration floor, where the system is known); "
        "default both for a task with a vector field",
    )
    substeps: int | None = setting(
        type="positive_int",
        metavar="N",
        help="integration steps per sample of every forecast rollout (default: chosen so that the exact field, or "
        "the sparse fit, rolled out the same way errs under 2 %%; forecast: those its study chose)",
    )
    sindy_degree: int | None = setting(
        type="nonnegative_int",
        metavar="N",
        help="sparse regression's polynomial degree (default: chosen on the tuning slice, 1-5)",
    )

    def __init__(
        self,
        task: str,
        model: str,
        hidden: tuple[int, ...] = (100,),
        arms: tuple[str, ...] = PAPER_ARMS,
        seeds: int = 50,
        train: TrainConfig | None = None,
        base: str = "sin",
        small: bool = False,
        data: str | None = None,
        dtype: str = "float32",
        init: str = "default",
        tune: str | None = None,
        tune_seeds: int = TUNE_SEEDS,
        tune_grid: tuple[float, ...] | None = None,
        tune_fraction: float = TUNE_FRACTION,
        loss: str = "derivative",
        rollout_steps: int = ROLLOUT_STEPS,
        rollout_method: str = "rk4",
        shooting: bool = False,
        continuity: float = CONTINUITY,
        baselines: tuple[str, ...] | None = None,
        substeps: int | None = None,
        sindy_degree: int | None = None,
        **training: Any,
    ) -> None:
        unknown = set(training) - set(TRAIN_KEYS)
        if unknown:
            raise TypeError(f"StudyConfig got unexpected setting(s) {', '.join(sorted(unknown))}")
        train = replace(train or STUDY_TRAINING, **training)  # validates the optimizer's settings
        values = dict(
            task=task,
            model=model,
            hidden=tuple(hidden),
            arms=tuple(arms),
            seeds=seeds,
            train=train,
            base=base,
            small=small,
            data=data,
            dtype=dtype,
            init=init,
            tune=None if tune in (None, "none") else tune,
            tune_seeds=int(tune_seeds),
            tune_grid=None if tune_grid is None else tuple(float(g) for g in tune_grid),
            tune_fraction=float(tune_fraction),
            loss=loss,
            rollout_steps=int(rollout_steps),
            rollout_method=rollout_method,
            shooting=bool(shooting),
            continuity=float(continuity),
            baselines=None if baselines is None else tuple(baselines),
            substeps=None if substeps is None else int(substeps),
            sindy_degree=None if sindy_degree is None else int(sindy_degree),
        )
        for name, value in values.items():
            object.__setattr__(self, name, value)
        self._check()

    def _check(self) -> None:
        if self.seeds < 1:
            raise UserError(f"need at least one seed per arm, got {self.seeds}")
        unknown = set(self.arms) - set(ARMS)
        if unknown or not self.arms:
            raise UserError(
                f"unknown arm(s) {', '.join(sorted(unknown)) or '(none given)'}; valid arms: {', '.join(ARMS)}"
            )
        if self.epochs < 1 or self.batch_size < 1 or not self.lr > 0:
            raise UserError("epochs and batch size must be >= 1 and the learning rate positive")
        if self.init not in INITS:
            raise UserError(f"unknown --init {self.init!r}; valid: {', '.join(INITS)}")
        check_tuning(self.tune, self.tune_seeds, self.tune_grid, self.tune_fraction)
        if self.loss not in LOSS_KINDS:
            raise UserError(f"unknown --loss {self.loss!r}; valid: {', '.join(LOSS_KINDS)}")
        if self.loss == "rollout":
            Rollout(self.rollout_steps, 1.0, self.rollout_method, self.rollout_continuity)  # refused before any data
        elif self.shooting:
            raise UserError("--shooting learns the rollout loss's window starts: add --loss rollout, or drop it")
        if self.baselines is not None:
            strange = [b for b in self.baselines if b not in BASELINES]
            if strange:
                raise UserError(f"unknown reference arm {strange[0]!r}; valid: {', '.join(BASELINES)} (or none)")
        if self.substeps is not None and self.substeps < 1:
            raise UserError(f"--substeps must be at least 1 integration step per sample, got {self.substeps}")
        if self.sindy_degree is not None and self.sindy_degree < 0:
            raise UserError(f"--sindy-degree must be 0 or more, got {self.sindy_degree}")

    @property
    def rollout_continuity(self) -> float | None:
        """Multiple shooting's continuity weight (``--shooting``), or None: plain windows."""
        return self.continuity if self.shooting else None

    def as_trained(self, data: TaskData) -> TaskData:
        """``data`` with this study's loss: unchanged on derivatives, rollout targets (and
        shooting) on rollouts (:func:`~physnet.tasks.rollout_data.with_loss`)."""
        return with_loss(data, self.loss, self.rollout_steps, self.rollout_method, self.rollout_continuity)

    @property
    def output_bias(self) -> bool:
        """Whether the fresh networks' output layer has a bias: not for a Hamiltonian network
        under orthogonal initialisation (the literature's network)."""
        return not (self.init == "orthogonal" and self.model in ENERGY_MODELS)

    # The training run's settings, read flat as config.json stores them.
    @property
    def epochs(self) -> int:
        return self.train.epochs

    @property
    def batch_size(self) -> int:
        return self.train.batch_size

    @property
    def lr(self) -> float:
        return self.train.lr

    @property
    def optimizer(self) -> str:
        return self.train.optimizer

    @property
    def momentum(self) -> float:
        return self.train.momentum

    @property
    def decay(self) -> float:
        return self.train.decay

    @property
    def initial_scale(self) -> float:
        return self.train.initial_scale

    @property
    def weight_decay(self) -> float:
        return self.train.weight_decay

    @property
    def compile(self) -> bool:
        return self.train.compile

    @property
    def data_seed(self) -> int:
        return self.train.data_seed

    def to_dict(self) -> dict:
        """The settings flat, as ``config.json`` and ``summary.json`` store them."""
        flat = {k: getattr(self, k) for k in ("task", "model", "hidden", "arms", "seeds")}
        flat.update({k: getattr(self.train, k) for k in TRAIN_KEYS})
        flat.update(base=self.base, small=self.small, data=self.data, dtype=self.dtype, init=self.init)
        flat.update(tune=self.tune, tune_seeds=self.tune_seeds, tune_fraction=self.tune_fraction)
        flat["tune_grid"] = None if self.tune_grid is None else list(self.tune_grid)
        flat.update(loss=self.loss, rollout_steps=self.rollout_steps, rollout_method=self.rollout_method)
        flat.update(shooting=self.shooting, continuity=self.continuity)
        flat["baselines"] = None if self.baselines is None else list(self.baselines)
        flat.update(substeps=self.substeps, sindy_degree=self.sindy_degree)
        task = find_task(self.task)
        if task is not None and task.source is not None:  # a user's task: how to build it again
            flat["task_source"] = dict(task.source)
        return flat

    @classmethod
    def for_task(
        cls,
        task: str,
        model: str | None = None,
        *,
        quick: bool = False,
        preset: str | None = None,
        seeds: int | None = None,
        **overrides: Any,
    ) -> StudyConfig:
        """The study ``compare`` runs for ``task``: the task's comparison budget for ``model``
        (default: its first), the quick one with ``quick``, a named ``preset``'s settings,
        then ``overrides`` (any ``StudyConfig`` field), merged as every command merges them.

        Raises:
            ValueError: an unknown task, a model it does not take, a preset it lacks.
        """
        model = model or get_task(task).models[0]
        request = RunRequest(quick=quick, seeds=seeds, preset=preset, compare_overrides=overrides)
        _, merged = budget(task, model, request.with_preset(task, model))
        return cls(task=task, model=model, **{**merged, **overrides, **(SMOKE_COMPARE if smoke() else {})})

    def relevant(self) -> dict:
        """Everything that changes results, except the number of seeds (which extends)."""
        d = self.to_dict()
        d.pop("seeds")
        if self.optimizer == "adam" and self.momentum == 0.0:  # studies written before these options existed
            d.pop("optimizer"), d.pop("momentum")
        if self.optimizer != "rmsprop":  # only RMSprop reads them; absent from studies written before
            d.pop("decay"), d.pop("initial_scale")
        d.pop("compile")  # same numbers up to float rounding; does not make another study
        for key in ("baselines", "substeps", "sindy_degree"):  # the references and forecasts, not the arms
            d.pop(key)
        if not self.weight_decay:  # studies written before these options existed
            d.pop("weight_decay")
        if self.init == "default":
            d.pop("init")
        if self.loss == "derivative":  # studies written before the rollout loss existed
            for key in ("loss", "rollout_steps", "rollout_method"):
                d.pop(key)
        if not self.shooting:  # studies written before multiple shooting existed
            d.pop("shooting"), d.pop("continuity")
        if self.tune is None:
            for key in ("tune", "tune_seeds", "tune_grid", "tune_fraction"):
                d.pop(key)
        else:  # the rate is chosen, not set
            d.pop("lr")
        if "task_source" in d:  # where a user's task was found does not make another study
            source = {k: v for k, v in d["task_source"].items() if k not in ("path", "folder")}
            if source.get("kind") == "series" and source.get("sha256"):  # its content, however the path was typed
                source.pop("argument", None)
                d["task"] = "series"
            d["task_source"] = source
        d["hidden"], d["arms"] = list(self.hidden), list(self.arms)
        return d

    def train_config(self) -> TrainConfig:
        """The training run every member of every arm gets (:attr:`train`)."""
        return self.train


__all__ = ["STUDY_TRAINING", "TRAIN_KEYS", "StudyConfig"]
