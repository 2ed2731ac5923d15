"""Tuning that cannot create a finding: which learning rate each arm's study runs at.

A tuning curve is a handful of seeds per rate, so two rates often cannot be told apart; picking
the lower median anyway lets noise send one arm to another rate than the rest, and a difference
between arms can then be the rates' rather than the arms'. So:

- **Ties.** A rate ties with an arm's best when the 95 % bootstrap interval of the difference of
  their tuning medians holds zero, or lies within the data's noise band (the one verdict rule,
  :mod:`physnet.study.verdict`).
- **Shared rate.** Among its ties, each arm runs at the rate the most arms tie on, the larger
  where counts are equal (on a flat curve the larger rate trains further in the same budget).
  Every arm is treated the same way, and arms whose curves do not separate share one rate.
- **The grid's edge.** Where an arm's own best rate is an end of the grid, the curve may still
  improve beyond it: the grid is extended once by one step in that direction for every arm
  (:func:`edge_extension`); an own best at an end of the extended grid is reported.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import numpy as np

from physnet.study.execution import Execution
from physnet.study.statistics import bootstrap_median_difference
from physnet.study.tuning import ArmTuning, tune_arms, tuning_grid
from physnet.study.verdict import within_noise

#: The rule, as the report and ``summary.json`` state it.
RULE = (
    "rates whose tuning medians the 95 % bootstrap interval of their difference cannot tell apart (or that lie "
    "within the noise) are ties; among its ties each arm takes the rate most arms tie on, the larger on equal counts"
)


def _usable(values: np.ndarray, higher_is_better: bool) -> np.ndarray:
    """Failed (NaN) members count as the worst value."""
    return np.where(np.isnan(values), -np.inf if higher_is_better else np.inf, values)


def tied_rates(
    tuning: ArmTuning, higher_is_better: bool, floor: float | None = None
) -> tuple[float, tuple[float, ...]]:
    """The arm's own best rate (best median) and every rate tied with it, as ``(best, ties)``
    with ``ties`` a tuple in grid order."""
    values = _usable(tuning.values, higher_is_better)
    medians = np.median(values, axis=1)
    best = int(np.argmax(medians) if higher_is_better else np.argmin(medians))
    ties = []
    for i, rate in enumerate(tuning.rates):
        if i == best:
            ties.append(rate)
            continue
        if not np.isfinite(values[i]).all() or not np.isfinite(values[best]).all():
            continue  # a failed member leaves no doubt that this rate is worse
        lo, hi = bootstrap_median_difference(values[i], values[best])
        if lo <= 0 <= hi or within_noise(lo, hi, floor):
            ties.append(rate)
    return float(tuning.rates[best]), tuple(float(r) for r in ties)


def shared_rates(
    tunings: dict[str, ArmTuning], higher_is_better: bool, floor: float | None = None
) -> dict[str, ArmTuning]:
    """Each arm's tuning with ``best``, ``ties`` and the ``chosen`` rate by the shared-rate rule."""
    found = {arm: tied_rates(t, higher_is_better, floor) for arm, t in tunings.items()}
    counts = Counter(r for _, ties in found.values() for r in ties)
    return {
        arm: replace(t, best=found[arm][0], ties=found[arm][1], chosen=max(found[arm][1], key=lambda r: (counts[r], r)))
        for arm, t in tunings.items()
    }


def edge_extension(tunings: dict[str, ArmTuning], grid: tuple[float, ...], higher_is_better: bool) -> tuple[float, ...]:
    """One rate beyond each end of ``grid`` (the study's configured grid) where some arm's own
    best rate *among the grid's* is that end (a step of the grid's own ratio there); none for a
    grid of fewer than two rates. Only the configured grid decides, so that a resumed study
    extends the same way."""
    rates = sorted(grid)
    if len(rates) < 2:
        return ()
    bests = set()
    for t in tunings.values():
        rows = [i for i, r in enumerate(t.rates) if any(np.isclose(r, g) for g in rates)]
        medians = np.median(_usable(t.values[rows], higher_is_better), axis=1)
        bests.add(float(t.rates[rows[int(np.argmax(medians) if higher_is_better else np.argmin(medians))]]))
    out = []
    if any(np.isclose(rates[0], b) for b in bests):
        out.append(rates[0] * rates[0] / rates[1])
    if any(np.isclose(rates[-1], b) for b in bests):
        out.append(rates[-1] * rates[-1] / rates[-2])
    return tuple(float(r) for r in out)


def tune_and_choose(
    config, frozen, held, folder, execution: Execution, on_arm, floor: float | None
) -> tuple[dict[str, ArmTuning], dict]:
    """Tune every arm on the study's grid (:func:`~physnet.study.tuning.tune_arms`), extend the
    grid once past an end an arm's best sits on, and choose each arm's rate by the shared-rate
    rule; returns the tunings and :func:`choice_record`."""
    higher = held.loss == "cross_entropy"
    grid = tuning_grid(config.optimizer, config.tune_grid)
    tunings = tune_arms(config, frozen, held, folder, execution, on_arm, rates=grid)
    extended = edge_extension(tunings, grid, higher)
    if extended:
        rates = tuple(sorted(set(grid) | set(extended)))
        what = "tuning lr past the grid's edge: " + ", ".join(f"{r:.3g}" for r in extended)
        tunings = tune_arms(config, frozen, held, folder, execution, on_arm, rates=rates, done=tunings, what=what)
    tunings = shared_rates(tunings, higher, floor)
    return tunings, choice_record(tunings, extended)


def at_edge(tunings: dict[str, ArmTuning]) -> dict[str, float]:
    """Arms whose own best rate is an end of their grid: ``{arm: rate}``."""
    return {arm: t.best for arm, t in tunings.items() if t.best is not None and t.best in (min(t.rates), max(t.rates))}


def choice_record(tunings: dict[str, ArmTuning], extended: tuple[float, ...]) -> dict:
    """What ``summary.json`` records of the choice: the rule, each arm's own best and ties, the
    rates the grid was extended by, the arms still at an edge, and whether arms differ in rate."""
    return {
        "rule": RULE,
        "best": {arm: t.best for arm, t in tunings.items()},
        "ties": {arm: list(t.ties) for arm, t in tunings.items()},
        "extended": list(extended),
        "at_edge": at_edge(tunings),
        "shared": len({t.chosen for t in tunings.values()}) == 1,
    }


__all__ = ["RULE", "at_edge", "choice_record", "edge_extension", "shared_rates", "tied_rates", "tune_and_choose"]
