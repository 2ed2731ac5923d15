"""Forecast skill against closed forms: a rotation forecast by a rotation of the wrong
frequency has error ``2 r |sin(eps t / 2)|``, so its valid prediction time is known exactly."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from physnet.data import TaskData
from physnet.study.arm_skill import (
    ERROR_CAP,
    VPT_THRESHOLD,
    forecast_skill,
    normaliser,
    rollout_members,
)
from systems.spring import MassSpring


class Rotation(nn.Module):
    """``dq/dt = w p, dp/dt = -w q`` with one frequency ``w`` per member (an ensemble of
    ``E`` members takes states ``(E, N, 2)``), optionally damped: ``dp/dt -= g p``."""

    def __init__(self, frequencies: list[float], damping: float = 0.0) -> None:
        super().__init__()
        self.w = nn.Parameter(torch.tensor(frequencies, dtype=torch.float64), requires_grad=False)
        self.damping = damping

    @property
    def n_members(self) -> int:
        return len(self.w)

    def vector_field(self, t, y):
        w = self.w.view(-1, 1) if self.n_members > 1 else self.w
        q, p = y[..., 0], y[..., 1]
        return torch.stack([w * p, -w * q - self.damping * p], dim=-1)


def _closed_form(y0: torch.Tensor, t: torch.Tensor, w: float = 1.0) -> torch.Tensor:
    """The rotation's flow from ``y0`` ``(N, 2)`` at times ``t`` ``(T,)``: ``(N, T, 2)``."""
    c, s = torch.cos(w * t), torch.sin(w * t)
    q0, p0 = y0[:, :1], y0[:, 1:]
    return torch.stack([q0 * c + p0 * s, p0 * c - q0 * s], dim=-1)


def _data(radii: list[float], dt: float, steps: int, system=None) -> TaskData:
    """Validation records: one orbit per radius, starting on the q axis."""
    y0 = torch.tensor([[r, 0.0] for r in radii], dtype=torch.float64)
    t = torch.arange(steps + 1, dtype=torch.float64) * dt
    orbits = _closed_form(y0, t)
    x_val = orbits.reshape(-1, 2)
    val_orbit = torch.arange(len(radii)).repeat_interleave(steps + 1)
    return TaskData(x_val, x_val, x_val, x_val, state_names=("q", "p"), val_orbit=val_orbit, dt=dt, system=system)


def _expected_vpt(eps: float, r: float, scale: float, dt: float, steps: int) -> float:
    """First grid time where ``2 r |sin(eps t / 2)| / scale`` exceeds the threshold."""
    t = np.arange(steps + 1) * dt
    over = 2 * r * np.abs(np.sin(eps * t / 2)) / scale > VPT_THRESHOLD
    return float(t[np.argmax(over)]) if over.any() else float(t[-1])


@pytest.mark.parametrize("with_system", [False, True])
def test_valid_prediction_time_of_a_rotation_at_the_wrong_frequency(with_system):
    dt, steps, radius = 0.05, 400, 1.0
    data = _data([radius, radius], dt, steps, MassSpring() if with_system else None)
    eps = [0.0, 0.02, 0.05, 0.1]
    skill = forecast_skill(Rotation([1 + e for e in eps]), data, "rk4")
    scale = normaliser(data)
    assert scale == pytest.approx(radius, rel=1e-2)  # states near the unit circle, mean near 0
    t = skill.t
    for m, e in enumerate(eps):
        exact = 2 * radius * np.abs(np.sin(e * t / 2)) / scale
        np.testing.assert_allclose(skill.error[m, 0], exact, atol=5e-6)  # RK4 at h = 0.05: phase error ~ n h^5 / 120
        assert skill.metrics["vpt"][m] == pytest.approx(_expected_vpt(e, radius, scale, dt, steps))
        assert skill.metrics["error@1"][m] == pytest.approx(exact[-1], abs=5e-6)
        assert skill.metrics["rollout_error"][m] == pytest.approx(exact.mean(), abs=5e-6)
    assert skill.metrics["vpt"][0] == t[-1]  # the exact model never leaves the threshold
    assert skill.metrics["vpt"][3] < skill.metrics["vpt"][2] < skill.metrics["vpt"][1]
    if with_system:  # the spring's energy: a rotation at any frequency keeps it
        assert np.all(skill.metrics["energy_drift"] < 1e-6)
    else:
        assert "energy_drift" not in skill.metrics


def test_implicit_midpoint_keeps_the_circle_with_its_known_phase_lag():
    # implicit midpoint on a rotation is the Cayley map: a turn of 2 atan(h / 2) per step
    dt, steps = 0.1, 200
    data = _data([1.0], dt, steps, MassSpring())
    skill = forecast_skill(Rotation([1.0]), data, "implicit-midpoint")
    n = np.arange(steps + 1)
    lag = n * (2 * math.atan(dt / 2) - dt)
    np.testing.assert_allclose(skill.error[0, 0], 2 * np.abs(np.sin(lag / 2)) / normaliser(data), atol=1e-9)
    assert skill.metrics["energy_drift"][0] < 1e-9  # quadratic invariant kept to rounding


def test_energy_drift_of_a_damped_model():
    dt, steps, gamma = 0.05, 200, 0.1
    data = _data([1.0], dt, steps, MassSpring())
    skill = forecast_skill(Rotation([1.0], damping=gamma), data, "rk4")
    # lightly damped oscillator: energy ~ exp(-gamma t) on average; after t = 10 about 63 % lost
    assert skill.metrics["energy_drift"][0] == pytest.approx(1 - math.exp(-gamma * dt * steps), abs=0.05)


def test_a_lost_rollout_counts_at_the_cap_and_does_not_stop_the_others():
    class Blowup(Rotation):
        def vector_field(self, t, y):
            out = super().vector_field(t, y)
            return torch.cat([out[:1], out[1:] * 0 + y[1:] ** 3], dim=0)  # member 1: dy/dt = y^3

    dt, steps = 0.05, 100
    data = _data([1.0], dt, steps)
    skill = forecast_skill(Blowup([1.0, 1.0]), data, "rk4")
    assert np.isnan(skill.rollouts[1, 0, -1]).all() and np.isfinite(skill.rollouts[0]).all()
    assert skill.error[1, 0, -1] == ERROR_CAP and skill.error[0, 0, -1] < 1e-6
    assert skill.metrics["vpt"][1] < 1.0 and skill.metrics["vpt"][0] == skill.t[-1]


def test_rollout_members_single_and_ensemble_agree():
    y0 = torch.tensor([[1.0, 0.0], [0.0, 0.5]], dtype=torch.float64)
    both = rollout_members(Rotation([1.0, 2.0]), y0, 20, 0.1, "rk4")
    alone = rollout_members(Rotation([2.0]), y0, 20, 0.1, "rk4")
    assert both.shape == (2, 2, 21, 2) and alone.shape == (1, 2, 21, 2)
    torch.testing.assert_close(both[1], alone[0])
    with pytest.raises(ValueError, match="rk4, implicit-midpoint, discrete-gradient, not 'euler'"):
        rollout_members(Rotation([1.0]), y0, 2, 0.1, "euler")
