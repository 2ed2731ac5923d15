"""The targets' noise floor: recovered on series with planted noise, carried into the data."""

from __future__ import annotations

import numpy as np
import pytest

from physnet.tasks.from_series import series_task
from physnet.tasks.noise_floor import KNOWN_METHOD, SAVGOL_METHOD, known_noise_floor, savgol_noise_floor
from physnet.tasks.series_derivatives import savgol_derivatives


def _pendulum_like(rate: float, sigma: float, seconds: float = 40.0, seed: int = 0):
    t = np.arange(0.0, seconds, 1.0 / rate)
    w = 1.3
    exact = np.stack([0.8 * np.sin(w * t), 0.8 * w * np.cos(w * t)], axis=1)
    slope = np.stack([0.8 * w * np.cos(w * t), -0.8 * w * w * np.sin(w * t)], axis=1)
    noisy = exact + sigma * np.random.default_rng(seed).standard_normal(exact.shape)
    return t, noisy, slope


@pytest.mark.parametrize("rate", [100.0, 50.0])
@pytest.mark.parametrize("sigma", [0.003, 0.02])
def test_planted_noise_is_recovered_within_20_percent(rate, sigma):
    t, noisy, slope = _pendulum_like(rate, sigma)
    whole = [slice(0, len(t))]
    floor = savgol_noise_floor(t, noisy, whole, window=11, order=3)
    assert floor.method == SAVGOL_METHOD
    assert np.asarray(floor.state_sigma) == pytest.approx([sigma, sigma], rel=0.2)
    # the floor is the MSE the exact derivatives score against the estimated targets
    targets = savgol_derivatives(t, noisy, whole, window=11, order=3)
    achieved = float(np.mean((targets - slope)[5:-5] ** 2))
    assert floor.mse == pytest.approx(achieved, rel=0.2)


def test_groups_are_pooled_and_their_ends_left_out():
    t, noisy, _ = _pendulum_like(100.0, 0.01, seconds=6.0)
    n = len(t) // 3
    slices = [slice(0, n), slice(n, 2 * n), slice(2 * n, 3 * n)]
    t_groups = np.concatenate([t[:n]] * 3)  # each group restarts its clock
    floor = savgol_noise_floor(t_groups, noisy[: 3 * n], slices, window=11, order=3)
    assert np.asarray(floor.state_sigma) == pytest.approx([0.01, 0.01], rel=0.2)
    with pytest.raises(ValueError, match="no group has more than 11 samples"):
        savgol_noise_floor(t[:8], noisy[:8], [slice(0, 8)], window=11, order=3)


def test_known_floor_of_simulated_noise():
    assert known_noise_floor(0.1, 2, on_targets=True).mse == pytest.approx(0.01)
    states_only = known_noise_floor(0.1, 2, on_targets=False)
    assert states_only.mse == 0.0 and states_only.method == KNOWN_METHOD


def test_a_series_task_carries_its_floor(tmp_path):
    t, noisy, slope = _pendulum_like(100.0, 0.01)
    lines = ["t,q,p"] + [f"{a:.6f},{b:.10g},{c:.10g}" for a, b, c in zip(t, noisy[:, 0], noisy[:, 1], strict=True)]
    (tmp_path / "s.csv").write_text("\n".join(lines) + "\n")
    data = series_task(tmp_path / "s.csv").load()
    assert data.noise_floor is not None and data.noise_floor.mse > 0
    val = data.y_val.double().numpy()
    achieved = float(np.mean((val - slope[-len(val) :]) ** 2))
    assert data.noise_floor.mse == pytest.approx(achieved, rel=0.25)
    given = ["t,q,p,dq,dp"] + [
        f"{a:.6f},{b:.10g},{c:.10g},{d:.10g},{e:.10g}" for a, b, c, d, e in zip(t, *noisy.T, *slope.T, strict=True)
    ]
    (tmp_path / "given.csv").write_text("\n".join(given) + "\n")
    assert series_task(tmp_path / "given.csv", derivatives=["dq", "dp"]).load().noise_floor is None
