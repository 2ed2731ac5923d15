"""Implausible results are said before the verdict: no useful forecast, seeds over an order of
magnitude, a learned friction far from the evidence, too few data; and the conservation check's
own friction estimate recovers a planted damping."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from physnet.study.plausibility import (
    data_warning,
    forecast_warning,
    friction_warning,
    plausibility_warnings,
    spread_warnings,
)
from physnet.tasks.conservation import check_conservation
from systems import DampedPendulum, generate_orbits, time_grid


def _summary(**parts) -> dict:
    base = {"metric": "val_mse", "arms": {}, "failures": {}, "data": {"train_rows": 5000, "train_groups": 40}}
    return {**base, **parts}


def test_no_useful_forecast_when_every_arm_leaves_early():
    vpt = {"arms": {"base": {"median": 0.6}, "mix": {"median": 0.5}}}
    summary = _summary(forecast={"horizon": 4.0, "metrics": {"vpt": vpt}})
    text = forecast_warning(summary)
    assert text is not None and "No arm forecasts usefully here" in text and "base, 0.6" in text
    vpt["arms"]["mix"]["median"] = 3.5
    assert forecast_warning(summary) is None


def test_seeds_spanning_an_order_of_magnitude_without_failures():
    values = [0.245, 0.3, 0.5, 2.475]
    summary = _summary(arms={"mix": {"values": values}, "base": {"values": [1.0, 1.1, 1.2]}})
    (text,) = spread_warnings(summary)
    assert "Arm mix's seeds span 0.245 to 2.48 (10x)" in text
    summary["failures"] = {"mix": {"failed": 1}}
    assert spread_warnings(summary) == []  # failures are reported already


def test_a_learned_friction_far_from_the_evidence():
    dissipation = {"arms": {"mix": {"median": 2.2}, "base": {"median": 0.28}}, "true_damping": None}
    summary = _summary(forecast={"dissipation": dissipation}, conservation={"friction": 0.3})
    text = friction_warning(summary)
    assert text is not None and "mix 2.2" in text and "base" not in text and "conservation check's fit" in text
    dissipation["true_damping"] = 0.3
    assert "the true damping (0.3)" in friction_warning(summary)
    dissipation["arms"] = {"mix": {"median": 0.2}}
    assert friction_warning(summary) is None


@pytest.mark.parametrize(
    "rows, groups, warned", [(300, 10, True), (5000, 2, True), (5000, None, False), (600, 3, False)]
)
def test_few_data_for_a_network(rows, groups, warned):
    text = data_warning(_summary(data={"train_rows": rows, "train_groups": groups}))
    assert (text is not None) == warned


def test_a_plausible_study_has_no_warning():
    summary = _summary(arms={"mix": {"values": [0.1, 0.12, 0.11]}})
    assert plausibility_warnings(summary) == []


def test_the_conservation_check_estimates_a_planted_friction():
    system = DampedPendulum(damping=0.3)
    t = time_grid(10.0, 0.02)
    states = generate_orbits(system, system.sample_initial_states(6, seed=3), t).states  # (N, T, 2)
    x = states.reshape(-1, 2)
    xdot = system.vector_field(torch.zeros(()), x)
    records = [slice(i * len(t), (i + 1) * len(t)) for i in range(6)]
    found = check_conservation(np.tile(t.numpy(), 6), x.numpy(), xdot.numpy(), records)
    assert found.verdict == "dissipative"
    assert found.friction == pytest.approx(0.3, rel=0.05)
