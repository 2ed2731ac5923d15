"""A study's trained arm as a forecaster for scripts: every seed that did not fail, rolled out
together from any states with the study's own forecast integrator, handed over as an ensemble
(every rollout) with its median and central bands.

``load_forecaster(study_dir, arm="mix")`` reads the stored networks (``models/ARM.pt``), the
seeds that failed (``runs.csv``) and the integrator and substeps the study's forecast skill
used (``summary.json``); ``predict(states, t)`` returns an :class:`EnsembleForecast` whose
rollouts equal the study's forecast-skill rollouts for the same seeds and method."""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from physnet.data import TaskData
from physnet.errors import UserError
from physnet.study.arm_skill import rollout_members, skill_method
from physnet.study.ensemble_bands import LEVELS, Bands, ensemble_bands
from physnet.study.folder import failed_seeds, read_runs, read_study_config
from physnet.study.model_store import load_arm, model_dtype
from physnet.study.study_skill import one_thread
from physnet.tasks.sources import task_for_study
from physnet.version import __version__


@dataclass(frozen=True)
class EnsembleForecast:
    """An ensemble's forecast from ``N`` states.

    Attributes:
        t: output times ``(T,)``.
        rollouts: every member's states ``(E, N, T, d)`` (NaN once a rollout is lost).
        seeds: the members' seeds ``(E,)``.
        bands: median ``(N, T, d)`` and central bands (:class:`~physnet.study.ensemble_bands.Bands`).
        state_names: the state's components.
    """

    t: np.ndarray
    rollouts: np.ndarray
    seeds: tuple[int, ...]
    bands: Bands
    state_names: tuple[str, ...]

    @property
    def median(self) -> np.ndarray:
        """The ensemble median ``(N, T, d)``."""
        return self.bands.median

    def band(self, level: float) -> tuple[np.ndarray, np.ndarray]:
        """The central ``level`` band's lower and upper edges, each ``(N, T, d)``."""
        if level not in self.bands.lower:
            raise UserError(
                f"no {level:g} band in this forecast; it has {', '.join(f'{v:g}' for v in self.bands.lower)}"
            )
        return self.bands.lower[level], self.bands.upper[level]


class Forecaster:
    """The networks of one arm of a study, ready to forecast from new states.

    Attributes:
        kind: the model kind (``nn``, ``hnn``, ``dhnn``, ...); method, substeps: the integrator
            and its steps per output interval (the study's forecast skill's by default);
        dtype: the networks' precision; seeds: the members forecasting; state_names: the
            state's components (``dim`` of them); settings: the study's ``config.json``
            settings; data: the study's data (its validation orbits, sampling interval and
            true system, where known).
    """

    def __init__(
        self,
        model: nn.Module,
        arch: dict,
        members: list[int],
        study: dict,
        *,
        method: str,
        substeps: int,
        data: TaskData | None = None,
    ) -> None:
        """Use :func:`load_forecaster`; ``members``: indices of the stored ensemble forecasting."""
        self.model = model
        self.arch = arch
        self.members = members
        self.settings = study
        self.kind = str(arch["kind"])
        self.method = method
        self.substeps = int(substeps)
        self.dtype = model_dtype(model)
        self.seeds = tuple(int(arch["seeds"][i]) for i in members)
        self.dim = int(arch["dim_in"])
        self.data = data
        names = tuple(data.state_names) if data is not None and data.state_names else ()
        self.state_names = names or tuple(getattr(model, "state_names", None) or (f"x{i}" for i in range(self.dim)))

    def __repr__(self) -> str:
        return (
            f"Forecaster({self.settings.get('task')!r} {self.kind}, {len(self.seeds)} seeds, "
            f"{self.method} x{self.substeps}, {str(self.dtype).replace('torch.', '')})"
        )

    def predict(
        self, states: Any, t: Any, *, levels: tuple[float, ...] = LEVELS, scale: float = 1.0
    ) -> EnsembleForecast:
        """Every member rolled out from ``states`` ``(N, d)`` (or one state ``(d,)``; numpy or
        torch) to the equally spaced times ``t`` ``(T,)`` (``t[0]``: the states' time), and the
        median and central ``levels`` bands (each band's half-width times ``scale``).

        Raises:
            UserError: states of the wrong dimension, not finite or none; times not increasing,
                not equally spaced or fewer than two.
        """
        y0 = self.as_states(states)
        times = _numbers(t, "times").reshape(-1)
        if times.size < 2 or not np.isfinite(times).all():
            raise UserError(f"give at least two finite output times (the states' time first), got {times.size}")
        step = np.diff(times)
        if not (step > 0).all():
            raise UserError("the output times must increase (a forecast's horizon is positive)")
        if np.abs(step - step[0]).max() > 1e-9 * max(1.0, abs(times[-1])):
            raise UserError("the output times must be equally spaced (one fixed step between outputs)")
        with one_thread():
            rolled = rollout_members(self.model, y0, len(times) - 1, float(step[0]), self.method, self.substeps)
        rollouts = rolled.double().cpu().numpy()[self.members]
        return EnsembleForecast(times, rollouts, self.seeds, ensemble_bands(rollouts, levels, scale), self.state_names)

    def as_states(self, states: Any) -> torch.Tensor:
        """``states`` as a ``(N, d)`` tensor of the networks' dtype, checked (see :meth:`predict`)."""
        y0 = torch.from_numpy(_numbers(states, "states")).to(self.dtype)
        if y0.ndim == 1:
            y0 = y0.unsqueeze(0)
        if y0.ndim != 2 or y0.shape[-1] != self.dim:
            raise UserError(
                f"states must be shaped (N, {self.dim}) - one column per component {', '.join(self.state_names)} - "
                f"got {tuple(y0.shape)}"
            )
        if len(y0) == 0:
            raise UserError("no states to forecast from")
        if not torch.isfinite(y0).all():
            raise UserError("the states must be finite (one holds NaN or infinity)")
        return y0


