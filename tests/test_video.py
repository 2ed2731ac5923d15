"""Video: rendered footage with known angles tracked back to theta within 0.01 rad RMS and
the period within 0.5 %, in both modes; gaps, uneven times, positions files, bad input."""

from __future__ import annotations

import numpy as np
import pytest

import video
from video.angles import fill_gaps, fit_circle
from video.derivatives import resample_evenly, savgol_derivatives

FPS = 30.0
PERIOD = 2.0


def swing(n: int = 200, amplitude: float = 0.1, decay: float = 0.0) -> np.ndarray:
    t = np.arange(n) / FPS
    return amplitude * np.exp(-decay * t) * np.sin(2 * np.pi * t / PERIOD + 0.3)


def rms_error(ps: video.PhaseSpace, truth: np.ndarray, skip: int = 12) -> float:
    """RMS difference after removing each series' median (the tracker measures theta from
    its equilibrium); the Savitzky-Golay edges (half a window) are left out."""
    a = ps.theta - np.median(ps.theta)
    b = truth[: len(a)] - np.median(truth[: len(a)])
    return float(np.sqrt(np.mean((a - b)[skip:-skip] ** 2)))


SCENES = {
    "plain": video.Scene(size=(480, 360), mark_distances=(90.0, 250.0)),
    "cluttered": video.Scene(
        size=(480, 360),
        mark_distances=(90.0, 250.0),
        background="cluttered",
        noise_std=8.0,
        blur_sigma=1.2,
        motion_blur=True,
        rotation=6.0,
        seed=3,
    ),
}


@pytest.mark.parametrize("scene", SCENES)
@pytest.mark.parametrize("suffix", [".mp4", ".avi"])
def test_two_mark_tracking_recovers_the_angle(tmp_path, scene, suffix):
    theta = swing()
    path = video.render_pendulum(tmp_path / f"clock{suffix}", theta, FPS, SCENES[scene])
    tracks = video.track_video(path, [video.parse_mark("red"), video.parse_mark("blue")])
    assert len(tracks.t) == len(theta)
    np.testing.assert_allclose(np.diff(tracks.t), 1 / FPS, rtol=1e-3)  # container timestamps
    ps = video.phase_space(tracks)
    assert rms_error(ps, theta) < 0.01
    assert ps.period == pytest.approx(PERIOD, rel=0.005)
    assert ps.amplitude == pytest.approx(0.1, rel=0.1)


@pytest.mark.parametrize("pivot", ["auto", "given"])
def test_pivot_mode_recovers_the_angle_with_the_pivot_out_of_frame(tmp_path, pivot):
    theta = swing(amplitude=0.45)
    scene = video.Scene(
        kind="bob",
        size=(480, 360),
        pivot=(240.0, -80.0),
        marks=("red",),
        mark_distances=(330.0,),
        background="textured",
        noise_std=5.0,
        seed=1,
    )
    path = video.render_pendulum(tmp_path / "bob.mp4", theta, FPS, scene)
    tracks = video.track_video(path, [video.parse_mark("red")])
    config = video.PhaseSpaceConfig(mode="pivot", pivot="auto" if pivot == "auto" else (240.0, -80.0))
    ps = video.phase_space(tracks, config)
    assert rms_error(ps, theta) < 0.01
    assert ps.period == pytest.approx(PERIOD, rel=0.005)
    assert np.hypot(ps.pivot[0] - 240.0, ps.pivot[1] + 80.0) < 5.0


def test_gaps_are_recorded_filled_and_counted(tmp_path):
    theta = swing()
    hidden = (30, 31, 32, 90, 150, 151)
    path = video.render_pendulum(
        tmp_path / "gaps.mp4", theta, FPS, video.Scene(size=(480, 360), mark_distances=(90.0, 250.0), hidden=hidden)
    )
    tracks = video.track_video(path, [video.parse_mark("red"), video.parse_mark("blue")])
    missing = np.nonzero(~np.isfinite(tracks.positions["red"]).all(1))[0]
    assert tuple(missing) == hidden  # gaps, not guesses
    ps = video.phase_space(tracks)
    assert ps.n_filled == len(hidden) and any("filled 6" in n for n in ps.notes)
    assert rms_error(ps, theta) < 0.01


def test_uneven_frame_times_are_resampled():
    rng = np.random.default_rng(0)
    t = np.cumsum(rng.uniform(0.02, 0.047, 300))
    truth = 0.1 * np.sin(2 * np.pi * t / PERIOD)
    top = np.column_stack([np.full_like(t, 200.0), np.full_like(t, 50.0)])
    bottom = top + 200 * np.column_stack([np.sin(truth), np.cos(truth)])
    ps = video.phase_space(video.Tracks(t, {"red": top, "blue": bottom}), video.PhaseSpaceConfig(zero="none"))
    assert ps.resampled and any("resampled" in n for n in ps.notes)
    assert np.allclose(np.diff(ps.t), np.median(np.diff(t)))
    expected = 0.1 * np.sin(2 * np.pi * ps.t / PERIOD)
    assert np.sqrt(np.mean((ps.theta - expected)[15:-15] ** 2)) < 1e-3
    omega = 2 * np.pi / PERIOD
    np.testing.assert_allclose(ps.theta_dot[15:-15], 0.1 * omega * np.cos(omega * ps.t[15:-15]), atol=5e-3)


