"""The pendulum-clock model and the shipped real clock data."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from systems import PendulumClock, estimate_period, generate_orbits, load_pendulum_series, time_grid


@pytest.fixture(scope="module")
def real_clock():
    return load_pendulum_series()


def test_shipped_clock_data_loads_with_published_split(real_clock):
    assert len(real_clock) == 2986
    assert real_clock.states.shape == (2986, 2) and real_clock.derivatives.shape == (2986, 2)
    train, val = real_clock.split()
    assert (len(train), len(val)) == (2388, 598)
    assert train.t[-1] < val.t[0]  # time order, no overlap
    np.testing.assert_array_equal(np.concatenate([train.theta, val.theta]), real_clock.theta)
    assert np.abs(real_clock.theta).max() < 0.11 and np.abs(real_clock.theta_dot).max() < 0.32


@pytest.mark.slow
def test_clock_model_settles_to_one_limit_cycle_like_the_real_clock(real_clock):
    clock = PendulumClock()
    y0 = torch.tensor([[0.005, 0.0], [0.2, 0.0], [0.0, -0.6]], dtype=torch.float64)
    orbits = generate_orbits(clock, y0, time_grid(200.0, 0.02), rtol=1e-9, atol=1e-11)
    late = orbits.states[:, -500:]
    amplitudes = late[..., 0].abs().max(dim=1).values
    # same cycle from inside and outside
    assert float(amplitudes.max() - amplitudes.min()) < 2e-3
    assert float(amplitudes.mean()) == pytest.approx(clock.predicted_amplitude(), rel=0.05)
    real_amplitude = np.abs(real_clock.theta).max()
    assert float(amplitudes.mean()) == pytest.approx(real_amplitude, rel=0.15)
    model_period = estimate_period(orbits.t.numpy(), orbits.states[0, :, 0].numpy(), last=5)
    assert model_period == pytest.approx(estimate_period(real_clock.t, real_clock.theta, last=20), rel=0.02)
    # near-elliptical: theta_dot amplitude ~ omega * theta amplitude
    omega = 2 * np.pi / model_period
    vel_amplitude = float(late[0, :, 1].abs().max())
    assert vel_amplitude == pytest.approx(omega * float(amplitudes[0]), rel=0.1)


def test_loader_reads_any_series_csv(tmp_path):
    path = tmp_path / "s.csv"
    t = np.linspace(0, 1, 20)
    np.savetxt(
        path,
        np.stack([t, np.sin(t), np.cos(t), -np.sin(t)], 1),
        delimiter=",",
        header="t,theta,theta_dot,theta_ddot",
        comments="",
    )
    s = load_pendulum_series(path)
    np.testing.assert_allclose(s.theta_dot, np.cos(t))


@pytest.mark.parametrize(
    "content, message",
    [
        ("a,b,c,d\n1,2,3,4\n", "header"),
        ("t,theta,theta_dot,theta_ddot\n" + "0,1,2,x\n" * 12, "parse"),
        ("t,theta,theta_dot,theta_ddot\n" + "".join(f"{i},nan,0,0\n" for i in range(12)), "NaN"),
        ("t,theta,theta_dot,theta_ddot\n" + "".join(f"{12 - i},0,0,0\n" for i in range(12)), "increasing"),
        ("t,theta,theta_dot,theta_ddot\n0,0,0,0\n", "rows"),
    ],
)
def test_loader_rejects_corrupt_files_with_one_line(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(ValueError, match=message) as info:
        load_pendulum_series(path)
    assert "\n" not in str(info.value)


def test_loader_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="not found"):
        load_pendulum_series(tmp_path / "nope.csv")