def _numbers(values: Any, what: str) -> np.ndarray:
    """``values`` (numpy, torch or nested lists) as a float64 array of its own."""
    try:
        if torch.is_tensor(values):
            return values.detach().cpu().double().numpy().copy()
        return np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise UserError(f"the {what} must be numbers (an array, a tensor or a list)") from None


def failure_counts(run_dir: Path, arm: str) -> str:
    """``stalled: 3, still-learning: 1``: how the arm's seeds failed (``runs.csv``)."""
    counts: dict[str, int] = {}
    for r in read_runs(run_dir / "runs.csv"):
        if r["arm"] == arm and r.get("failure"):
            counts[r["failure"]] = counts.get(r["failure"], 0) + 1
    return ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))


def study_integration(run_dir: Path, model: str) -> tuple[str, int]:
    """The integrator and substeps the study's forecast skill used (``summary.json``), else the
    model's default method (:func:`~physnet.study.arm_skill.skill_method`) and one substep."""
    path = run_dir / "summary.json"
    try:
        entry = json.loads(path.read_text()).get("forecast") or {}
    except (OSError, ValueError):
        entry = {}
    return str(entry.get("method") or skill_method(model)), int(entry.get("substeps") or 1)


def load_forecaster(
    study_dir: str | Path,
    arm: str = "mix",
    seeds: list[int] | tuple[int, ...] | None = None,
    *,
    method: str | None = None,
    substeps: int | None = None,
) -> Forecaster:
    """The stored networks of ``arm`` of the study in ``study_dir`` as a :class:`Forecaster`:
    ``seeds`` (default: every stored seed whose training did not fail), rolled out with
    ``method`` and ``substeps`` (default: the study's forecast skill's).

    Warns (RuntimeWarning) where every stored seed failed to train, and forecasts with all of them.

    Raises:
        UserError: not a study folder; an arm it does not have; its stored networks missing or
            unreadable (say which file and what to do); a seed the arm does not store;
            ``substeps`` below 1.
    """
    run_dir = Path(study_dir)
    try:
        study = read_study_config(run_dir)
    except FileNotFoundError as err:
        raise UserError(str(err)) from None
    arms = list(study.get("arms") or [])
    if arm not in arms:
        raise UserError(f"arm {arm!r}: this study has no such arm; its arms are {', '.join(arms)}")
    try:
        model, arch = load_arm(run_dir / "models" / f"{arm}.pt")
    except FileNotFoundError:
        raise UserError(
            f"{run_dir}/models/{arm}.pt is missing: the study's stored networks are gone; rerun the `physnet compare` "
            "that made it (it resumes and stores them)"
        ) from None
    _check_version(run_dir, arch, arm)
    stored = [int(s) for s in arch["seeds"]]
    failed = failed_seeds(run_dir, arm)
    if seeds is None:
        chosen = [s for s in sorted(stored) if s not in failed]
        if not chosen:  # said, not refused: a first look at a short study still gets its forecast
            chosen = sorted(stored)
            warnings.warn(
                f"every stored seed of arm {arm!r} failed to train ({failure_counts(run_dir, arm)}); forecasting "
                f"with all {len(chosen)} anyway - train longer for a forecast to trust",
                RuntimeWarning,
                stacklevel=2,
            )
    else:
        chosen = [int(s) for s in seeds]
        absent = [s for s in chosen if s not in stored]
        if absent:
            raise UserError(
                f"seed {absent[0]} is not stored for arm {arm!r}; stored seeds {min(stored)}-{max(stored)}"
                + (f" (failed: {', '.join(map(str, sorted(failed)))})" if failed else "")
            )
    default_method, default_substeps = study_integration(run_dir, str(arch["kind"]))
    chosen_substeps = default_substeps if substeps is None else substeps
    if isinstance(chosen_substeps, bool) or int(chosen_substeps) != chosen_substeps or chosen_substeps < 1:
        raise UserError(f"--substeps must be a whole number >= 1, got {chosen_substeps}")
    members = [stored.index(s) for s in chosen]
    data = (
        task_for_study(study)
        .load(seed=study.get("data_seed", 0), small=study.get("small", False), data=study.get("data"))
        .to("cpu", model_dtype(model))
    )
    return Forecaster(
        model, arch, members, study, method=method or default_method, substeps=int(chosen_substeps), data=data
    )


def _check_version(run_dir: Path, arch: dict, arm: str) -> None:
    """Refuse networks stored by another physnet version, saying which (files from before
    physnet recorded its version load as they are)."""
    stored = arch.get("physnet_version")
    if stored is not None and str(stored).split(".")[:2] != __version__.split(".")[:2]:
        raise UserError(
            f"{run_dir}/models/{arm}.pt was written by physnet {stored}, this is physnet {__version__}: "
            f"rerun the study with this version (or forecast with physnet {stored})"
        )


__all__ = ["EnsembleForecast", "Forecaster", "load_forecaster", "study_integration"]
