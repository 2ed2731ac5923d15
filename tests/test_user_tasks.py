"""A user's own system and data as tasks: module:Class and FILE.csv through the commands,
the same study through the Python API and the command line, estimated derivatives."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import physnet
from physnet.cli.main import main
from physnet.tasks.registry import TASKS
from physnet.tasks.series_derivatives import savgol_derivatives
from physnet.tasks.settings import SMOKE_ENV
from systems import DoublePendulum, HamiltonianSystem, generate_orbits, make_generator, time_grid

TESTS = Path(__file__).parent


class Duffing(HamiltonianSystem):
    """Undamped Duffing oscillator, H = p^2/2 + q^2/2 + q^4/4 (a hardening spring)."""

    name = "duffing"
    n_dof = 1
    separable = True
    state_names = ("q", "p")

    def hamiltonian(self, y: torch.Tensor) -> torch.Tensor:
        q, p = y[..., 0], y[..., 1]
        return 0.5 * p**2 + 0.5 * q**2 + 0.25 * q**4

    def sample_initial_states(self, n, *, generator=None, seed=None):
        g = make_generator(generator, seed)
        return 1.5 * (2 * torch.rand(n, 2, generator=g, dtype=torch.float64) - 1)


@pytest.fixture(autouse=True)
def _registry_restored():
    """Tasks registered by a test do not leak into the others."""
    before = dict(TASKS)
    yield
    TASKS.clear()
    TASKS.update(before)


def write_double_pendulum_csv(path: Path, *, groups: int = 5, t_end: float = 4.0, dt: float = 0.01) -> dict:
    """Several double-pendulum trajectories as groups of one CSV (no derivative columns);
    returns the exact states and derivatives per group."""
    system = DoublePendulum(energy_range=(-25.0, -20.0))
    t = time_grid(t_end, dt)
    states = generate_orbits(system, system.sample_initial_states(groups, seed=0), t).states
    exact = system.vector_field(t, states)
    lines = ["run,t,theta1,theta2,p1,p2"]
    for g in range(groups):
        lines += [f"run{g},{t[j]:.6f}," + ",".join(f"{v:.12g}" for v in states[g, j].tolist()) for j in range(len(t))]
    path.write_text("\n".join(lines) + "\n")
    return {"states": states.numpy(), "derivatives": exact.numpy(), "t": t.numpy()}


def test_duffing_through_reproduce_on_the_command_line(tmp_path):
    out = tmp_path / "duffing"
    argv = ["reproduce", "test_user_tasks:Duffing", "--quick", "--seeds", "2", "--model", "nn"]
    argv += ["--orbits", "6", "--t-end", "8", "--out", str(out), "--no-progress"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    env[SMOKE_ENV] = "1"  # the whole pipeline at smoke budgets: what is checked here is the plumbing
    done = subprocess.run([sys.executable, "-m", "physnet.cli.main", *argv], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert "# test_user_tasks:Duffing / nn" in (out / "report.md").read_text()
    assert (out / "forecast_skill.csv").exists() and (out / "models" / "mix.pt").exists()
    config = json.loads((out / "config.json").read_text())
    source = config["config"]["task_source"]
    assert {k: v for k, v in source.items() if k not in ("folder", "source_sha256", "parameters")} == {
        "kind": "system",
        "argument": "test_user_tasks:Duffing",
        "orbits": 6,
        "t_end": 8.0,
    }
    assert len(source["source_sha256"]) == 64  # the module's content, so that an edit is noticed
    # the folder alone builds the task again: forecast in another process
    forecast = [sys.executable, "-m", "physnet.cli.main", "forecast", str(out), "--arm", "base"]
    done = subprocess.run([*forecast, "--out", str(tmp_path / "f")], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "f" / "forecast.csv").exists()


def test_double_pendulum_csv_with_groups_through_reproduce(tmp_path, monkeypatch):
    write_double_pendulum_csv(tmp_path / "double.csv")
    monkeypatch.chdir(tmp_path)  # the file named relative to where the command runs
    monkeypatch.setenv(SMOKE_ENV, "1")  # the whole pipeline at smoke budgets: what is checked here is the plumbing
    argv = ["reproduce", "double.csv", "--group", "run", "--quick", "--model", "hnn"]
    assert main([*argv, "--out", "study", "--no-progress"]) == 0
    assert "# double.csv / hnn" in (tmp_path / "study" / "report.md").read_text()
    summary = json.loads((tmp_path / "study" / "summary.json").read_text())
    skill, seeds = summary["forecast"], json.loads((tmp_path / "study" / "config.json").read_text())["config"]["seeds"]
    assert skill["method"] == "implicit-midpoint" and skill["steps"] >= 2  # the records themselves are the truth
    assert all(len(a["values"]) == seeds for a in skill["metrics"]["vpt"]["arms"].values())
    # from another folder: the study's config.json finds the file again; one validation group of five
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    TASKS.pop("double.csv")
    assert main(["forecast", str(tmp_path / "study"), "--arm", "mix", "--orbits", "1", "--out", "f"]) == 0
    assert (elsewhere / "f" / "forecast.csv").exists()


def test_estimated_derivatives_agree_with_the_exact_ones(tmp_path):
    """Savitzky-Golay (window 11, cubic) on samples 0.01 apart: the window spans 0.1 time
    units, a small part of the fastest swing (period about 1.5 at these energies). The cubic's
    slope at the window's centre is exact for polynomials of degree 4 and errs by about
    c (window dt)^4 |y^(5)|; at the two ends of a trajectory the fit is one-sided and errs by
    about (window dt)^3 |y^(4)|. Measured: interior 0.4 %, ends 1.7 % of the derivatives'
    range; halving the step divides the interior error by about 8 or more (order >= 3)."""
    table = tmp_path / "double.csv"
    exact = write_double_pendulum_csv(table)
    data = physnet.series_task(table, group="run").load()
    d = exact["derivatives"]
    scale = np.abs(d).max()
    # training pairs: the first four groups, in order
    train_exact = d[:4].reshape(-1, 4)
    error = np.abs(data.y_train.numpy() - train_exact)
    n = d.shape[1]
    interior = np.concatenate([error[g * n + 5 : (g + 1) * n - 5] for g in range(4)])
    assert interior.max() < 0.01 * scale and error.max() < 0.03 * scale, (interior.max() / scale, error.max() / scale)
    # convergence with the step: at 0.02 the interior error is several times larger
    coarse = write_double_pendulum_csv(tmp_path / "coarse.csv", dt=0.02)
    states = coarse["states"].reshape(-1, 4)
    t = np.tile(coarse["t"], 5)
    m = coarse["t"].shape[0]
    est = savgol_derivatives(t, states, [slice(g * m, (g + 1) * m) for g in range(5)], window=11, order=3)
    coarse_error = np.abs(est - coarse["derivatives"].reshape(-1, 4))
    coarse_interior = np.concatenate([coarse_error[g * m + 5 : (g + 1) * m - 5] for g in range(4)])
    assert coarse_interior.max() > 6 * interior.max()


def test_the_same_study_through_the_api_and_the_command_line(tmp_path):
    settings = dict(seeds=3, epochs=2, hidden=(16,), arms=("base", "tanh"))
    cli = ["compare", "test_user_tasks:Duffing", "--orbits", "4", "--t-end", "5", "--seed", "3"]
    cli += ["--seeds", "3", "--epochs", "2", "--hidden", "16", "--arms", "base,tanh", "--out", str(tmp_path / "cli")]
    sys.path.insert(0, str(TESTS))
    try:
        assert main(cli) == 0
    finally:
        sys.path.remove(str(TESTS))
    with open(tmp_path / "cli" / "runs.csv", newline="") as fh:
        runs = {(r["arm"], int(r["seed"])): float(r["metric"]) for r in csv.DictReader(fh)}
    task = physnet.register_task(
        physnet.system_task(Duffing(), name="my-duffing", orbits=4, t_end=5.0, seed=3), replace=True
    )
    config = physnet.StudyConfig.for_task(task.name, "nn", **settings)
    result = physnet.compare(config)
    for arm in ("base", "tanh"):
        np.testing.assert_allclose(result.values[arm], [runs[(arm, s)] for s in range(3)], rtol=1e-6)
    assert result.metric == "val_mse" and result.arms["base"]["median"] == pytest.approx(
        np.median(result.values["base"])
    )


def test_forecast_past_the_record_and_a_wrong_arm(tmp_path, capsys):
    write_double_pendulum_csv(tmp_path / "double.csv", t_end=2.0)
    study = tmp_path / "study"
    argv = ["compare", str(tmp_path / "double.csv"), "--group", "run", "--model", "nn", "--arms", "base"]
    assert main([*argv, "--seeds", "1", "--epochs", "1", "--hidden", "8", "--out", str(study)]) == 0
    assert "forecast (mean normalised rollout error)" not in capsys.readouterr().out  # one arm: no mix to compare
    skill = json.loads((study / "summary.json").read_text())["forecast"]
    assert skill["method"] == "rk4" and len(skill["metrics"]["vpt"]["arms"]["base"]["values"]) == 1
    # the one validation record holds 201 samples: 200 steps of truth, then none
    out = tmp_path / "f"
    assert main(["forecast", str(study), "--arm", "base", "--steps", "300", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "the record ends after 200 steps" in printed and "runs all 300" in printed
    with open(out / "forecast.csv", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["state"] == r["state"] and r["orbit"] == "0"]
    states = sorted({r["state"] for r in rows})
    first = [r for r in rows if r["state"] == states[0]]
    assert len(first) == 301 and all(r["truth"] for r in first[:201]) and not any(r["truth"] for r in first[201:])
    assert all(r["median"] for r in first)  # the ensemble's rollout covers every step
    assert json.loads((out / "config.json").read_text())["steps"] == 300
    assert main(["forecast", str(study), "--arm", "mixx", "--out", str(tmp_path / "g")]) == 2
    assert "arm 'mixx': this study has no such arm; its arms are base" in capsys.readouterr().err
