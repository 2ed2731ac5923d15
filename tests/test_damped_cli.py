"""The dissipative model and the rollout loss through the command line: every model through
``reproduce`` with the new options, a video-style series (no derivative columns) trained on
rollouts, the conservative HNN refused on a damped record with the DHNN offered instead."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from physnet.cli.main import main
from physnet.tasks.registry import TASKS
from systems import DampedPendulum, generate_orbits, time_grid


@pytest.fixture(autouse=True)
def _registry_restored():
    before = dict(TASKS)
    yield
    TASKS.clear()
    TASKS.update(before)


def write_video_series(path: Path, *, runs: int = 4, t_end: float = 12.0, dt: float = 0.05) -> None:
    """A damped pendulum as the video pipeline writes it: t, theta, theta_dot, theta_ddot, one
    run after another (times restart)."""
    system = DampedPendulum(damping=0.15)
    t = time_grid(t_end, dt)
    states = generate_orbits(system, system.sample_initial_states(runs, seed=3), t).states
    accel = system.vector_field(t, states)[..., 1]
    lines = ["run,t,theta,theta_dot,theta_ddot"]
    for g in range(runs):
        lines += [
            f"r{g},{t[j]:.4f},{states[g, j, 0]:.8f},{states[g, j, 1]:.8f},{accel[g, j]:.8f}" for j in range(len(t))
        ]
    path.write_text("\n".join(lines) + "\n")


def _check_study(out: Path, model: str, steps: int = 3) -> None:
    summary = json.loads((out / "summary.json").read_text())
    assert summary["config"]["loss"] == "rollout" and summary["config"]["rollout_steps"] == steps
    methods = {"nn": "rk4", "hnn": "implicit-midpoint", "dhnn": "discrete-gradient"}
    assert summary["forecast"]["method"] == methods[model]
    if model == "dhnn":
        assert (out / "dissipation.png").exists()
        report = out / "report.md"  # reproduce writes one; compare prints its summary
        assert not report.exists() or "dissipation.png" in report.read_text()
        rates = summary["forecast"]["dissipation"]["arms"]["mix"]["values"]
        assert len(rates) == 2 and all(r >= 0 for r in rates)
        assert summary["forecast"]["dissipation"]["true_damping"] == 0.1


@pytest.mark.slow
@pytest.mark.parametrize("model", ["nn", "hnn", "dhnn"])
def test_every_model_through_reproduce_with_the_rollout_loss(tmp_path, model):
    """Meta-learning's inner loop on rollouts too (minutes each: the unrolled inner loop
    differentiates through every integration step)."""
    argv = ["reproduce", "damped-pendulum", "--model", model, "--loss", "rollout", "--rollout-steps", "2"]
    assert main([*argv, "--quick", "--seeds", "2", "--out", str(tmp_path / model), "--no-progress"]) == 0
    _check_study(tmp_path / model, model, steps=2)
    meta = json.loads((tmp_path / model / "meta" / "config.json").read_text())
    assert "rollout" in json.dumps(meta)  # the types were learned on the rollout loss


@pytest.mark.parametrize("model", ["nn", "hnn", "dhnn"])
def test_every_model_through_compare_with_the_rollout_loss(tmp_path, model, learned_types):
    argv = ["compare", "damped-pendulum", "--model", model, "--loss", "rollout", "--rollout-steps", "3"]
    argv += ["--activations", str(learned_types), "--arms", "base,mix", "--seeds", "2", "--epochs", "2"]
    assert main([*argv, "--small", "--tune", "none", "--out", str(tmp_path / model)]) == 0
    _check_study(tmp_path / model, model)


@pytest.fixture(scope="module")
def learned_types(tmp_path_factory):
    """Two types meta-learned for a minute's fraction on the rollout loss (the inner loop of
    meta-learning through rollouts), frozen and saved."""
    from physnet.activations import save_activations
    from physnet.meta import meta_config_for, meta_learn
    from physnet.tasks.rollout_data import rollout_data

    data = rollout_data(TASKS["damped-pendulum"].load(small=True), 3)
    config = meta_config_for("damped-pendulum", "dhnn", small=True, outer_steps=2, inner_steps=3, width=16)
    result = meta_learn(config, data=data)
    assert result.history["outer_step"].tolist() == [0, 1, 2]
    assert bool(torch.isfinite(torch.as_tensor(result.history["meta_loss"][1:])).all())
    path = tmp_path_factory.mktemp("types") / "activations.npz"
    save_activations(path, result.frozen)
    return path


def test_a_video_series_trains_on_rollouts_without_derivatives(tmp_path, monkeypatch):
    write_video_series(tmp_path / "clip.csv")
    monkeypatch.chdir(tmp_path)
    argv = ["compare", "clip.csv", "--group", "run", "--state", "theta,theta_dot", "--model", "dhnn"]
    argv += ["--loss", "rollout", "--rollout-steps", "3", "--arms", "base,tanh", "--seeds", "2", "--epochs", "3"]
    argv += ["--tune", "none", "--out", "study"]
    assert main(argv) == 0
    summary = json.loads((tmp_path / "study" / "summary.json").read_text())
    assert summary["config"]["loss"] == "rollout" and summary["forecast"]["method"] == "discrete-gradient"
    assert summary["forecast"]["dissipation"]["true_damping"] is None  # measured: no known friction


def test_the_conservative_network_is_refused_on_a_damped_record_and_dhnn_offered(tmp_path, monkeypatch, capsys):
    write_video_series(tmp_path / "clip.csv")
    monkeypatch.chdir(tmp_path)
    argv = ["compare", "clip.csv", "--group", "run", "--state", "theta,theta_dot", "--model", "hnn"]
    assert main([*argv, "--arms", "base", "--quick", "--out", "study"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--model dhnn" in err[0]
    assert not (tmp_path / "study").exists()


@pytest.mark.parametrize(
    "options, message",
    [
        (["--loss", "energy"], "invalid choice"),
        (["--loss", "rollout", "--rollout-steps", "0"], "positive integer"),
        (["--loss", "rollout", "--rollout-method", "dopri5"], "invalid choice"),
    ],
)
def test_bad_loss_options_are_one_line(tmp_path, capsys, options, message):
    assert main(["compare", "damped-pendulum", "--arms", "base", *options, "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]


def test_rollout_on_a_task_without_orbits_is_refused_before_any_work(tmp_path, capsys):
    argv = ["compare", "mnist1d", "--arms", "base", "--loss", "rollout", "--quick", "--out", str(tmp_path / "m")]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "needs states sampled along orbits" in err[0]
    assert not (tmp_path / "m").exists()


def test_damped_tasks_are_registered_with_the_dissipative_model_first():
    assert TASKS["damped-pendulum"].models[0] == "dhnn" and TASKS["duffing"].models == ("dhnn", "nn", "hnn")
    data = TASKS["duffing"].load(small=True)
    assert data.system is not None and data.dt == 0.1 and torch.isfinite(data.y_train).all()
