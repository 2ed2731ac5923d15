"""The same tuning for every arm: each arm's learning rate chosen on a slice of the training
split held back for it, before the arm's study.

For each arm, ``tune_seeds`` seeds are trained at every rate of a log grid, all of them as
one ensemble (a learning rate per member: :func:`physnet.training.train` with
``member_lr``), on the training split less a held-back slice (whole orbits or groups, the
last rows of a series in time, or a fixed random share of independent samples: never the
study's validation split), and validated on that slice. The arm's study then runs at the
rate with the best median. Every arm gets the same grid, seeds and budget.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import torch

from physnet.activations import FrozenBank
from physnet.activations.frozen_function import use_compiled
from physnet.data import TaskData
from physnet.errors import UserError
from physnet.meta.learn import DTYPES
from physnet.networks import build_model
from physnet.study.arms import arm_bank
from physnet.study.execution import Execution
from physnet.study.failures import classify_failures, failure_rule
from physnet.training import train

#: What ``--tune`` can tune.
TUNABLE = ("lr",)
#: Seeds per rate.
TUNE_SEEDS = 5
#: Share of the training split held back to validate the candidates on.
TUNE_FRACTION = 0.2
#: The default log grids, per optimizer (five values, half a decade apart).
DEFAULT_GRIDS: dict[str, tuple[float, ...]] = {
    "adam": (3e-4, 1e-3, 3e-3, 1e-2, 3e-2),
    "sgd": (1e-3, 3e-3, 1e-2, 3e-2, 1e-1),
    "rmsprop": (1e-4, 3e-4, 1e-3, 3e-3, 1e-2),
}
#: Tuning members' seeds start here, apart from the study's own seeds 0, 1, ...
SEED_OFFSET = 100_000
#: Fewest rows a series must keep on each side of the tuning cut.
MIN_ROWS = 10


def check_tuning(name: str | None, seeds: int, grid: tuple[float, ...] | None, fraction: float) -> None:
    """Refuse an unknown name, no seeds, a bad grid or share (one line each)."""
    if name is not None and name not in TUNABLE:
        raise UserError(f"--tune: unknown setting {name!r}; valid: {', '.join(TUNABLE)} (or none)")
    if seeds < 1:
        raise UserError(f"--tune-seeds must be at least 1, got {seeds}")
    if grid is not None:
        if not grid:
            raise UserError("--tune-grid needs at least one learning rate")
        bad = [g for g in grid if not (np.isfinite(g) and g > 0)]
        if bad:
            raise UserError(f"--tune-grid: every rate must be finite and positive, got {bad[0]!r}")
    if not 0 < fraction < 1:
        raise UserError(f"the tuning share must lie strictly between 0 and 1, got {fraction:g}")


def tuning_grid(optimizer: str, grid: tuple[float, ...] | None) -> tuple[float, ...]:
    """The candidate rates: ``grid`` sorted, or the optimizer's default."""
    return tuple(sorted(set(grid))) if grid else DEFAULT_GRIDS[optimizer]


