"""What a study of dissipative Hamiltonian networks learned about energy: each seed's mean
dissipation ``R`` over the validation states (against the system's friction, where known) and
its energy ``H`` along the forecasts (against the true energy)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from physnet.data import TaskData
from physnet.study.arm_skill import Skill
from physnet.study.model_store import load_arm
from physnet.study.statistics import summarize


def mean_dissipation(model: Any, states: torch.Tensor) -> np.ndarray:
    """Each member's friction rate over states ``(M, 2 n)`` -> ``(E,)``: the energy it removes
    per unit of ``|dH/dp|^2``, ``sum_i g_i^T R_i g_i / sum_i |g_i|^2`` with ``g = dH/dp`` (for a
    damped pendulum, ``gamma``). ``R`` is weighted where it acts: at rest (``dH/dp = 0``) it
    does nothing and the data say nothing about it."""
    e = int(getattr(model, "n_members", 1))
    x = states.to(next(model.parameters()).dtype)
    x = x.unsqueeze(0).expand(e, *x.shape).contiguous() if e > 1 else x
    with torch.enable_grad():
        y = x.detach().requires_grad_(True)
        (grad,) = torch.autograd.grad(model.energy(y).sum(), y)
    n = int(model.n_dof)
    g = grad[..., n:].detach()  # (E, M, n)
    with torch.no_grad():
        r = model.dissipation(x)  # (E, M, n, n)
    removed = (g.unsqueeze(-2) @ r @ g.unsqueeze(-1)).squeeze(-1).squeeze(-1)  # (E, M)
    rate = removed.sum(-1) / (g * g).sum((-1, -2)).clamp_min(torch.finfo(g.dtype).tiny)
    return rate.reshape(-1).double().cpu().numpy()


def energy_along(model: Any, rollouts: np.ndarray) -> np.ndarray:
    """The model's energy along its own rollouts ``(E, N, T, d)`` -> ``(E, N, T)``, shifted to the
    true energy's start where given later (``H`` is learned up to a constant); NaN where lost."""
    e = rollouts.shape[0]
    y = torch.as_tensor(rollouts, dtype=next(model.parameters()).dtype)
    flat = y.reshape(e, -1, y.shape[-1]) if e > 1 else y.reshape(-1, y.shape[-1])
    with torch.no_grad():
        h = model.energy(torch.nan_to_num(flat))
    h = h.reshape(rollouts.shape[:-1]).double().numpy()
    return np.where(np.isfinite(rollouts).all(-1), h, np.nan)


def true_damping(system: object) -> float | None:
    """The system's constant friction rate where it declares one (``damping``), else None."""
    value = getattr(system, "damping", None)
    return float(value) if isinstance(value, int | float) else None


def study_dissipation(out: Path, arms: list[str], data: TaskData, skills: dict[str, Skill]) -> dict:
    """The summary's ``dissipation`` entry: per arm the summaries of the seeds' mean ``R`` (and
    the mix's tests), the true friction where known, and per arm the energy along the first
    orbit's forecast ``{arm: (E, T)}`` (aligned at the start with the truth's) for the figure."""
    values, energies = {}, {}
    true_energy = None
    first = next(iter(skills.values()))
    if data.system is not None:
        true_energy = data.system.energy(torch.as_tensor(first.truth[0])).double().numpy()  # (T,)
    for arm in arms:
        net, arch = load_arm(out / "models" / f"{arm}.pt")
        order = np.argsort(np.asarray(arch["seeds"]))
        values[arm] = mean_dissipation(net, data.x_val)[order]
        along = energy_along(net, skills[arm].rollouts[:, :1])[:, 0]  # (E, T), members already in seed order
        start = true_energy[0] if true_energy is not None else 0.0
        energies[arm] = along - along[:, :1] + start
    arm_stats, tests = summarize(values)
    return {
        "arms": arm_stats,
        "tests": tests,
        "true_damping": true_damping(data.system),
        "meaning": "sum g^T R g / sum |g|^2 over the validation states, g = dH/dp: the learned friction rate",
        "energy": {"t": first.t, "truth": true_energy, "arms": energies},
    }


__all__ = ["energy_along", "mean_dissipation", "study_dissipation", "true_damping"]
