"""The effects a user asks of a study: do the learned types beat the base, does the mix beat
the better pure type, and what do the controls say. Each effect is a difference of medians
signed so that positive means the first-named arm is better, with a bootstrap 95 % interval.

Across meta-learning seeds the type labels mean nothing (type 1 of one meta seed has nothing
to do with type 1 of another), so the mix is judged against each meta seed's own better pure
type; the pooled effect resamples within each meta seed (a stratified bootstrap).
"""

from __future__ import annotations

import numpy as np

from physnet.errors import UserError
from physnet.study.statistics import mann_whitney_p
from physnet.study.verdict import WITHIN_INTEGRATION, WITHIN_NOISE, decide, within_noise

N_BOOT = 10_000
LEVEL = 0.95


def _signed(first: np.ndarray, other: np.ndarray, higher_is_better: bool) -> np.ndarray:
    """Median differences (along the last axis), positive where ``first`` is better."""
    diff = np.median(first, axis=-1) - np.median(other, axis=-1)
    return diff if higher_is_better else -diff


def _interval(samples: np.ndarray) -> tuple[float, float]:
    lo, hi = np.percentile(samples, [100 * (1 - LEVEL) / 2, 100 * (1 + LEVEL) / 2])
    return float(lo), float(hi)


def effect(
    first: np.ndarray, other: np.ndarray, higher_is_better: bool, *, seed: int = 0, floor: float | None = None
) -> dict[str, float]:
    """``median(first) - median(other)``, signed positive where ``first`` is better, its
    percentile-bootstrap 95 % interval (each arm resampled on its own), the same relative to
    ``|median(other)|``, the two-sided Mann-Whitney p-value, and ``within_noise``: the
    difference's whole interval lies within :data:`~physnet.study.verdict.NOISE_FRACTION` of
    ``floor`` (the targets' noise floor in the metric's units, where known).

    Args:
        first, other: per-seed metric values ``(n,)`` and ``(m,)``.
    """
    return pooled_effect([first], [other], higher_is_better, seed=seed, floor=floor)


def pooled_effect(
    firsts: list[np.ndarray],
    others: list[np.ndarray],
    higher_is_better: bool,
    *,
    seed: int = 0,
    floor: float | None = None,
) -> dict[str, float]:
    """:func:`effect` of the pooled values of several strata (meta seeds), resampling within
    each stratum so that every bootstrap sample keeps each stratum's size."""
    if len(firsts) != len(others) or not firsts:
        raise UserError("need one 'first' and one 'other' sample per stratum")
    rng = np.random.default_rng(seed)
    a = [np.asarray(x, dtype=np.float64) for x in firsts]
    b = [np.asarray(x, dtype=np.float64) for x in others]
    if min(min(len(x) for x in a), min(len(x) for x in b)) < 1:
        raise UserError("an arm with no results has no effect")
    first_all, other_all = np.concatenate(a), np.concatenate(b)
    boot_a = np.concatenate([x[rng.integers(0, len(x), (N_BOOT, len(x)))] for x in a], axis=1)
    boot_b = np.concatenate([x[rng.integers(0, len(x), (N_BOOT, len(x)))] for x in b], axis=1)
    diffs = _signed(boot_a, boot_b, higher_is_better)
    scale = abs(float(np.median(other_all))) or 1.0
    rel = diffs / np.abs(np.median(boot_b, axis=1)).clip(min=1e-300)
    lo, hi = _interval(diffs)
    rel_lo, rel_hi = _interval(rel)
    diff = float(_signed(first_all, other_all, higher_is_better))
    p = mann_whitney_p(first_all, other_all) if len(first_all) > 1 and len(other_all) > 1 else float("nan")
    return {
        "diff": diff,
        "lo": lo,
        "hi": hi,
        "rel": diff / scale,
        "rel_lo": rel_lo,
        "rel_hi": rel_hi,
        "p_value": p,
        "n_first": int(len(first_all)),
        "n_other": int(len(other_all)),
        "within_noise": within_noise(lo, hi, floor),
    }


