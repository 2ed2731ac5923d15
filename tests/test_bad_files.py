"""Corrupt or foreign files give one clear error naming the file, never a traceback."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from physnet.activations import load_activations
from physnet.cli.main import main
from physnet.study.model_store import load_arm


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    out = tmp_path_factory.mktemp("study") / "cmp"
    assert (
        main(
            [
                "compare",
                "clock",
                "--arms",
                "base",
                "--seeds",
                "2",
                "--small",
                "--epochs",
                "1",
                "--hidden",
                "8",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    return out


def test_model_files_that_are_not_physnet_models(study, tmp_path):
    state = torch.load(study / "models" / "base.pt", weights_only=True)
    torch.save(torch.zeros(3), tmp_path / "bare.pt")
    torch.save({k: v for k, v in state.items() if k != "arch"}, tmp_path / "noarch.pt")
    weights = dict(state["state_dict"])
    weights[next(iter(weights))] = torch.zeros(7, 7)
    torch.save({**state, "state_dict": weights}, tmp_path / "shape.pt")
    with pytest.raises(ValueError, match="bare.pt is not a physnet model file"):
        load_arm(tmp_path / "bare.pt")
    with pytest.raises(ValueError, match=r"noarch.pt is not a physnet model file \(no arch\)"):
        load_arm(tmp_path / "noarch.pt")
    with pytest.raises(ValueError, match="shape.pt does not hold the networks .*size mismatch"):
        load_arm(tmp_path / "shape.pt")


def test_activations_metadata_must_be_an_object(tmp_path):
    path = tmp_path / "list.npz"
    np.savez(path, grid=np.linspace(-1, 1, 5), values=np.zeros((2, 5)), metadata=json.dumps([1, 2]))
    with pytest.raises(ValueError, match="metadata is a JSON list"):
        load_activations(path)


@pytest.mark.parametrize(
    "content, message",
    [
        ("[1, 2]", "unreadable config.json"),
        ('{"command": "simulate"}', "output of `physnet simulate`"),
        ("{not json", "unreadable config.json"),
    ],
)
def test_analyze_and_forecast_refuse_foreign_folders(tmp_path, capsys, content, message):
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "config.json").write_text(content)
    for argv in (["analyze", str(folder)], ["forecast", str(folder), "--arm", "base", "--out", str(tmp_path / "o")]):
        assert main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and message in err
    assert not (tmp_path / "o").exists()


def test_forecast_orbits_and_memory_are_checked(study, tmp_path, capsys):
    assert main(["forecast", str(study), "--arm", "base", "--orbits", "5", "--out", str(tmp_path / "a")]) == 2
    assert "the validation split has 1 orbit(s)" in capsys.readouterr().err
    assert main(["forecast", str(study), "--arm", "base", "--steps", "100000000", "--out", str(tmp_path / "b")]) == 2
    assert "GB of states" in capsys.readouterr().err
    assert main(["forecast", str(study), "--arm", "base", "--steps", "20", "--out", str(tmp_path / "c")]) == 0
    printed = capsys.readouterr().out
    assert "normalised: |median - truth| over the spread of the validation states" in printed


def test_reproduce_refuses_a_simulate_folder_before_meta_learning(tmp_path, capsys):
    out = tmp_path / "sim"
    assert main(["simulate", "pendulum", "--orbits", "1", "--out", str(out)]) == 0
    before = sorted(p.name for p in out.iterdir())
    assert main(["reproduce", "clock", "--quick", "--out", str(out)]) == 2
    assert "holds a simulate run" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == before


def test_series_with_byte_order_mark_reads_and_binary_is_named(tmp_path):
    from systems.clock_data import load_pendulum_series, shipped_clock_path

    text = shipped_clock_path().read_text(encoding="utf-8")
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    np.testing.assert_array_equal(load_pendulum_series(bom).states, load_pendulum_series(shipped_clock_path()).states)
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81" * 50)
    with pytest.raises(ValueError, match="binary.csv is not a UTF-8 text file"):
        load_pendulum_series(binary)


def test_positions_file_with_byte_order_mark(tmp_path):
    from video.io import read_tracks_csv

    path = tmp_path / "tracks.csv"
    path.write_bytes(b"\xef\xbb\xbft,red_x,red_y\n0,1,2\n0.1,1.5,2.5\n")
    assert read_tracks_csv(path).names == ["red"]
    path.write_bytes(b"\x81\xff" * 40)
    with pytest.raises(ValueError, match="tracks.csv is not a UTF-8 text file"):
        read_tracks_csv(path)


def test_absurd_magnitudes_are_named_with_their_line(tmp_path):
    from systems.clock_data import load_pendulum_series
    from video.io import read_tracks_csv

    series = tmp_path / "series.csv"
    rows = "".join(f"{1.7e9 + 0.1 * i},{0.1},{0.0},{1e308 if i == 4 else 0.0}\n" for i in range(20))
    series.write_text("t,theta,theta_dot,theta_ddot\n" + rows)
    with pytest.raises(ValueError, match="beyond 1e\\+06 on line 6"):
        load_pendulum_series(series)
    series.write_text("t,theta,theta_dot,theta_ddot\n" + rows.replace("1e+308", "0.0"))
    assert len(load_pendulum_series(series)) == 20  # clock times (Unix seconds) are fine
    tracks = tmp_path / "tracks.csv"
    tracks.write_text("t,red_x,red_y\n0,1,2\n0.1,1e308,2\n")
    with pytest.raises(ValueError, match="line 3 holds a position beyond"):
        read_tracks_csv(tracks)
