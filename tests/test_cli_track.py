"""`physnet track`: outputs, positions files, the chain into `physnet meta`, bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest

import video
from physnet.cli.main import main

FPS = 30.0


@pytest.fixture(scope="module")
def clock_video(tmp_path_factory):
    t = np.arange(150) / FPS
    theta = 0.1 * np.sin(2 * np.pi * t / 2.0)
    path = tmp_path_factory.mktemp("v") / "clock.mp4"
    return video.render_pendulum(path, theta, FPS, video.Scene(size=(480, 360), mark_distances=(90.0, 250.0)))


def test_track_writes_series_tracks_config_and_plots(tmp_path, clock_video, capsys):
    out = tmp_path / "track"
    assert main(["track", str(clock_video), "--marks", "red,blue", "--out", str(out)]) == 0
    lines = (out / "series.csv").read_text().splitlines()
    assert lines[0] == "t,theta,theta_dot,theta_ddot" and len(lines) == 151
    assert (out / "tracks.csv").read_text().splitlines()[0] == "t,red_x,red_y,blue_x,blue_y"
    config = json.loads((out / "config.json").read_text())
    assert config["savgol"] == {"window": 23, "order": 3} and config["results"]["frames"] == 150
    for plot in ("tracks.png", "theta.png", "phase_portrait.png"):
        assert (out / plot).stat().st_size > 5000
    assert "period" in capsys.readouterr().out
    # footage -> series -> meta-learning, one short chain
    assert (
        main(
            [
                "meta",
                "clock",
                "--data",
                str(out / "series.csv"),
                "--out",
                str(tmp_path / "meta"),
                "--quick",
                "--no-progress",
                "--hidden",
                "16",
                "--width",
                "8",
                "--outer-steps",
                "2",
                "--inner-steps",
                "3",
            ]
        )
        == 0
    )


def test_track_from_positions_file(tmp_path, clock_video):
    first = tmp_path / "a"
    main(["track", str(clock_video), "--out", str(first)])
    again = tmp_path / "b"
    assert main(["track", "--tracks", str(first / "tracks.csv"), "--out", str(again)]) == 0
    a = np.loadtxt(first / "series.csv", delimiter=",", skiprows=1)
    b = np.loadtxt(again / "series.csv", delimiter=",", skiprows=1)
    np.testing.assert_allclose(a, b, atol=1e-3)  # tracks.csv keeps 6 significant digits
    frames = tmp_path / "frames.csv"
    text = (first / "tracks.csv").read_text().splitlines()
    rows = [f"{i}," + ",".join(r.split(",")[1:]) for i, r in enumerate(text[1:])]
    frames.write_text("frame,red_x,red_y,blue_x,blue_y\n" + "\n".join(rows) + "\n")
    assert main(["track", "--tracks", str(frames), "--fps", "30", "--out", str(tmp_path / "c")]) == 0


def _single_frame(tmp_path):
    return video.render_pendulum(
        tmp_path / "one.avi", np.zeros(1), FPS, video.Scene(size=(320, 240), mark_distances=(60.0, 170.0))
    )


@pytest.mark.parametrize(
    "case, message",
    [
        ("missing", "not found"),
        ("empty", "empty"),
        ("text", "cannot open|no frame"),
        ("truncated", "cannot open|no frame|found in only|only 1 frame"),
        ("single", "only 1 frame"),
        ("never", "'green' was not found"),
        ("header", "header must be"),
        ("both", "either a VIDEO or --tracks"),
    ],
)
def test_bad_input_one_line_exit_2(tmp_path, capsys, clock_video, case, message):
    path = tmp_path / "input.mp4"
    argv = ["track", str(path)]
    if case == "empty":
        path.write_bytes(b"")
    elif case == "text":
        path.write_text("this is not a video\n" * 50)
    elif case == "truncated":
        path.write_bytes(clock_video.read_bytes()[:2000])
    elif case == "single":
        argv = ["track", str(_single_frame(tmp_path))]
    elif case == "never":
        argv = ["track", str(clock_video), "--marks", "green,blue"]
    elif case == "header":
        bad = tmp_path / "bad.csv"
        bad.write_text("time,red\n0,1\n")
        argv = ["track", "--tracks", str(bad)]
    elif case == "both":
        argv = ["track", str(clock_video), "--tracks", "x.csv"]
    assert main([*argv, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    import re

    assert re.search(message, err), err
    assert not (tmp_path / "out" / "series.csv").exists()
