"""Statistics of a study: per-arm summaries, Mann-Whitney U tests and bootstrap intervals."""

from __future__ import annotations

import numpy as np
from scipy.stats import mannwhitneyu

from physnet.errors import UserError


def arm_summary(values: np.ndarray) -> dict:
    """Median, mean, quartiles, extremes and all values of one arm's metric (``(n,)``)."""
    v = np.asarray(values, dtype=np.float64)
    if v.size == 0:
        raise UserError("an arm with no results cannot be summarised")
    q1, median, q3 = np.percentile(v, [25, 50, 75])
    return {
        "n": int(v.size),
        "median": float(median),
        "mean": float(v.mean()),
        "q1": float(q1),
        "q3": float(q3),
        "min": float(v.min()),
        "max": float(v.max()),
        "values": [float(x) for x in v],
    }


def mann_whitney_p(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sided Mann-Whitney U p-value of samples ``a`` and ``b`` (SciPy)."""
    return float(mannwhitneyu(np.asarray(a), np.asarray(b), alternative="two-sided").pvalue)


def bootstrap_median_difference(
    a: np.ndarray, b: np.ndarray, *, level: float = 0.95, n_boot: int = 10_000, seed: int = 0
) -> tuple[float, float]:
    """Percentile bootstrap interval of ``median(a) - median(b)``, resampling each arm
    independently with its own size; ``seed`` fixes the resamples."""
    rng = np.random.default_rng(seed)
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    ma = np.median(a[rng.integers(0, len(a), (n_boot, len(a)))], axis=1)
    mb = np.median(b[rng.integers(0, len(b), (n_boot, len(b)))], axis=1)
    lo, hi = np.percentile(ma - mb, [100 * (1 - level) / 2, 100 * (1 + level) / 2])
    return float(lo), float(hi)


def summarize(
    values: dict[str, np.ndarray], *, reference: str = "mix", seed: int = 0, floor: float | None = None
) -> tuple[dict, dict]:
    """Per-arm summaries and, for ``reference`` against every other arm, the bootstrap 95 %
    interval of the median difference (which decides), the difference relative to the other
    arm's median, the two-sided Mann-Whitney p-value (shown, labelled) and whether the
    difference's whole interval is within the noise of a ``floor`` (the targets' noise floor,
    metric units; :func:`physnet.study.verdict.within_noise`).

    Returns:
        ``(arms, tests)``; tests keyed ``mix_vs_<arm>``.
    """
    from physnet.study.verdict import within_noise

    arms = {name: arm_summary(v) for name, v in values.items()}
    tests = {}
    if reference in values:
        for name, v in values.items():
            if name == reference or len(v) < 2 or len(values[reference]) < 2:
                continue
            diff = float(np.median(values[reference]) - np.median(v))
            lo, hi = bootstrap_median_difference(values[reference], v, seed=seed)
            tests[f"{reference}_vs_{name}"] = {
                "p_value": mann_whitney_p(values[reference], v),
                "median_diff": diff,
                "median_diff_ci": [lo, hi],
                "relative": diff / (abs(float(np.median(v))) or 1.0),
                "within_noise": within_noise(lo, hi, floor),
            }
    return arms, tests
