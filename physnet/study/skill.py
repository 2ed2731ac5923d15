"""Forecast skill of a whole study: every seed of every arm rolled out
(:mod:`physnet.study.forecast_skill`), the same statistics as the one-step metric
(per-arm summaries, the mix against every arm by the bootstrap interval of the difference of
medians), ``forecast_skill.csv`` and the figures of the median rollout across seeds."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
from torch import nn

from physnet.activations.frozen_function import use_compiled
from physnet.data import TaskData
from physnet.io import write_atomically, write_figure
from physnet.plots.dissipation import plot_dissipation
from physnet.plots.forecast_skill import plot_skill_error, plot_skill_rollouts
from physnet.study.dissipation import study_dissipation
from physnet.study.forecast_skill import (
    ERROR_CAP,
    HIGHER_IS_BETTER,
    VPT_THRESHOLD,
    Skill,
    forecast_skill,
    skill_method,
    skill_truth,
)
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
            skills[arm] = replace(skill, rollouts=skill.rollouts[order], error=skill.error[order], metrics=metrics)
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


def write_skill(
    out: Path,
    skills: dict[str, Skill],
    label: str,
    state_names: tuple[str, ...],
    references: dict[str, Skill] | None = None,
) -> list[tuple[str, str]]:
    """``forecast_skill.csv`` (arm, seed, every score; the reference arms' rows after the
    arms'), ``forecast_rollouts.png`` (first orbit, median across seeds and interquartile band
    per arm, sparse regression beside them) and ``forecast_error.png`` (with the exact field's
    error: the integration floor); the report's figures."""
    first = next(iter(skills.values()))
    names = list(first.metrics)
    everything = {**skills, **(references or {})}
    lines = [",".join(["arm", "seed", *names])]
    for arm, skill in everything.items():
        for seed in range(len(skill.error)):
            cells = (f"{skill.metrics[n][seed]:.8g}" if n in skill.metrics else "" for n in names)
            lines.append(",".join([arm, str(seed), *cells]))
    write_atomically(out / "forecast_skill.csv", lambda p: p.write_text("\n".join(lines) + "\n"))
    d = first.truth.shape[-1]
    state_names = tuple(state_names) or tuple(f"y{i}" for i in range(d))
    shown = {arm: s for arm, s in everything.items() if arm != "truth"}  # the truth is drawn already
    rollouts = {arm: s.rollouts[:, 0] for arm, s in shown.items()}
    how = f"{first.method}, {first.substeps} substep(s) per sample, {len(first.error)} seeds"
    write_figure(
        out / "forecast_rollouts.png",
        plot_skill_rollouts(first.t, first.truth[0], rollouts, state_names, title=f"{label}: first orbit ({how})"),
    )
    errors = {arm: s.error for arm, s in everything.items()}
    title = f"{label}: normalised error, {first.truth.shape[0]} orbits ({how})"
    write_figure(
        out / "forecast_error.png", plot_skill_error(first.t, errors, VPT_THRESHOLD, title=title, cap=ERROR_CAP)
    )
    return [
        ("Forecasts across seeds: median rollout and interquartile band per arm", "forecast_rollouts.png"),
        ("Forecast error against time (median over seeds; band: interquartile range)", "forecast_error.png"),
    ]


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
) -> tuple[dict | None, list[tuple[str, str]]]:
    """Forecast skill of a study folder's arms: the summary's ``forecast`` entry and the
    report's figures; ``(None, [])`` for a task without orbits (classification).

    The substeps per sample are ``substeps``, or chosen so that the integrator alone stays far
    below the validity threshold (:mod:`physnet.study.integration_floor`); the reference arms
    (``baselines``: ``truth`` where the system is known, ``sindy`` with its fitted ensemble)
    are rolled out the same way and scored beside the arms.
    """
    if data.dt is None:
        return None, []
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
    figures = write_skill(out, skills, label, data.state_names, found)
    summary = skill_summary(skills, time.perf_counter() - began, references=found, floor=floor)
    summary["reference_seconds"] = reference_seconds  # the substep search and the reference rollouts
    if model.startswith("dhnn"):
        summary["dissipation"], figure = write_dissipation(out, arms, data, skills, label)
        figures.append(figure)
    return summary, figures


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


def write_dissipation(
    out: Path, arms: list[str], data: TaskData, skills: dict[str, Skill], label: str
) -> tuple[dict, tuple[str, str]]:
    """``dissipation.png`` (learned energy along the forecast, learned friction per arm) and the
    summary's ``dissipation`` entry (per-arm summaries of the learned friction, the true one)."""
    found = study_dissipation(out, arms, data, skills)
    energy = found.pop("energy")
    friction = {arm: np.asarray(s["values"]) for arm, s in found["arms"].items()}
    write_figure(
        out / "dissipation.png",
        plot_dissipation(
            energy["t"], energy["truth"], energy["arms"], friction, found["true_damping"], title=f"{label}: energy"
        ),
    )
    medians = ", ".join(f"{arm} {s['median']:.3g}" for arm, s in found["arms"].items())
    truth = "" if found["true_damping"] is None else f" (true {found['true_damping']:g})"
    caption = f"Learned energy along the forecast, and learned friction per arm: medians {medians}{truth}"
    return found, (caption, "dissipation.png")


__all__ = ["arm_skills", "one_thread", "skill_summary", "study_forecast", "write_dissipation", "write_skill"]