def test_savgol_derivatives_of_a_sine():
    dt = 1 / 30
    t = np.arange(600) * dt
    theta, vel, acc = savgol_derivatives(np.sin(t), dt, window=23, order=3)
    inner = slice(20, -20)
    assert np.abs(vel[inner] - np.cos(t[inner])).max() < 1e-3
    assert np.abs(acc[inner] + np.sin(t[inner])).max() < 2e-2  # order-3 fit over 0.73 s: ~1 % bias
    with pytest.raises(ValueError, match="odd"):
        savgol_derivatives(np.sin(t), dt, window=22)


def test_fit_circle_and_fill_gaps_exact():
    a = np.linspace(-0.6, 0.6, 50)
    pts = np.column_stack([10 + 300 * np.sin(a), -40 + 300 * np.cos(a)])
    cx, cy, r = fit_circle(pts)
    assert (cx, cy, r) == pytest.approx((10, -40, 300), abs=1e-6)
    t = np.linspace(0, 1, 50)
    y = np.sin(3 * t)
    holes = y.copy()
    holes[[10, 11, 30]] = np.nan
    filled, n, left = fill_gaps(t, holes, 3)
    assert (n, left) == (3, 0) and np.abs(filled - y).max() < 1e-4
    t2, y2 = resample_evenly(np.array([0, 0.1, 0.25, 0.3, 0.4]), np.array([0, 1, 2, 3, 4.0]))
    assert np.allclose(np.diff(t2), 0.1)


def test_tracks_file_round_trip_and_frame_column(tmp_path):
    tracks = video.Tracks(np.arange(5) / 30, {"red": np.array([[1, 2], [np.nan, np.nan], [3, 4], [5, 6], [7, 8.0]])})
    path = tmp_path / "tracks.csv"
    video.write_tracks_csv(path, tracks)
    assert path.read_text().splitlines()[:3] == ["t,red_x,red_y", "0,1,2", "0.0333333,,"]
    back = video.read_tracks_csv(path)
    np.testing.assert_allclose(back.positions["red"], tracks.positions["red"])
    frames = tmp_path / "frames.csv"
    frames.write_text("frame,red_x,red_y\n0,1,2\n1,2,3\n2,3,4\n")
    assert video.read_tracks_csv(frames, fps=10).t.tolist() == [0.0, 0.1, 0.2]
    with pytest.raises(ValueError, match="--fps"):
        video.read_tracks_csv(frames)
    bad = tmp_path / "bad.csv"
    bad.write_text("time,red_x\n0,1\n")
    with pytest.raises(ValueError, match="header"):
        video.read_tracks_csv(bad)


def test_series_file_feeds_the_forecasting_side(tmp_path):
    from systems import load_pendulum_series

    t = np.arange(200) / FPS
    top = np.column_stack([np.full_like(t, 200.0), np.full_like(t, 50.0)])
    truth = swing()
    ps = video.phase_space(
        video.Tracks(t, {"red": top, "blue": top + 200 * np.column_stack([np.sin(truth), np.cos(truth)])})
    )
    path = tmp_path / "series.csv"
    video.write_series_csv(path, ps)
    series = load_pendulum_series(path)
    train, val = series.split()
    assert len(train) + len(val) == len(ps.t)
    np.testing.assert_allclose(series.theta, ps.theta, atol=1e-7)


def test_marks_never_found_and_mostly_lost(tmp_path):
    theta = swing(60)
    path = video.render_pendulum(
        tmp_path / "v.avi", theta, FPS, video.Scene(size=(320, 240), mark_distances=(60.0, 170.0))
    )
    with pytest.raises(video.MarkNotFoundError, match="'green' was not found in any frame"):
        video.track_video(path, [video.parse_mark("green"), video.parse_mark("blue")])
    lost = video.render_pendulum(
        tmp_path / "lost.avi",
        theta,
        FPS,
        video.Scene(size=(320, 240), mark_distances=(60.0, 170.0), hidden=tuple(range(5, 55))),
    )
    tracks = video.track_video(lost, [video.parse_mark("red"), video.parse_mark("blue")])
    with pytest.raises(video.MarkNotFoundError, match="found in only 17 % of frames"):
        video.phase_space(tracks)


def test_unknown_colour_and_explicit_range():
    with pytest.raises(ValueError, match="named colours: red"):
        video.parse_mark("chartreuse")
    mark = video.parse_mark("tip=100-130:120-255:50-255")
    hsv = np.array([[[115, 200, 200], [10, 200, 200]]], dtype=np.uint8)
    assert mark.mask(hsv).tolist() == [[True, False]]
    with pytest.raises(ValueError, match="expected name="):
        video.parse_mark("tip=100-130")
