"""How far to trust an ensemble forecast, measured on orbits with a known truth: the share of
true states inside each central band at a few horizons against the band's nominal level (a
reliability table), the ensemble's CRPS, and a plain sentence saying whether the seeds state
their uncertainty honestly.

A remedy, offered and reported as such: one spread scale on every band's half-width, fitted on
the first half of the orbits (:func:`~physnet.study.ensemble_bands.fit_spread_scale`) and
checked on the other half, with the coverage there before and after. It is not fitted on the
tuning slice: the study's final networks trained on it, so their errors there are in-sample
and would under-state the scale.
"""

from __future__ import annotations

import numpy as np

from physnet.study.ensemble_bands import (
    CALIBRATION_HORIZONS,
    LEVELS,
    coverage,
    crps,
    ensemble_bands,
    fit_spread_scale,
    horizon_index,
)

#: Band levels of the reliability table and figure.
RELIABILITY_LEVELS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
#: A band whose coverage stays within this many points of its level at every horizon is calibrated.
TOLERANCE = 0.1


def calibration(rollouts: np.ndarray, truth: np.ndarray, normaliser: float = 1.0) -> dict:
    """The calibration record of an ensemble ``rollouts`` ``(E, N, T, d)`` against ``truth``
    ``(N, T, d)``: per horizon (shares of the rollout) the coverage of each reliability level,
    the CRPS (mean over orbits, summed over states, over ``normaliser`` as the forecast errors),
    and the spread scale fitted on the first half of the orbits with the 50 % and 90 % bands'
    coverage on the other half before and after it (None with fewer than two orbits)."""
    rollouts = np.asarray(rollouts, dtype=np.float64)
    truth = np.asarray(truth, dtype=np.float64)
    n_times = truth.shape[1]
    at = [horizon_index(n_times, share) for share in CALIBRATION_HORIZONS]
    covered = coverage(truth, ensemble_bands(rollouts, RELIABILITY_LEVELS))
    score = crps(rollouts, truth)
    with np.errstate(invalid="ignore"):
        crps_at = [float(np.nanmean(score[:, i])) / normaliser if np.isfinite(score[:, i]).any() else None for i in at]
    record = {
        "members": int(rollouts.shape[0]),
        "orbits": int(truth.shape[0]),
        "horizons": list(CALIBRATION_HORIZONS),
        "steps": at,
        "levels": list(RELIABILITY_LEVELS),
        "coverage": {f"{level:g}": [_share(covered[level][i]) for i in at] for level in RELIABILITY_LEVELS},
        "crps": crps_at,
        "spread_scale": None,
    }
    half = truth.shape[0] // 2
    if half >= 1 and rollouts.shape[0] > 1:
        scale = fit_spread_scale(rollouts[:, :half], truth[:half], 0.9)
        check_rollouts, check_truth = rollouts[:, half:], truth[half:]
        before = coverage(check_truth, ensemble_bands(check_rollouts, LEVELS))
        after = coverage(check_truth, ensemble_bands(check_rollouts, LEVELS, scale))
        record["spread_scale"] = {
            "scale": scale,
            "fitted_on_orbits": half,
            "checked_on_orbits": int(truth.shape[0] - half),
            "before": {f"{level:g}": [_share(before[level][i]) for i in at] for level in LEVELS},
            "after": {f"{level:g}": [_share(after[level][i]) for i in at] for level in LEVELS},
        }
    return record


def percent(share: float | None) -> str:
    """``0.71`` -> ``71 %`` (``-`` for no value)."""
    return "-" if share is None else f"{100 * share:.0f} %"


def _share(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def verdict(record: dict, level: float = 0.9) -> str:
    """``calibrated``, ``under-states`` (the band holds the truth less often than its level at
    some horizon, by more than :data:`TOLERANCE`, and never more often by as much),
    ``over-states`` or ``mixed``; ``unknown`` without numbers."""
    shares = [s for s in record["coverage"].get(f"{level:g}", []) if s is not None]
    if not shares:
        return "unknown"
    low = any(s < level - TOLERANCE for s in shares)
    high = any(s > level + TOLERANCE for s in shares)
    if low and high:
        return "mixed"
    return "under-states" if low else "over-states" if high else "calibrated"


def calibration_sentence(record: dict, level: float = 0.9) -> str:
    """One plain sentence: how often the ``level`` band held the truth at each horizon, and
    what that says (with the fitted spread scale's effect where there is one)."""
    shares = record["coverage"].get(f"{level:g}", [])
    where = ("at 10 % of the horizon", "at half of it", "at its end")
    parts = [
        f"{percent(s)} of the time {w}" if s is not None else f"(no truth) {w}"
        for s, w in zip(shares, where, strict=False)
    ]
    said = {
        "calibrated": f"the seeds' spread is calibrated (within {100 * TOLERANCE:.0f} points of {percent(level)} "
        "throughout)",
        "under-states": "the seeds under-state the uncertainty",
        "over-states": "the seeds over-state the uncertainty (the band is wider than it needs to be)",
        "mixed": "too narrow at some horizons and too wide at others",
        "unknown": "no truth to check it against",
    }[verdict(record, level)]
    text = (
        f"The {percent(level)} band of {record['members']} seeds held the truth "
        + ", ".join(parts)
        + f" on {record['orbits']} validation orbit(s): {said}."
    )
    fitted = record.get("spread_scale")
    if fitted is None and verdict(record, level) not in ("calibrated", "unknown"):
        text += " (No spread scale: it is fitted on half of the validation orbits and checked on the other half, and "
        text += f"there {'is one' if record['orbits'] == 1 else 'are too few'}.)"
    if fitted is not None and verdict(record, level) != "calibrated" and fitted["before"] != fitted["after"]:
        key = f"{level:g}"
        before = ", ".join(percent(s) for s in fitted["before"].get(key, []))
        after = ", ".join(percent(s) for s in fitted["after"].get(key, []))
        text += (
            f" Widening every band {fitted['scale']:.3g}x (fitted on {fitted['fitted_on_orbits']} orbit(s)) moves its "
            f"coverage on the other {fitted['checked_on_orbits']} from {before} to {after}"
            " (`physnet forecast --spread-scale fit`)."
        )
    return text


__all__ = ["RELIABILITY_LEVELS", "TOLERANCE", "calibration", "calibration_sentence", "percent", "verdict"]