def tuning_split(data: TaskData, fraction: float = TUNE_FRACTION) -> tuple[TaskData, str]:
    """The training split less a held-back slice (as the new training split) and the slice (as
    its validation split), with a description of what was held back.

    Orbits or groups (``train_orbit``): the last ``fraction`` of them, whole; one series in time
    order: its last ``fraction`` of rows (just before the study's validation rows, never among
    them); independent samples (classification): a fixed random ``fraction``.

    Raises:
        ValueError: too few orbits, groups or rows to hold a slice back (saying how many there
            are and what is needed).
    """
    n = len(data.x_train)
    if data.train_orbit is not None:
        orbit = data.train_orbit.cpu()
        ids = list(dict.fromkeys(orbit.tolist()))
        noun = "orbit" if data.system is not None else "group"
        held = max(1, int(round(fraction * len(ids))))
        if len(ids) - held < 1:
            raise UserError(
                f"tuning needs at least 2 training {noun}s (one held back to choose the learning rate, "
                f"one to train on); the training split has {len(ids)}: give more {noun}s, or --tune none"
            )
        hold = torch.isin(orbit, torch.tensor(ids[-held:]))
        how = f"by {noun}: the last {held} of {len(ids)} training {noun}s"
    elif data.loss == "cross_entropy":
        held = max(1, int(round(fraction * n)))
        if n - held < 1:
            raise UserError(f"tuning needs at least 2 training samples; the training split has {n}")
        order = torch.randperm(n, generator=torch.Generator().manual_seed(0))
        hold = torch.zeros(n, dtype=torch.bool)
        hold[order[:held]] = True
        how = f"at random: {held} of {n} training samples"
    else:
        held = int(round(fraction * n))
        if held < MIN_ROWS or n - held < MIN_ROWS:
            raise UserError(
                f"tuning holds back the last {100 * fraction:.0f} % of the training rows in time and needs at least "
                f"{MIN_ROWS} rows on each side; the training split has {n} rows: give a longer series, or --tune none"
            )
        hold = torch.zeros(n, dtype=torch.bool)
        hold[n - held :] = True
        how = f"in time: the last {held} of {n} training rows"
    keep = ~hold
    index = lambda t, m: t[m.to(t.device)]  # noqa: E731
    part = replace(
        data,
        x_train=index(data.x_train, keep),
        y_train=index(data.y_train, keep),
        x_val=index(data.x_train, hold),
        y_val=index(data.y_train, hold),
        train_orbit=None if data.train_orbit is None else data.train_orbit[keep.to(data.train_orbit.device)],
        val_orbit=None if data.train_orbit is None else data.train_orbit[hold.to(data.train_orbit.device)],
    )
    return part, how


@dataclass(frozen=True)
class ArmTuning:
    """One arm's tuning: ``values`` ``(rates, seeds)`` of the validation metric on the held-back
    slice, ``train_loss`` likewise, ``failures`` (reason per member, row-major), the ``chosen``
    rate (best median) and the medians per rate."""

    arm: str
    rates: tuple[float, ...]
    seeds: tuple[int, ...]
    values: np.ndarray
    train_loss: np.ndarray
    failures: tuple[str, ...]
    chosen: float
    medians: tuple[float, ...]
    #: The rate with the arm's own best median, and the rates tied with it
    #: (:mod:`physnet.study.rate_choice`; ``chosen`` is then one of the ties, shared across arms).
    best: float | None = None
    ties: tuple[float, ...] = ()

    def merged(self, other: ArmTuning, higher_is_better: bool) -> ArmTuning:
        """This tuning and ``other`` (more rates, the same seeds) as one, rates in order."""
        rates = self.rates + other.rates
        order = np.argsort(rates)
        values = np.concatenate([self.values, other.values])[order]
        loss = np.concatenate([self.train_loss, other.train_loss])[order]
        n = len(self.seeds)
        failures = [self.failures[i * n : (i + 1) * n] for i in range(len(self.rates))]
        failures += [other.failures[i * n : (i + 1) * n] for i in range(len(other.rates))]
        sorted_rates = tuple(float(rates[i]) for i in order)
        chosen, medians = choose_rate(sorted_rates, values, higher_is_better)
        flat = tuple(f for i in order for f in failures[i])
        return ArmTuning(self.arm, sorted_rates, self.seeds, values, loss, flat, chosen, medians)

    def rows(self) -> list[dict]:
        """``tuning.csv`` rows: one per rate and seed."""
        out = []
        for i, lr in enumerate(self.rates):
            for j, seed in enumerate(self.seeds):
                out.append(
                    {
                        "arm": self.arm,
                        "lr": f"{lr:.9g}",
                        "seed": seed,
                        "metric": f"{float(self.values[i, j]):.9g}",
                        "train_loss": f"{float(self.train_loss[i, j]):.9g}",
                        "failure": self.failures[i * len(self.seeds) + j],
                    }
                )
        return out


def choose_rate(
    rates: tuple[float, ...], values: np.ndarray, higher_is_better: bool
) -> tuple[float, tuple[float, ...]]:
    """The rate with the best median over seeds (``values`` ``(rates, seeds)``; NaN counts as the
    worst), and the medians; ties go to the smaller rate."""
    worst = -np.inf if higher_is_better else np.inf
    medians = np.median(np.where(np.isnan(values), worst, values), axis=1)
    best = int(np.argmax(medians) if higher_is_better else np.argmin(medians))
    return float(rates[best]), tuple(float(m) for m in medians)


