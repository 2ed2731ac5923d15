"""One rule for every comparison a report states: the percentile-bootstrap 95 % interval of
the difference of medians decides better / worse / no significant difference; a difference
whose *whole interval* lies within :data:`NOISE_FRACTION` of the targets' noise floor is
"within the noise" (a difference that may be larger than that band is not: its interval
decides), and a forecast difference whose interval lies within the integration floor is
"within the integration error". The headline, the tables, the effects, the closing answer at
two budgets and the models summary all use it; the Mann-Whitney p-value is shown beside it,
labelled, and decides nothing."""

from __future__ import annotations

#: A difference of medians below this share of the targets' noise floor (in the metric's
#: units: the MSE a perfect model would score) is "within the noise".
NOISE_FRACTION = 0.05

BETTER, WORSE, NOT_SIGNIFICANT, WITHIN_NOISE = "better", "worse", "no significant difference", "within the noise"
#: A forecast difference smaller than the integrator's own error on the exact field (the
#: integration floor, :mod:`physnet.study.integration_floor`).
WITHIN_INTEGRATION = "within the integration error"
#: Every verdict, in the order a report explains them.
VERDICTS = (BETTER, WORSE, NOT_SIGNIFICANT, WITHIN_NOISE, WITHIN_INTEGRATION)

#: How the headline says each verdict of the mix against another arm.
MIX_PHRASES = {
    BETTER: "beat",
    WORSE: "did worse than",
    NOT_SIGNIFICANT: "showed no significant difference from",
    WITHIN_NOISE: "was within the noise of",
    WITHIN_INTEGRATION: "was within the integration error of",
}


def noise_band(floor: float | None) -> float | None:
    """Half-width of the "within the noise" band in the metric's units (None without a floor)."""
    return None if floor is None or not floor > 0 else NOISE_FRACTION * floor


def within_noise(lo: float, hi: float, floor: float | None) -> bool:
    """Does the whole 95 % interval ``[lo, hi]`` of a difference lie inside the noise band
    (:data:`NOISE_FRACTION` of a positive ``floor``)?"""
    return within_floor(lo, hi, noise_band(floor))


def within_floor(lo: float, hi: float, floor: float | None) -> bool:
    """Does the whole 95 % interval ``[lo, hi]`` of a difference lie inside ``(-floor, floor)``?
    (A difference that may be larger than the floor is not "within" it: its interval decides.)"""
    return floor is not None and floor > 0 and -floor < lo and hi < floor


def decide(diff: float, lo: float, hi: float, floor: float | None = None) -> str:
    """The verdict of a difference signed positive where the first arm is better, with its
    95 % interval ``[lo, hi]``; ``floor``: the targets' noise floor in the metric's units."""
    if within_noise(lo, hi, floor):
        return WITHIN_NOISE
    if lo > 0:
        return BETTER
    if hi < 0:
        return WORSE
    return NOT_SIGNIFICANT


def mix_test_signed(test: dict, higher_is_better: bool) -> tuple[float, float, float]:
    """A ``mix_vs_<arm>`` test's difference of medians and interval, signed positive where
    the mix is better."""
    diff, (lo, hi) = test["median_diff"], test["median_diff_ci"]
    return (diff, lo, hi) if higher_is_better else (-diff, -hi, -lo)


def mix_verdict(test: dict, higher_is_better: bool) -> str:
    """The verdict of the mix against one arm (a ``mix_vs_<arm>`` entry of the summary's
    tests, which carries ``within_noise`` where a noise floor was known and, for forecast
    scores, ``within_integration`` where an integration floor was)."""
    diff, lo, hi = mix_test_signed(test, higher_is_better)
    if test.get("within_noise"):
        return WITHIN_NOISE
    if test.get("within_integration"):
        return WITHIN_INTEGRATION
    return decide(diff, lo, hi)


__all__ = [
    "BETTER",
    "MIX_PHRASES",
    "NOISE_FRACTION",
    "NOT_SIGNIFICANT",
    "VERDICTS",
    "WITHIN_INTEGRATION",
    "WITHIN_NOISE",
    "WORSE",
    "decide",
    "mix_test_signed",
    "mix_verdict",
    "noise_band",
    "within_floor",
    "within_noise",
]
