"""Forecasts that measure the model: substeps chosen so that the exact field, integrated like
the networks, errs under the target; that error is the integration floor, equal to the
``truth`` row; a difference of arms below it is "within the integration error"."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from physnet.data import TaskData
from physnet.references.library import Library
from physnet.references.sparse_field import SparseVectorField
from physnet.reports.forecast_report import score_outcomes
from physnet.study.arm_skill import Skill, forecast_skill, skill_truth
from physnet.study.integration_floor import FLOOR_TARGET, integration_floor, truth_skill
from physnet.study.study_skill import skill_summary
from physnet.study.verdict import NOT_SIGNIFICANT, WITHIN_INTEGRATION
from systems import HenonHeiles, VanDerPol, generate_orbits


def _orbit_data(system, y0: torch.Tensor, dt: float, steps: int) -> TaskData:
    """Validation records of ``system`` from ``y0`` ``(N, d)`` sampled every ``dt``."""
    t = torch.arange(steps + 1, dtype=torch.float64) * dt
    states = generate_orbits(system, y0, t).states.reshape(-1, y0.shape[-1])
    orbit = torch.arange(len(y0)).repeat_interleave(steps + 1)
    return TaskData(
        states,
        states,
        states,
        states,
        state_names=system.state_names,
        val_orbit=orbit,
        train_orbit=orbit,
        dt=dt,
        system=system,
    )


@pytest.mark.parametrize("method, at_least", [("rk4", 2), ("implicit-midpoint", 8)])
def test_henon_heiles_at_dt_one_needs_substeps_and_its_floor_is_the_truth_row(method, at_least):
    system = HenonHeiles()
    y0 = system.sample_initial_states(4, seed=0, energy=0.12).double()
    data = _orbit_data(system, y0, 1.0, 30)
    truth = skill_truth(data)
    plain = forecast_skill(system, data, method, reference=truth)
    assert (
        float(np.median(plain.metrics["rollout_error"])) > FLOOR_TARGET
    )  # one step per sample: the integrator's error
    floor, exact = integration_floor(data, truth, method, candidates=[])
    assert floor.reference == "truth" and floor.reached and floor.substeps >= at_least
    assert floor.floor["rollout_error"] < FLOOR_TARGET
    assert floor.tried[floor.substeps // 2] >= FLOOR_TARGET  # the fewest substeps that reach it
    row = truth_skill(data, truth, method, floor.substeps)
    assert exact is not None
    for name, value in floor.floor.items():
        assert value == pytest.approx(float(np.median(row.metrics[name])), rel=1e-12)


def test_given_substeps_are_taken_as_they_are():
    system = VanDerPol()
    data = _orbit_data(system, system.sample_initial_states(3, seed=1).double(), 0.5, 20)
    floor, _ = integration_floor(data, skill_truth(data), "rk4", candidates=[], substeps=1)
    assert floor.substeps == 1 and floor.given and list(floor.tried) == [1]
    assert floor.reached == (floor.floor["rollout_error"] < FLOOR_TARGET)


def test_without_a_known_system_the_reference_is_measured_against_itself():
    # a record of the spring; the reference field is the exact spring, as a sparse fit would be
    t = torch.arange(41, dtype=torch.float64) * 1.0
    orbit = torch.stack([torch.cos(t), -torch.sin(t)], dim=-1)
    data = TaskData(orbit, orbit, orbit, orbit, state_names=("q", "p"), val_orbit=torch.zeros(41), dt=1.0)
    lib = Library(("q", "p"), 1)
    xi = torch.zeros(1, len(lib), 2, dtype=torch.float64)
    xi[0, lib.names().index("p"), 0], xi[0, lib.names().index("q"), 1] = 1.0, -1.0
    floor, exact = integration_floor(
        data, skill_truth(data), "rk4", candidates=[("sindy", lambda: SparseVectorField(lib, xi))]
    )
    assert floor.reference == "sindy" and exact is None
    assert floor.substeps > 1 and floor.floor["rollout_error"] < FLOOR_TARGET
    # RK4 on a rotation: the phase error per step is h^5 / 120, so halving h divides the error by about 16
    ratio = floor.tried[floor.substeps // 2] / floor.tried[floor.substeps]
    assert 10 < ratio < 20


def _planted(values: dict[str, list[float]], floor_error: float) -> tuple[dict[str, Skill], dict[str, Skill]]:
    def skill(scores: list[float]) -> Skill:
        e = np.asarray(scores)
        t = np.arange(3.0)
        return Skill(
            t,
            np.zeros((1, 3, 2)),
            np.zeros((len(e), 1, 3, 2)),
            np.zeros((len(e), 1, 3)),
            1.0,
            {"rollout_error": e, "vpt": np.full(len(e), 2.0)},
            "rk4",
        )

    return {arm: skill(v) for arm, v in values.items()}, {"truth": skill([floor_error])}


def test_a_difference_below_the_floor_is_within_the_integration_error():
    from physnet.study.integration_floor import IntegrationFloor

    rng = np.random.default_rng(0)
    base = list(0.10 + 0.001 * rng.standard_normal(20))
    shifted = [v + 0.004 for v in base]  # a real difference (its interval excludes zero) ...
    skills, references = _planted({"base": base, "mix": shifted}, 0.02)
    floor = IntegrationFloor("rk4", 1, "truth", {"rollout_error": 0.02})  # ... far below the floor
    summary = skill_summary(skills, references=references, floor=floor)
    assert score_outcomes(summary["metrics"]["rollout_error"])["base"][0] == WITHIN_INTEGRATION
    # without a floor the same planted difference is decided by its interval
    unbounded = skill_summary(skills, references=references, floor=IntegrationFloor("rk4", 1, "truth", {}))
    assert score_outcomes(unbounded["metrics"]["rollout_error"])["base"][0] == "worse"
    # a wide interval is not "within" a floor it may exceed
    wide = {"base": list(np.linspace(0.0, 0.2, 9)), "mix": list(np.linspace(0.0, 0.2, 9) + 0.001)}
    skills, references = _planted(wide, 0.02)
    verdict = score_outcomes(skill_summary(skills, references=references, floor=floor)["metrics"]["rollout_error"])
    assert verdict["base"][0] == NOT_SIGNIFICANT