def tune_arm(
    arm: str,
    study,
    frozen: FrozenBank | None,
    data: TaskData,
    *,
    device: str = "cpu",
    progress: bool = False,
    compiled: bool | None = None,
    rates: tuple[float, ...] | None = None,
) -> ArmTuning:
    """Train ``study.tune_seeds`` seeds at each rate of the grid (or of ``rates``) as one
    ensemble on ``data`` (a :func:`tuning_split`: the training split less the held-back slice,
    validated on it) with the study's budget, and choose the rate (``compiled``: frozen types'
    kernels, as for the study's blocks)."""
    rates = tuple(rates) if rates else tuning_grid(study.optimizer, study.tune_grid)
    seeds = tuple(SEED_OFFSET + j for j in range(study.tune_seeds))
    dtype = DTYPES[study.dtype]
    kind = "classifier" if data.loss == "cross_entropy" else study.model
    dim_out = int(data.y_train.max()) + 1 if kind == "classifier" else None
    model = build_model(
        kind,
        data.dim_in,
        tuple(study.hidden),
        arm_bank(arm, frozen, study.base),
        dim_out=dim_out,
        seeds=[s for _ in rates for s in seeds],
        dtype=dtype,
        device=device,
        state_names=data.state_names or None,
        init=study.init,
        output_bias=study.output_bias,
    )
    member_lr = [lr for lr in rates for _ in seeds]
    moved = data.to(device, dtype)
    with use_compiled(compiled):
        result = train(
            model, moved, study.train, progress=progress, desc=f"tuning {arm}", nonfinite="flag", member_lr=member_lr
        )
    history = result.train_loss.numpy()
    shape = (len(rates), len(seeds))
    values = result.val_metric.double().numpy().reshape(shape)
    failures = classify_failures(history, result.val_metric.numpy(), failure_rule(moved.y_train, moved.loss))
    higher = data.loss == "cross_entropy"
    chosen, medians = choose_rate(rates, values, higher)
    return ArmTuning(arm, rates, seeds, values, history[-1].reshape(shape), tuple(failures), chosen, medians)


def tune_arms(
    config,
    frozen: FrozenBank | None,
    held: TaskData,
    folder,
    execution: Execution,
    on_arm: Callable[[str, list[int]], None] | None,
    *,
    rates: tuple[float, ...] | None = None,
    done: dict[str, ArmTuning] | None = None,
    what: str = "tuning lr",
) -> dict[str, ArmTuning]:
    """Each arm's tuning at every rate of ``rates`` (default: the study's grid): read from
    ``tuning.csv`` where an earlier run finished it, the missing rates run (and, with a study
    folder, recorded as soon as an arm finishes).

    Args:
        config: the study (a :class:`~physnet.study.config.StudyConfig`).
        held: the :func:`tuning_split` of the study's data.
        folder: the study's :class:`~physnet.study.folder.StudyFolder`, or None.
        execution: where the arms are tuned (its ``workers``: arms side by side on this many
            processes; None or 1: one after another) and whether frozen types run compiled.
        on_arm: called with ``"ARM (tuning lr)"`` and the tuning seeds as an arm starts.
        rates: the rates every arm needs (a grid extended past its edge adds one).
        done: tunings this run already has (kept as they are, in preference to the file's rows).
        what: how an arm's start is announced (``ARM (WHAT, arm i of n, ...)``).
    """
    rates = tuple(rates) if rates else tuning_grid(config.optimizer, config.tune_grid)
    rows = folder.tuning_rows() if folder is not None else []
    higher = held.loss == "cross_entropy"
    done = {
        **{arm: tuning_from_rows(arm, rows, higher) for arm in config.arms if any(r["arm"] == arm for r in rows)},
        **(done or {}),
    }
    missing = {
        arm: tuple(r for r in rates if arm not in done or not any(np.isclose(r, x) for x in done[arm].rates))
        for arm in config.arms
    }
    todo = [arm for arm in config.arms if missing[arm]]
    device, compiled, workers = execution.device, execution.compiled, execution.workers or 1
    began, started = time.perf_counter(), [0]

    def announce(arm: str) -> None:
        # arms start in order; on several workers the pace is that of the arms started so far
        started[0] += 1
        left = ""
        if started[0] > workers:
            pace = (time.perf_counter() - began) / (started[0] - workers)
            left = f", about {pace * (len(todo) - started[0] + workers):.0f} s left"
        assert on_arm is not None
        on_arm(f"{arm} ({what}, arm {started[0]} of {len(todo)}{left})", list(range(config.tune_seeds)))

    start = None if on_arm is None else announce
    if workers > 1 and len(todo) > 1:
        from physnet.study.local_pool import pool_map

        shipped = replace(held, system=None)
        jobs = [(arm, (arm, config, frozen, shipped, device, False, None, compiled, missing[arm])) for arm in todo]
        finished = pool_map(_tune_one, jobs, workers, on_start=start, describe=lambda arm: f"the tuning of arm {arm}")
    else:
        finished = (
            (arm, _tune_one(arm, config, frozen, held, device, execution.progress, start, compiled, missing[arm]))
            for arm in todo
        )
    order = {arm: i for i, arm in enumerate(config.arms)}
    for arm, tuning in finished:
        done[arm] = done[arm].merged(tuning, higher) if arm in done else tuning
        rows = sorted(rows + tuning.rows(), key=lambda r: order.get(r["arm"], len(order)))  # the same file in any order
        if folder is not None:
            folder.add_tuning(rows)
    return {arm: done[arm] for arm in config.arms}


