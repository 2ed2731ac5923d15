"""Forecasts that measure the model rather than the integrator.

A forecast rolled out at the sampling interval carries the integrator's truncation error: on
Henon-Heiles sampled at ``dt = 1`` the exact field itself, rolled out with RK4 at ``h = 1``,
errs 0.27 over the horizon - as much as every network. So rollouts take ``substeps``
integration steps per sample, chosen per study: the smallest of :data:`SUBSTEPS` at which a
*reference* field, rolled out with the study's method, step and horizon, stays within
:data:`FLOOR_TARGET` of its own exact trajectory (mean normalised error over the rollout). The
reference is the true system where it is known (its error against the true orbits is then the
``truth`` row of the forecast table), else the sparse-regression fit, else the first network
(where neither applies: a method the fit cannot take, or a fit that blows up). A reference with
no exact trajectory is measured by step doubling: the error of ``s`` substeps is estimated as
``|y_s - y_2s| 2^p / (2^p - 1)`` for a method of order ``p`` (Richardson), so the search costs
about four rollouts at the chosen substeps.

What remains - the reference's own scores at the chosen substeps - is the forecast's
*integration floor*: a difference between arms below it is "within the integration error", as
a one-step difference below the data's noise floor is "within the noise".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from torch import Tensor, nn

from physnet.data import TaskData
from physnet.study.arm_skill import Skill, forecast_skill, model_dtype, normaliser, rollout_members, skill_metrics
from systems.base import is_dissipative

#: Mean normalised error of the reference's rollout that the chosen substeps must stay under.
FLOOR_TARGET = 0.02
#: Substeps per sample tried, fewest first.
SUBSTEPS = (1, 2, 4, 8, 16, 32)
#: Order of each forecast-skill method (step doubling's error estimate).
ORDERS = {"rk4": 4, "implicit-midpoint": 2, "discrete-gradient": 2}
#: The scores an integration floor applies to (errors, lower is better).
FLOOR_SCORES = ("rollout_error", "error@0.1", "error@0.5", "error@1", "energy_drift")


def method_applies(method: str, field_model: object) -> bool:
    """Whether ``method`` can integrate ``field_model``: the discrete gradient needs an energy
    and a dissipation (a DHNN or a dissipative system), the others only a vector field."""
    if method == "discrete-gradient":
        return is_dissipative(field_model) and callable(getattr(field_model, "energy", None))
    return True


@dataclass(frozen=True)
class IntegrationFloor:
    """The substeps a study's forecasts take and what the integrator alone costs at them.

    Attributes:
        method: the integrator; substeps: integration steps per sample.
        reference: what was measured (``truth``, ``sindy`` or ``network``).
        floor: the reference's scores at ``substeps`` (``{score: value}``, errors only).
        tried: mean normalised error per substeps tried.
        reached: whether the floor's mean error is under :data:`FLOOR_TARGET`.
        given: substeps set by the caller (``--substeps``) rather than chosen.
    """

    method: str
    substeps: int
    reference: str
    floor: dict[str, float]
    tried: dict[int, float] = field(default_factory=dict)
    reached: bool = True
    given: bool = False

    def to_dict(self) -> dict:
        return {
            "method": self.method,
            "substeps": self.substeps,
            "reference": self.reference,
            "floor": self.floor,
            "target": FLOOR_TARGET,
            "tried": {str(k): v for k, v in self.tried.items()},
            "reached": self.reached,
            "given": self.given,
        }


def _floor_scores(skill: Skill) -> dict[str, float]:
    return {k: float(np.median(v)) for k, v in skill.metrics.items() if k in FLOOR_SCORES}


def integration_floor(
    data: TaskData,
    truth: tuple[Tensor, Tensor, Tensor],
    method: str,
    *,
    candidates: list[tuple[str, Callable[[], nn.Module]]],
    substeps: int | None = None,
) -> tuple[IntegrationFloor, Skill | None]:
    """Choose the substeps (or take ``substeps``) and measure the floor.

    Args:
        truth: :func:`~physnet.study.arm_skill.skill_truth`'s ``(y0, t, true orbits)``.
        candidates: reference fields in order of preference, ``[(name, build)]`` (``build()``
            makes a one-member field, called only when needed), used where the true system is
            not known or ``method`` does not apply to it: the first whose method applies and
            whose rollouts stay finite.

    Returns:
        the floor, and the true system's skill at the chosen substeps where it was the
        reference (the forecast table's ``truth`` row), else None.
    """
    given = substeps is not None
    trials = [substeps] if substeps is not None else list(SUBSTEPS)
    if data.system is not None and method_applies(method, data.system):
        tried: dict[int, float] = {}
        for s in trials:
            skill = forecast_skill(data.system, data, method, reference=truth, substeps=s)
            tried[s] = float(np.median(skill.metrics["rollout_error"]))
            if tried[s] < FLOOR_TARGET:
                break
        chosen = skill.substeps
        reached = tried[chosen] < FLOOR_TARGET
        return IntegrationFloor(method, chosen, "truth", _floor_scores(skill), tried, reached, given), skill
    for name, build in candidates:
        candidate = build()
        if method_applies(method, candidate):
            found = _step_doubling(data, truth, method, candidate, trials)
            if found is not None:
                chosen, scores, tried = found
                floor = IntegrationFloor(method, chosen, name, scores, tried, tried[chosen] < FLOOR_TARGET, given)
                return floor, None
    return IntegrationFloor(method, substeps or 1, "none", {}, reached=False, given=given), None


def _step_doubling(
    data: TaskData, truth: tuple[Tensor, Tensor, Tensor], method: str, field_model: nn.Module, trials: list[int]
) -> tuple[int, dict[str, float], dict[int, float]] | None:
    """The fewest substeps of ``trials`` whose estimated error (``|y_s - y_2s|`` scaled by
    Richardson's factor) is under the target, its estimated scores and every estimate; None
    where the field's rollouts leave the finite numbers."""
    y0, t, _ = truth
    dt = float(data.dt or 0.0)
    factor = 2 ** ORDERS[method] / (2 ** ORDERS[method] - 1)
    finer: dict[int, Tensor] = {}

    def rolled(s: int) -> Tensor:
        if s not in finer:
            finer[s] = rollout_members(field_model, y0.to(model_dtype(field_model)), len(t) - 1, dt, method, s)[0]
        return finer[s]

    tried: dict[int, float] = {}
    scores: dict[str, float] = {}
    for s in trials:
        coarse, fine = rolled(s), rolled(2 * s)
        if not (bool(coarse.isfinite().all()) and bool(fine.isfinite().all())):
            return None
        error = ((coarse.double() - fine.double()).norm(dim=-1) / normaliser(data)).unsqueeze(0).numpy()  # (1, N, T)
        scores = {
            k: factor * float(np.median(v))
            for k, v in skill_metrics(error, t.numpy(), None).items()
            if k in FLOOR_SCORES
        }
        tried[s] = scores["rollout_error"]
        if tried[s] < FLOOR_TARGET:
            return s, scores, tried
    return trials[-1], scores, tried


def truth_skill(data: TaskData, truth: tuple[Tensor, Tensor, Tensor], method: str, substeps: int) -> Skill | None:
    """The exact field's forecast skill (the ``truth`` row) with ``method`` where it applies to
    the system, else RK4; None where the system is not known."""
    if data.system is None:
        return None
    how = method if method_applies(method, data.system) else "rk4"
    return forecast_skill(data.system, data, how, reference=truth, substeps=substeps)


__all__ = [
    "ORDERS",
    "FLOOR_SCORES",
    "FLOOR_TARGET",
    "SUBSTEPS",
    "IntegrationFloor",
    "integration_floor",
    "method_applies",
    "truth_skill",
]
