"""Tuning cannot create a finding: rates that the tuning seeds cannot tell apart are ties,
arms share the rate most of them tie on, and a best rate at the grid's end extends the grid."""

from __future__ import annotations

import numpy as np

from physnet.study.rate_choice import at_edge, edge_extension, shared_rates, tied_rates
from physnet.study.tuning import ArmTuning, choose_rate

RATES = (1e-3, 3e-3, 1e-2, 3e-2)


def _tuning(arm: str, medians: list[float], spread: float, seed: int = 0) -> ArmTuning:
    rng = np.random.default_rng(seed)
    values = np.array([m + spread * rng.standard_normal(5) for m in medians])
    chosen, meds = choose_rate(RATES, values, False)
    return ArmTuning(arm, RATES, tuple(range(5)), values, values, ("",) * values.size, chosen, meds)


def test_a_one_percent_gap_inside_the_seeds_spread_is_a_tie():
    # the issue's pendulum: type2's 0.01 won over 0.03 on medians 0.1339 vs 0.1352
    t = _tuning("type2", [0.9, 0.5, 0.1339, 0.1352], spread=0.01)
    best, ties = tied_rates(t, False)
    assert best == 1e-2 and set(ties) == {1e-2, 3e-2}
    clear = _tuning("base", [0.9, 0.5, 0.1, 0.3], spread=0.001)
    assert tied_rates(clear, False) == (1e-2, (1e-2,))


def test_within_the_noise_is_a_tie_even_when_the_interval_excludes_zero():
    t = _tuning("mix", [0.9, 0.5, 0.1000, 0.1010], spread=1e-5)
    assert tied_rates(t, False)[1] == (1e-2,)  # a real difference without a floor
    assert set(tied_rates(t, False, floor=1.0)[1]) == {1e-2, 3e-2}  # 0.001 is within 5 % of a floor of 1


def test_arms_share_the_rate_most_of_them_tie_on():
    tunings = {
        "base": _tuning("base", [0.9, 0.5, 0.30, 0.10], spread=0.001),  # 0.03 only
        "type1": _tuning("type1", [0.9, 0.5, 0.10, 0.11], spread=0.05, seed=1),  # 0.01 and 0.03 tie
        "type2": _tuning("type2", [0.9, 0.5, 0.1339, 0.1352], spread=0.01, seed=2),  # 0.01 and 0.03 tie
        "mix": _tuning("mix", [0.1, 0.5, 0.9, 0.9], spread=0.001, seed=3),  # 0.001 only
    }
    chosen = {arm: t.chosen for arm, t in shared_rates(tunings, False).items()}
    assert chosen == {"base": 3e-2, "type1": 3e-2, "type2": 3e-2, "mix": 1e-3}


def test_equal_counts_go_to_the_larger_rate():
    flat = {"base": _tuning("base", [0.1, 0.1, 0.1, 0.1], spread=0.05)}
    assert shared_rates(flat, False)["base"].chosen == 3e-2


def test_a_best_rate_at_an_end_of_the_grid_extends_it_once_in_that_direction():
    tunings = shared_rates({"base": _tuning("base", [0.9, 0.5, 0.3, 0.1], spread=0.001)}, False)
    assert np.allclose(edge_extension(tunings, RATES, False), (9e-2,))
    assert at_edge(tunings) == {"base": 3e-2}
    low = shared_rates({"base": _tuning("base", [0.1, 0.5, 0.6, 0.9], spread=0.001)}, False)
    assert np.allclose(edge_extension(low, RATES, False), (1e-3 / 3,))
    inside = shared_rates({"base": _tuning("base", [0.9, 0.1, 0.5, 0.9], spread=0.001)}, False)
    assert edge_extension(inside, RATES, False) == () and at_edge(inside) == {}
    assert edge_extension(inside, (1e-2,), False) == ()  # one rate: the user fixed it


def test_failed_members_make_a_rate_worse_not_tied():
    t = _tuning("base", [0.9, 0.5, 0.10, 0.11], spread=0.05)
    values = t.values.copy()
    values[3, 0] = np.nan
    failed = ArmTuning("base", RATES, t.seeds, values, values, t.failures, t.chosen, t.medians)
    assert 3e-2 not in tied_rates(failed, False)[1]
