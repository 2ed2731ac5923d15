"""Plausibility before the verdict: results a report should not state without a word.

Each check reads a finished study's summary (``summary.json``) and returns warnings in plain
words; the report puts them before its verdict and the command line prints them:

- **No useful forecast**: every arm's median valid prediction time is under
  :data:`USEFUL_SHARE` of the horizon.
- **Seeds over an order of magnitude**: an arm whose seeds that did not count as failed still
  span more than :data:`SPREAD_RATIO` (max / min of the metric).
- **Friction far from the evidence**: a dissipative network's learned friction more than
  :data:`FRICTION_RATIO` from the true damping (a known system) or from the conservation
  check's own fit of ``dp/dt = -dH/dq - gamma p`` (a record).
- **Few data for the model**: fewer than :data:`MIN_GROUPS` training orbits or groups, or fewer
  than :data:`MIN_ROWS` training rows.
"""

from __future__ import annotations

import math

import numpy as np

#: A forecast valid for less than this share of the horizon is not useful.
USEFUL_SHARE = 0.25
#: Seeds of one arm spanning more than this ratio (max / min) are suspicious.
SPREAD_RATIO = 10.0
#: A learned friction off by more than this factor from the evidence is implausible.
FRICTION_RATIO = 3.0
#: Fewest training orbits/groups, and rows, before the data count as few for a network.
MIN_GROUPS = 3
MIN_ROWS = 500


def forecast_warning(summary: dict) -> str | None:
    forecast = summary.get("forecast") or {}
    vpt = (forecast.get("metrics") or {}).get("vpt")
    if not vpt or not forecast.get("horizon"):
        return None
    horizon = float(forecast["horizon"])
    medians = {arm: float(s["median"]) for arm, s in vpt["arms"].items()}
    if max(medians.values()) >= USEFUL_SHARE * horizon:
        return None
    best = max(medians, key=medians.__getitem__)
    return (
        f"No arm forecasts usefully here: every arm's median valid prediction time is under {USEFUL_SHARE:.0%} of the "
        f"{horizon:.3g} horizon (the best, {best}, {medians[best]:.3g}); compare arms on these forecasts with care."
    )


def spread_warnings(summary: dict) -> list[str]:
    out = []
    failed_runs = summary.get("failures") or {}
    for arm, s in summary.get("arms", {}).items():
        if (failed_runs.get(arm) or {}).get("failed", 0):
            continue  # failures are reported already
        values = np.asarray(s.get("values") or [], dtype=float)
        values = values[np.isfinite(values) & (values > 0)]
        if len(values) < 3 or values.max() / values.min() <= SPREAD_RATIO:
            continue
        out.append(
            f"Arm {arm}'s seeds span {values.min():.3g} to {values.max():.3g} ({values.max() / values.min():.0f}x) in "
            f"{summary.get('metric', 'the metric')} with none counted as failed: its result depends on the seed as "
            "much as on the arm."
        )
    return out


def friction_warning(summary: dict) -> str | None:
    found = (summary.get("forecast") or {}).get("dissipation") or {}
    arms = found.get("arms") or {}
    if not arms:
        return None
    truth = found.get("true_damping")
    evidence = (summary.get("conservation") or {}).get("friction")
    if truth is not None:
        reference, what = float(truth), "the true damping"
    elif evidence is not None and math.isfinite(float(evidence)) and float(evidence) > 0:
        reference, what = float(evidence), "the conservation check's fit of dp/dt = -dH/dq - gamma p"
    else:
        return None
    learned = {arm: float(s["median"]) for arm, s in arms.items()}
    off = {a: v for a, v in learned.items() if not (reference / FRICTION_RATIO <= v <= reference * FRICTION_RATIO)}
    if reference <= 0 or not off:
        return None
    values = ", ".join(f"{a} {v:.3g}" for a, v in off.items())
    return (
        f"The learned friction ({values}) is more than {FRICTION_RATIO:g}x away from {what} ({reference:.3g}): the "
        "dissipative network explains the record with another balance of energy and friction; read its forecasts "
        "and energies with care."
    )


def data_warning(summary: dict) -> str | None:
    size = summary.get("data") or {}
    rows, groups = size.get("train_rows"), size.get("train_groups")
    if rows is None:
        return None
    few = (groups is not None and groups < MIN_GROUPS) or rows < MIN_ROWS
    if not few:
        return None
    where = f"{groups} training group(s), " if groups is not None else ""
    return (
        f"The data are few for a network: {where}{rows} training rows. Expect the verdicts to move with the split and "
        "the seeds; more records would settle them."
    )


def plausibility_warnings(summary: dict) -> list[str]:
    """Every warning for a study's summary, in the order a reader needs them."""
    found = [data_warning(summary), forecast_warning(summary), *spread_warnings(summary), friction_warning(summary)]
    return [w for w in found if w]


__all__ = [
    "FRICTION_RATIO",
    "MIN_GROUPS",
    "MIN_ROWS",
    "SPREAD_RATIO",
    "USEFUL_SHARE",
    "data_warning",
    "forecast_warning",
    "friction_warning",
    "plausibility_warnings",
    "spread_warnings",
]
