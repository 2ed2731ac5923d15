"""The command line: help, version, simulate's outputs, errors, reproducibility, user systems."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from physnet import __version__
from physnet.cli.main import main


def test_help_and_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0 and "simulate" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["simulate", "--help"])
    assert "--energy" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--version"])
    assert __version__ in capsys.readouterr().out


def test_console_script_is_installed():
    script = Path(sys.executable).with_name("physnet")  # the venv's console script
    out = subprocess.run([str(script), "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"physnet {__version__}"


@pytest.mark.parametrize(
    "system, extra",
    [("van-der-pol", []), ("henon-heiles", ["--energy", "0.1"]), ("pendulum", ["--method", "leapfrog"]), ("clock", [])],
)
def test_simulate_writes_orbits_config_and_plot(tmp_path, system, extra):
    out = tmp_path / system
    code = main(["simulate", system, "--out", str(out), "--orbits", "3", "--t-end", "4", "--dt", "0.05", *extra])
    assert code == 0
    data = np.load(out / "orbits.npz", allow_pickle=False)
    assert data["t"].shape == (81,) and data["states"].shape[:2] == (3, 81)
    config = json.loads((out / "config.json").read_text())
    assert config["config"]["orbits"] == 3 and config["config"]["system"] == system
    assert (out / "phase_space.png").stat().st_size > 10_000
    assert not list(out.glob(".*"))  # no temporary files left


def test_same_seed_same_numbers(tmp_path):
    for name in ("a", "b"):
        main(
            ["simulate", "henon-heiles", "--out", str(tmp_path / name), "--orbits", "2", "--t-end", "2", "--seed", "7"]
        )
    a, b = (np.load(tmp_path / n / "orbits.npz")["states"] for n in "ab")
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["simulate", "lorenz"], "unknown system 'lorenz'"),
        (["simulate", "pendulum", "--method", "rk5"], "invalid choice: 'rk5'"),
        (["simulate", "van-der-pol", "--method", "leapfrog"], "needs a Hamiltonian"),
        (["simulate", "pendulum", "--dt", "0"], "--dt: expected a finite number > 0"),
        (["simulate", "henon-heiles", "--energy", "0.3"], r"\(0, 1/6\)"),
        (["simulate", "pendulum", "--energy", "0.1"], "energy shells"),
        (["simulate", "clock", "--orbits", "0"], "--orbits: expected a positive integer"),
        (["simulate", "pendulum", "--orbits", "1000000000"], r"GB \(limit 4 GB\); ask for fewer --orbits"),
    ],
)
def test_bad_input_is_one_line_exit_2(tmp_path, capsys, argv, message):
    out = tmp_path / "run"
    assert main([*argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert re.search(message, err)
    assert not (out / "config.json").exists()


def test_unwritable_output_is_refused(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["simulate", "pendulum", "--out", str(blocker / "sub")]) == 2
    assert "output" in capsys.readouterr().err


def test_user_defined_system_goes_through_simulate(tmp_path, monkeypatch):
    module = tmp_path / "my_systems.py"
    module.write_text(
        "import torch\n"
        "from systems import System, make_generator\n"
        "class Decay(System):\n"
        "    name = 'decay'\n    dim = 2\n    state_names = ('a', 'b')\n"
        "    def vector_field(self, t, y):\n        return -y\n"
        "    def sample_initial_states(self, n, *, generator=None, seed=None):\n"
        "        return torch.rand(n, 2, generator=make_generator(generator, seed), dtype=torch.float64)\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    out = tmp_path / "run"
    assert (
        main(["simulate", "my_systems:Decay", "--out", str(out), "--orbits", "2", "--t-end", "1", "--dt", "0.1"]) == 0
    )
    data = np.load(out / "orbits.npz")
    np.testing.assert_allclose(data["states"][:, -1], data["states"][:, 0] * np.exp(-1.0), rtol=1e-7)
