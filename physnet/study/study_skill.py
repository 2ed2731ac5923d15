"""Forecast skill of a whole study: every seed of every arm rolled out
(:mod:`physnet.study.arm_skill`), the same statistics as the one-step metric
(per-arm summaries, the mix against every arm by the bootstrap interval of the difference of
medians); its files are :mod:`physnet.reports.forecast_files`'s."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch
from torch import nn

from physnet.activations.frozen_function import use_compiled
from physnet.data import TaskData
from physnet.study.arm_skill import (
    ERROR_CAP,
    HIGHER_IS_BETTER,
    VPT_THRESHOLD,
    Skill,
    forecast_skill,
    skill_method,
    skill_truth,
)
from physnet.study.calibration import calibration
from physnet.study.dissipation import study_dissipation
from physnet.study.folder import failed_seeds
from physnet.study.integration_floor import IntegrationFloor, integration_floor, method_applies, truth_skill
from physnet.study.model_store import load_arm, member_network
from physnet.study.references import SindyArm, worth_it
from physnet.study.statistics import arm_summary, summarize
from physnet.study.verdict import within_floor

#: The forecast score the verdicts state (:data:`physnet.reports.forecast_report.PRIMARY`).
PRIMARY_SCORE = "rollout_error"


@contextmanager
def one_thread() -> Iterator[None]:
    """Rollouts step small matrices: one intra-op thread is several times faster than two
    (measured: an HNN ensemble's vector field 50 ms with two threads, 5 ms with one), and
    frozen types in plain code (compiling their kernels for the rollout's shapes costs seconds
    that a few hundred small steps never repay)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with use_compiled(False):
            yield
    finally:
        torch.set_num_threads(before)


@dataclass(frozen=True)
class StudyForecast:
    """A study's forecast skill: the summary's ``forecast`` entry, every arm's and reference
    arm's rollouts (:class:`Skill`), and a dissipative study's learned energy and friction
    (:func:`physnet.study.dissipation.study_dissipation`, with its ``energy`` curves), else None."""

    summary: dict
    skills: dict[str, Skill]
    references: dict[str, Skill]
    dissipation: dict | None = None


def arm_skills(
    out: Path,
    arms: list[str],
    data: TaskData,
    model: str,
    *,
    n_orbits: int | None = None,
    substeps: int = 1,
    truth: tuple | None = None,
) -> dict[str, Skill]:
    """Every arm's stored ensemble (``out/models/<arm>.pt``) rolled out with ``substeps``
    integration steps per sample; members ordered by seed (0..n-1, as the one-step values)."""
    method = skill_method(model)
    skills = {}
    truth = truth if truth is not None else skill_truth(data, n_orbits)
    with one_thread():
        for arm in arms:
            net, arch = load_arm(out / "models" / f"{arm}.pt")
            skill = forecast_skill(net, data, method, reference=truth, substeps=substeps)
            order = np.argsort(np.asarray(arch["seeds"]))
            metrics = {name: values[order] for name, values in skill.metrics.items()}
            seeds = tuple(int(s) for s in np.asarray(arch["seeds"])[order])
            skills[arm] = replace(
                skill, rollouts=skill.rollouts[order], error=skill.error[order], metrics=metrics, seeds=seeds
            )
    return skills


def skill_summary(
    skills: dict[str, Skill],
    seconds: float = 0.0,
    *,
    references: dict[str, Skill] | None = None,
    floor: IntegrationFloor | None = None,
) -> dict:
    """The ``forecast`` entry of ``summary.json``: how the rollouts were made (method, substeps,
    the integration floor), per metric the per-arm summaries and the mix's tests (as the
    one-step metric's; a difference below the floor is ``within_integration``), the reference
    arms' scores, and the best network arm against sparse regression (``worth_it``)."""
    first = next(iter(skills.values()))
    names = list(first.metrics)
    bounds = floor.floor if floor is not None else {}
    metrics = {}
    for name in names:
        arms, tests = summarize({arm: s.metrics[name] for arm, s in skills.items()})
        if name in bounds:
            for test in tests.values():
                lo, hi = test["median_diff_ci"]
                test["within_integration"] = within_floor(lo, hi, bounds[name])
        metrics[name] = {"higher_is_better": HIGHER_IS_BETTER.get(name, False), "arms": arms, "tests": tests}
    out = {
        "method": first.method,
        "substeps": first.substeps,
        "orbits": int(first.truth.shape[0]),
        "steps": int(len(first.t) - 1),
        "horizon": float(first.t[-1]),
        "threshold": VPT_THRESHOLD,
        "error_cap": ERROR_CAP,
        "normaliser": first.scale,
        "lyapunov_time": first.lyapunov_time,
        "seconds": seconds,
        "metrics": metrics,
        "integration": None if floor is None else floor.to_dict(),
        "references": {
            name: {"method": s.method, "metrics": {k: arm_summary(v) for k, v in s.metrics.items()}}
            for name, s in (references or {}).items()
        },
    }
    sindy = (references or {}).get("sindy")
    if sindy is not None:
        versus = worth_it({arm: s.metrics[PRIMARY_SCORE] for arm, s in skills.items()}, sindy.metrics[PRIMARY_SCORE])
        if versus is not None and PRIMARY_SCORE in bounds:
            e = versus["effect"]
            e["within_integration"] = within_floor(e["lo"], e["hi"], bounds[PRIMARY_SCORE])
        out["worth_it"] = versus
    return out


def study_forecast(
    out: Path,
    arms: list[str],
    data: TaskData,
    model: str,
    label: str,
    *,
    n_orbits: int | None = None,
    substeps: int | None = None,
    baselines: tuple[str, ...] = (),
    sindy: SindyArm | None = None,
) -> StudyForecast | None:
    """Forecast skill of a study folder's arms (their stored networks): the summary's
    ``forecast`` entry with every rollout behind it (:class:`StudyForecast`; the files are
    :func:`physnet.reports.forecast_files.write_forecast_skill`'s), or None for a task without
    orbits (classification).

    The substeps per sample are ``substeps``, or chosen so that the integrator alone stays far
    below the validity threshold (:mod:`physnet.study.integration_floor`); the reference arms
    (``baselines``: ``truth`` where the system is known, ``sindy`` with its fitted ensemble)
    are rolled out the same way and scored beside the arms.
    """
    if data.dt is None:
        return None
    began = time.perf_counter()
    method = skill_method(model)
    truth = skill_truth(data, n_orbits)
    searched = time.perf_counter()
    with one_thread():
        floor, exact = integration_floor(
            data, truth, method, candidates=_floor_candidates(out, arms, sindy), substeps=substeps
        )
    reference_seconds = time.perf_counter() - searched
    skills = arm_skills(out, arms, data, model, substeps=floor.substeps, truth=truth)
    references: dict[str, Skill | None] = {}
    resumed = time.perf_counter()
    with one_thread():
        if "truth" in baselines and data.system is not None:
            references["truth"] = exact if exact is not None else truth_skill(data, truth, method, floor.substeps)
        if "sindy" in baselines and sindy is not None:
            how = method if method_applies(method, sindy.ensemble) else "rk4"
            references["sindy"] = forecast_skill(sindy.ensemble, data, how, reference=truth, substeps=floor.substeps)
    found = {k: v for k, v in references.items() if v is not None}
    reference_seconds += time.perf_counter() - resumed
    summary = skill_summary(skills, time.perf_counter() - began, references=found, floor=floor)
    summary["reference_seconds"] = reference_seconds  # the substep search and the reference rollouts
    summary["calibration"] = ensemble_calibration(out, skills)
    dissipation = study_dissipation(out, arms, data, skills) if model.startswith("dhnn") else None
    if dissipation is not None:
        summary["dissipation"] = {k: v for k, v in dissipation.items() if k != "energy"}
    return StudyForecast(summary, skills, found, dissipation)


def ensemble_calibration(out: Path, skills: dict[str, Skill]) -> dict[str, dict]:
    """Each arm's seeds that did not fail read as one ensemble forecast, and its calibration
    on the validation orbits (:func:`physnet.study.calibration.calibration`)."""
    records = {}
    for arm, skill in skills.items():
        failed = failed_seeds(out, arm)
        keep = [i for i, seed in enumerate(skill.seeds) if seed not in failed] or list(range(len(skill.rollouts)))
        records[arm] = calibration(skill.rollouts[keep], skill.truth, skill.scale)
    return records


def _floor_candidates(out: Path, arms: list[str], sindy: SindyArm | None) -> list[tuple[str, Callable[[], nn.Module]]]:
    """References for the integration floor where the system is not known, built when asked
    for: the sparse fit on every training pair, then the first arm's first network."""

    def network() -> nn.Module:
        net, arch = load_arm(out / "models" / f"{arms[0]}.pt")
        return member_network(net, arch, 0)

    found: list[tuple[str, Callable[[], nn.Module]]] = []
    if sindy is not None and np.isfinite(sindy.full).all():
        found.append(("sindy", sindy.full_field))
    if arms:
        found.append(("network", network))
    return found


__all__ = ["StudyForecast", "arm_skills", "one_thread", "skill_summary", "study_forecast"]