def _tune_one(arm, config, frozen, held, device, progress=False, start=None, compiled=None, rates=None) -> ArmTuning:
    if start is not None:
        start(arm)
    return tune_arm(arm, config, frozen, held, device=device, progress=progress, compiled=compiled, rates=rates)


def tuning_from_rows(arm: str, rows: list[dict], higher_is_better: bool) -> ArmTuning:
    """An arm's tuning as ``tuning.csv`` recorded it (a resumed study)."""
    mine = [r for r in rows if r["arm"] == arm]
    rates = tuple(sorted({float(r["lr"]) for r in mine}))
    seeds = tuple(sorted({int(r["seed"]) for r in mine}))
    values = np.full((len(rates), len(seeds)), np.nan)
    loss = np.full_like(values, np.nan)
    failures = [""] * values.size
    for r in mine:
        i, j = rates.index(float(r["lr"])), seeds.index(int(r["seed"]))
        values[i, j], loss[i, j] = float(r["metric"]), float(r["train_loss"])
        failures[i * len(seeds) + j] = r.get("failure", "")
    chosen, medians = choose_rate(rates, values, higher_is_better)
    return ArmTuning(arm, rates, seeds, values, loss, tuple(failures), chosen, medians)


def tuning_summary(tunings: dict[str, ArmTuning], how: str, study, extra: dict | None = None) -> dict:
    """What ``summary.json`` and ``config.json`` record of a study's tuning (``extra``: how the
    rate was chosen among ties and the grid's edge, :func:`physnet.study.rate_choice.choice_record`)."""
    first = next(iter(tunings.values()), None)
    return {
        "setting": study.tune,
        "held_back": how,
        "seeds": study.tune_seeds,
        "grid": list(first.rates) if first is not None else list(tuning_grid(study.optimizer, study.tune_grid)),
        "chosen": {arm: t.chosen for arm, t in tunings.items()},
        "medians": {arm: list(t.medians) for arm, t in tunings.items()},
        "failed": {arm: sum(1 for f in t.failures if f) for arm, t in tunings.items()},
        **(extra or {}),
    }


__all__ = [
    "DEFAULT_GRIDS",
    "SEED_OFFSET",
    "TUNABLE",
    "TUNE_FRACTION",
    "TUNE_SEEDS",
    "ArmTuning",
    "check_tuning",
    "choose_rate",
    "tune_arm",
    "tune_arms",
    "tuning_from_rows",
    "tuning_grid",
    "tuning_split",
    "tuning_summary",
]
