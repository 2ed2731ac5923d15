"""Video decoding is quiet and honest: FFmpeg's messages never reach the terminal, a file that
decodes well short of its declared frames is called truncated, a region outside the frame is
refused in one line."""

from __future__ import annotations

import numpy as np
import pytest

import video
from physnet.cli.main import main

FPS = 30.0


def _render(path):
    t = np.arange(150) / FPS
    theta = 0.1 * np.sin(2 * np.pi * t / 2.0)
    return video.render_pendulum(path, theta, FPS, video.Scene(size=(480, 360), mark_distances=(90.0, 250.0)))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    folder = tmp_path_factory.mktemp("v")
    return {suffix: _render(folder / f"clock{suffix}") for suffix in (".avi", ".mp4")}


def test_truncated_file_is_reported_as_such(rendered, tmp_path):
    data = rendered[".avi"].read_bytes()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(video.VideoError, match=r"decoded \d+ of 150 frames: the file looks truncated or corrupt"):
        list(video.iter_frames(cut))
    assert len(list(video.iter_frames(rendered[".avi"]))) == 150  # the whole file is not


def test_corrupt_file_is_one_quiet_line(rendered, tmp_path, capfd):
    data = bytearray(rendered[".mp4"].read_bytes())
    third = len(data) // 3
    data[third : 2 * third] = np.random.default_rng(0).integers(0, 256, third, dtype=np.uint8).tobytes()
    bad = tmp_path / "corrupt.mp4"
    bad.write_bytes(bytes(data))
    assert main(["track", str(bad), "--out", str(tmp_path / "out")]) == 2
    err = capfd.readouterr().err  # file descriptor 2: FFmpeg's messages would land here
    assert err.count("\n") == 1, err
    assert "looks truncated or corrupt" in err


def test_region_outside_the_frame_is_refused(rendered, tmp_path, capsys):
    assert main(["track", str(rendered[".mp4"]), "--roi", "5000,5000,10,10", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "inside the 480 x 360 frame" in err
