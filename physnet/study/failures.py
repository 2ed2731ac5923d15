"""When a seed's training failed, and what a report says about it.

A comparison of function classes is only as fair as the training of each arm: a seed that
never learned is not a sample of what its neuron types can do. A seed **failed** when

- its training loss stopped being finite (``diverged``), or
- regression: its final training loss (the mean over the last epoch's batches) is above
  ``(1 - MIN_R2)`` times the targets' variance, i.e. ``R^2 < MIN_R2`` on the training split;
  classification: its validation accuracy is within ``CHANCE_MARGIN`` of chance (the share of
  the most frequent class), or
- regression: its final training loss is more than ``STUCK_RATIO`` times the lower quartile of
  its arm's, or of the whole study's seeds, whichever is lower (``stuck``: a quarter of the
  networks reached far lower from other starts, so this one settled in a poor minimum; a
  quartile, not the best seed, so that one lucky seed does not fail all the others; the
  study's too, so that an arm whose seeds mostly stick is not its own yardstick).

A failed seed that did not diverge is ``stalled`` when its loss fell by less than
``STILL_LEARNING`` over the last quarter of its epochs (the learning rate is the likely cause:
too high to settle, or stuck on a plateau), otherwise ``still-learning`` (the budget is).
Statistics keep every seed; reports count failures per arm and warn before their verdict.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import Tensor

#: A regression seed failed below this training R^2.
MIN_R2 = 0.5
#: A classification seed failed within this many points of chance accuracy.
CHANCE_MARGIN = 0.05
#: A report warns when any arm fails more often than this (or arms fail at different rates).
WARN_SHARE = 0.10
#: A failed seed whose loss fell by more than this share over its last quarter was still learning.
STILL_LEARNING = 0.10
#: A regression seed failed when its final training loss is more than this times its arm's lower quartile.
STUCK_RATIO = 10.0
#: The reasons a seed failed.
REASONS = ("diverged", "stalled", "still-learning", "stuck")


@dataclass(frozen=True)
class FailureRule:
    """The threshold of one study's data.

    Attributes:
        kind: ``regression`` or ``classification``.
        target_variance: mean over output columns of the training targets' variance (the MSE
            of predicting each column's mean); regression only.
        max_train_loss: a final training loss above this failed (``(1 - MIN_R2) * variance``).
        chance: share of the most frequent training class; classification only.
        min_accuracy: a validation accuracy below this failed (``chance + CHANCE_MARGIN``).
    """

    kind: str
    target_variance: float | None = None
    max_train_loss: float | None = None
    chance: float | None = None
    min_accuracy: float | None = None

    def to_dict(self) -> dict:
        return {**asdict(self), "min_r2": MIN_R2, "chance_margin": CHANCE_MARGIN}

    def describe(self) -> str:
        """The rule in one clause, for reports."""
        if self.kind == "classification":
            return (
                f"validation accuracy was below chance + {100 * CHANCE_MARGIN:.0f} points "
                f"({self.min_accuracy:.3g}), or its loss stopped being finite"
            )
        return (
            f"final training loss was above {1 - MIN_R2:.2g} x the targets' variance ({self.max_train_loss:.3g}, "
            f"i.e. training R^2 < {MIN_R2:g}) or over {STUCK_RATIO:g}x the lower quartile of its arm's or the study's "
            "seeds, or its loss "
            "stopped being finite"
        )


def target_variance(y: Tensor) -> float:
    """Mean over columns of the variance of targets ``y`` ``(M, d)`` (population variance, over
    each column's finite entries)."""
    y = y.detach().double().reshape(len(y), -1)
    observed = torch.isfinite(y)  # rollout targets are NaN past an orbit's end
    count = observed.sum(0).clamp_min(1)
    mean = y.nan_to_num().sum(0) / count
    spread = torch.where(observed, y - mean, torch.zeros_like(y)).pow(2).sum(0) / count
    return float(spread.mean())


def failure_rule(y_train: Tensor, loss: str) -> FailureRule:
    """The failure threshold for training targets ``y_train`` (``(M, d)`` derivatives or ``(M,)``
    class indices) under ``loss`` (``mse`` or ``cross_entropy``)."""
    if loss == "cross_entropy":
        counts = torch.bincount(y_train.detach().long().flatten())
        chance = float(counts.max()) / float(counts.sum())
        return FailureRule("classification", chance=chance, min_accuracy=chance + CHANCE_MARGIN)
    variance = target_variance(y_train)
    return FailureRule("regression", target_variance=variance, max_train_loss=(1 - MIN_R2) * variance)


def classify_failures(history: np.ndarray, val_metric: np.ndarray, rule: FailureRule) -> list[str]:
    """Why each member failed (``""`` where it did not), from its training history
    ``(epochs, E)`` (mean loss per epoch) and validation metric ``(E,)``."""
    history = np.asarray(history, dtype=np.float64).reshape(len(history), -1)
    val_metric = np.asarray(val_metric, dtype=np.float64).reshape(-1)
    final = history[-1]
    earlier = history[max(0, len(history) - 1 - max(1, math.ceil(len(history) / 4)))]
    reasons = []
    for i in range(len(final)):
        if not np.isfinite(final[i]):
            reasons.append("diverged")
            continue
        if rule.kind == "classification":
            failed = not val_metric[i] >= (rule.min_accuracy or 0.0)
        else:
            failed = final[i] > (rule.max_train_loss or math.inf)
        if not failed:
            reasons.append("")
        elif len(history) > 1 and final[i] < (1 - STILL_LEARNING) * earlier[i]:
            reasons.append("still-learning")
        else:
            reasons.append("stalled")
    return reasons


def mark_stuck(rows: list[dict], rule: FailureRule) -> list[dict]:
    """``runs.csv`` rows with the seeds whose final training loss is more than
    :data:`STUCK_RATIO` times the lower quartile of their arm's finite ones, or of all the
    study's, whichever is lower, marked ``stuck`` (regression only; seeds failed for another
    reason keep it). Returns new rows; ``rows`` is not changed."""
    if rule.kind != "regression":
        return rows
    losses: dict[str, list[float]] = {}
    for r in rows:
        loss = float(r["train_loss"])
        if np.isfinite(loss):
            losses.setdefault(r["arm"], []).append(loss)
    pooled = float(np.percentile(np.concatenate([np.asarray(v) for v in losses.values()]), 25)) if losses else 0.0
    best = {arm: min(float(np.percentile(v, 25)), pooled) for arm, v in losses.items()}
    out = []
    for r in rows:
        loss = float(r["train_loss"])
        if not r.get("failure") and r["arm"] in best and np.isfinite(loss) and loss > STUCK_RATIO * best[r["arm"]]:
            r = {**r, "failed": 1, "failure": "stuck"}
        out.append(r)
    return out


def arm_failures(rows: list[dict], arms: tuple[str, ...] | list[str], seeds: int) -> dict[str, dict[str, int]]:
    """Failures per arm from ``runs.csv`` rows (seeds below ``seeds``): ``{arm: {"n", "failed",
    "diverged", "stalled", "still-learning"}}``. Rows of studies written before failures were
    recorded count as not failed."""
    out = {arm: {"n": 0, "failed": 0, **dict.fromkeys(REASONS, 0)} for arm in arms}
    for r in rows:
        if r["arm"] not in out or int(r["seed"]) >= seeds:
            continue
        counts = out[r["arm"]]
        counts["n"] += 1
        reason = r.get("failure") or ""
        if reason:
            counts["failed"] += 1
            counts[reason] = counts.get(reason, 0) + 1
    return out


def needs_warning(failures: dict[str, dict[str, int]]) -> bool:
    """Any arm failing more than :data:`WARN_SHARE` of its seeds, or arms failing at different rates."""
    shares = [c["failed"] / c["n"] for c in failures.values() if c["n"]]
    return bool(shares) and (max(shares) > WARN_SHARE or max(shares) != min(shares))


def _cause(counts: dict[str, int]) -> str:
    causes = []
    if counts.get("diverged"):
        causes.append("the learning rate (training diverged: lower it, or tune it with `--tune lr`)")
    if counts.get("stalled"):
        causes.append("the learning rate (stalled near the targets' variance: tune it with `--tune lr`)")
    if counts.get("still-learning"):
        causes.append("the budget (still improving when training stopped: more `--epochs`)")
    if counts.get("stuck"):
        causes.append(
            f"a poor minimum (training loss over {STUCK_RATIO:g}x the lower quartile of the arm's or the study's "
            "seeds: the learning rate, "
            "tune it with `--tune lr` or lower it)"
        )
    return "; ".join(dict.fromkeys(causes))


def failure_lines(failures: dict[str, dict[str, int]], rule: dict | None) -> list[str]:
    """The report's warning (empty when :func:`needs_warning` is false): the counts per arm,
    what failing means, and the likely cause."""
    if not failures or not needs_warning(failures):
        return []
    parts = []
    total: dict[str, int] = dict.fromkeys(REASONS, 0)
    for arm, c in failures.items():
        why = ", ".join(f"{c[r]} {r}" for r in REASONS if c.get(r))
        parts.append(f"{arm} {c['failed']} of {c['n']}" + (f" ({why})" if why else ""))
        for r in REASONS:
            total[r] += c.get(r, 0)
    fields = {k: v for k, v in (rule or {}).items() if k in FailureRule.__dataclass_fields__}
    meaning = FailureRule(**{"kind": "regression", "max_train_loss": math.nan, **fields})
    lines = [
        "**Warning: training failed for some seeds** - " + "; ".join(parts) + ".",
        "",
        f"A seed failed when its {meaning.describe()}. Failed seeds stay in the statistics below, so the "
        "verdict compares these failures as much as the function classes.",
    ]
    cause = _cause(total)
    if cause:
        lines[-1] += f" Likely cause: {cause}."
    return lines + [""]


__all__ = [
    "CHANCE_MARGIN",
    "MIN_R2",
    "REASONS",
    "STILL_LEARNING",
    "STUCK_RATIO",
    "WARN_SHARE",
    "FailureRule",
    "arm_failures",
    "classify_failures",
    "failure_lines",
    "failure_rule",
    "mark_stuck",
    "needs_warning",
    "target_variance",
]