def judged(e: dict[str, float]) -> str:
    """``within the noise`` where the effect was found below the noise floor, else
    ``better`` / ``worse`` where the interval excludes zero, else ``no significant
    difference`` (:func:`physnet.study.verdict.decide`)."""
    if e.get("within_noise"):
        return WITHIN_NOISE
    if e.get("within_integration"):
        return WITHIN_INTEGRATION
    return decide(e["diff"], e["lo"], e["hi"])


def best_pure(values: dict[str, np.ndarray], higher_is_better: bool) -> str | None:
    """``type1`` or ``type2``, whichever has the better median (None unless both ran)."""
    if "type1" not in values or "type2" not in values:
        return None
    m1, m2 = np.median(values["type1"]), np.median(values["type2"])
    return "type1" if (m1 >= m2 if higher_is_better else m1 <= m2) else "type2"


def study_effects(
    values: dict[str, np.ndarray], higher_is_better: bool, *, seed: int = 0, floor: float | None = None
) -> dict:
    """The effects of one study (one meta seed), for whichever arms it ran.

    Returns:
        ``{"best_pure", "learned_vs_base", "mix_vs_best_pure", "controls"}``; an effect is
        None where its arms did not run. ``controls`` holds ``typeJ_vs_untrainedJ`` and
        ``typeJ_vs_fitJ`` (does meta-learning beat its starting point, and does the learned
        shape beat its best fit within ``sin(a x) + b x + c``).
    """
    pure = best_pure(values, higher_is_better)
    out: dict = {"best_pure": pure, "learned_vs_base": None, "mix_vs_best_pure": None, "controls": {}}
    if pure and "base" in values:
        out["learned_vs_base"] = effect(values[pure], values["base"], higher_is_better, seed=seed, floor=floor)
    if pure and "mix" in values:
        out["mix_vs_best_pure"] = effect(values["mix"], values[pure], higher_is_better, seed=seed, floor=floor)
    for j in (1, 2):
        for control in (f"untrained{j}", f"fit{j}"):
            if f"type{j}" in values and control in values:
                out["controls"][f"type{j}_vs_{control}"] = effect(
                    values[f"type{j}"], values[control], higher_is_better, seed=seed, floor=floor
                )
    return out


def meta_seed_effects(
    per_seed: dict[int, dict[str, np.ndarray]], higher_is_better: bool, *, seed: int = 0, floor: float | None = None
) -> dict:
    """The mix claim per meta seed and pooled, and learned types against the base likewise.

    Args:
        per_seed: ``{meta_seed: {arm: (n,) values}}``.
        floor: the targets' noise floor in the metric's units (where known).

    Returns:
        ``{"per_meta_seed": {m: study_effects}, "pooled": {"mix_vs_best_pure": ..., "learned_vs_base": ...}}``.
    """
    each = {m: study_effects(v, higher_is_better, seed=seed, floor=floor) for m, v in per_seed.items()}
    pooled = {}
    usable = [m for m, e in each.items() if e["best_pure"]]
    if usable:
        pure = {m: per_seed[m][each[m]["best_pure"]] for m in usable}
        if all("mix" in per_seed[m] for m in usable):
            pooled["mix_vs_best_pure"] = pooled_effect(
                [per_seed[m]["mix"] for m in usable],
                [pure[m] for m in usable],
                higher_is_better,
                seed=seed,
                floor=floor,
            )
        if all("base" in per_seed[m] for m in usable):
            pooled["learned_vs_base"] = pooled_effect(
                [pure[m] for m in usable],
                [per_seed[m]["base"] for m in usable],
                higher_is_better,
                seed=seed,
                floor=floor,
            )
    return {"per_meta_seed": each, "pooled": pooled}


__all__ = ["best_pure", "effect", "judged", "meta_seed_effects", "pooled_effect", "study_effects"]
