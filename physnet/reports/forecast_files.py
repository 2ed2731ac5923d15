"""A study's forecast-skill files: ``forecast_skill.csv`` (every seed of every arm and of the
reference arms), ``forecast_rollouts.png``, ``forecast_error.png`` and, for a dissipative
study, ``dissipation.png``; from :func:`physnet.study.study_skill.study_forecast`'s result."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from physnet.io import write_atomically, write_figure
from physnet.plots.dissipation import plot_dissipation
from physnet.plots.forecast_skill import plot_skill_error, plot_skill_rollouts
from physnet.study.arm_skill import ERROR_CAP, VPT_THRESHOLD, Skill
from physnet.study.study_skill import StudyForecast


def write_forecast_skill(
    out: Path, forecast: StudyForecast, label: str, state_names: tuple[str, ...]
) -> list[tuple[str, str]]:
    """Every file of a study's forecast skill; returns the report's figures (caption, file)."""
    figures = write_skill(out, forecast.skills, label, state_names, forecast.references)
    if forecast.dissipation is not None:
        figures.append(write_dissipation(out, forecast.dissipation, label))
    return figures


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


def write_dissipation(out: Path, found: dict, label: str) -> tuple[str, str]:
    """``dissipation.png``: the learned energy along the forecast and the learned friction per
    arm (``found``: :func:`physnet.study.dissipation.study_dissipation`); its caption."""
    energy = found["energy"]
    friction = {arm: np.asarray(s["values"]) for arm, s in found["arms"].items()}
    write_figure(
        out / "dissipation.png",
        plot_dissipation(
            energy["t"], energy["truth"], energy["arms"], friction, found["true_damping"], title=f"{label}: energy"
        ),
    )
    medians = ", ".join(f"{arm} {s['median']:.3g}" for arm, s in found["arms"].items())
    truth = "" if found["true_damping"] is None else f" (true {found['true_damping']:g})"
    return (
        f"Learned energy along the forecast, and learned friction per arm: medians {medians}{truth}",
        "dissipation.png",
    )


__all__ = ["write_dissipation", "write_forecast_skill", "write_skill"]
