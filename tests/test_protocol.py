"""The protocol is the user's to set: validation share, where the noise goes, weight decay,
initialisation, and rollouts from given states."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
import torch

import physnet
from physnet.cli.main import main
from physnet.networks import build_model
from physnet.study import StudyConfig
from systems import DatasetSpec, MassSpring, make_dataset


def test_noise_on_states_keeps_the_targets_exact_and_the_state_noise_the_same():
    spring = MassSpring()
    both = make_dataset(spring, DatasetSpec(n_orbits=6, t_end=2.0, noise_std=0.1), seed=0, dtype=torch.float64)
    states = make_dataset(
        spring, DatasetSpec(n_orbits=6, t_end=2.0, noise_std=0.1, noise_on="states"), seed=0, dtype=torch.float64
    )
    clean = make_dataset(spring, DatasetSpec(n_orbits=6, t_end=2.0), seed=0, dtype=torch.float64)
    torch.testing.assert_close(states.train.states, both.train.states)  # the same state noise
    torch.testing.assert_close(states.train.derivatives, clean.train.derivatives)  # exact targets
    assert float((both.train.derivatives - clean.train.derivatives).abs().max()) > 0.05
    with pytest.raises(ValueError, match="noise_on"):
        make_dataset(spring, DatasetSpec(noise_on="targets"), seed=0)


def test_the_validation_share_is_whole_orbits():
    task = physnet.system_task(MassSpring(), name="protocol-spring", orbits=20, t_end=3.0, val_fraction=0.5)
    data = task.load(seed=0)
    assert len(set(data.val_orbit.tolist())) == 10 and len(set(data.train_orbit.tolist())) == 10
    with pytest.raises(ValueError, match="--val-fraction"):
        physnet.system_task(MassSpring(), name="bad", val_fraction=1.0)


def test_orthogonal_init_gives_orthonormal_members_and_a_bias_free_hamiltonian_output():
    model = build_model("hnn", 2, [32, 32], "tanh", seeds=[0, 1], init="orthogonal", output_bias=False)
    first, middle, last = model.net.layers
    for w in middle.weight:  # (32, 32): orthogonal
        torch.testing.assert_close(w.T @ w, torch.eye(32), atol=1e-5, rtol=0)
    for w in first.weight:  # (2, 32) as nn.Linear's (32, 2): orthonormal columns there, rows here
        torch.testing.assert_close(w @ w.T, torch.eye(2), atol=1e-5, rtol=0)
    assert last.bias is None and middle.bias is not None
    assert not torch.equal(model.net.layers[1].weight[0], model.net.layers[1].weight[1])  # members differ
    again = build_model("hnn", 2, [32, 32], "tanh", seeds=[1], init="orthogonal", output_bias=False)
    torch.testing.assert_close(again.net.layers[1].weight[0], middle.weight[1])  # a member depends on its seed only
    config = StudyConfig(task="van-der-pol", model="hnn", init="orthogonal")
    assert config.output_bias is False and StudyConfig(task="van-der-pol", model="nn").output_bias


def test_the_literature_protocol_from_the_command_line(tmp_path, monkeypatch):
    """A spring as the Hamiltonian-network literature trains it: two 200-wide layers, Adam 1e-3,
    weight decay 1e-4, full batches, orthogonal init, noise on the states only, half the
    orbits held out; then a rollout from given states over a given horizon."""
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "spring"
    code = main(
        [
            "compare",
            "systems:MassSpring",
            "--model",
            "hnn",
            "--orbits",
            "12",
            "--t-end",
            "3",
            "--noise",
            "0.1",
            "--noise-on",
            "states",
            "--val-fraction",
            "0.5",
            "--hidden",
            "32,32",
            "--lr",
            "1e-3",
            "--weight-decay",
            "1e-4",
            "--batch-size",
            "1000",
            "--epochs",
            "5",
            "--init",
            "orthogonal",
            "--arms",
            "tanh",
            "--seeds",
            "2",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    config = json.loads((out / "config.json").read_text())
    flat = config["config"]
    assert flat["weight_decay"] == 1e-4 and flat["init"] == "orthogonal" and flat["tune"] is None
    assert flat["lr"] == 1e-3 and flat["hidden"] == [32, 32]
    source = flat["task_source"]
    assert source["noise_on"] == "states" and source["val_fraction"] == 0.5
    (tmp_path / "starts.csv").write_text("p,q\n0.5,0.0\n0.0,-0.3\n")
    fc_out = tmp_path / "fc"
    assert main(["forecast", str(out), "--arm", "tanh", "--initial", "starts.csv", "--horizon", "2", "--dt", "0.05",
                 "--method", "rk4", "--out", str(fc_out)]) == 0  # fmt: skip
    with open(fc_out / "forecast.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["state"] for r in rows} == {"q", "p"} and len(rows) == 2 * 41 * 2
    assert max(float(r["t"]) for r in rows) == pytest.approx(2.0)
    first = {name: [r for r in rows if r["orbit"] == "0" and r["state"] == name] for name in ("q", "p")}
    t = torch.tensor([float(r["t"]) for r in first["q"]], dtype=torch.float64)
    truth = np.stack([[float(r["truth"]) for r in first[name]] for name in ("q", "p")], axis=1)
    np.testing.assert_allclose(truth[0], [0.0, 0.5])  # (q, p) read by name
    exact = MassSpring().exact(torch.tensor([[0.0, 0.5]], dtype=torch.float64), t)[0]
    np.testing.assert_allclose(truth, exact.numpy(), atol=1e-6)  # the truth is the true system's


@pytest.mark.parametrize(
    "options, message",
    [
        (["--steps", "10", "--horizon", "1"], "give one"),
        (["--initial", "missing.csv"], "initial-states file not found"),
        (["--initial", "bad.csv"], "no column 'v'; the state's columns are x, v"),
    ],
)
def test_bad_forecast_options_are_one_line(tmp_path, capsys, monkeypatch, options, message):
    monkeypatch.chdir(tmp_path)
    study = tmp_path / "s"
    assert main(["compare", "van-der-pol", "--quick", "--arms", "base", "--seeds", "1", "--out", str(study)]) == 0
    (tmp_path / "bad.csv").write_text("x\n1\n")
    capsys.readouterr()
    code = main(["forecast", str(study), "--arm", "base", "--out", str(tmp_path / "f"), *options])
    err = capsys.readouterr().err
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_simulated_orbits_are_a_series_file_too(tmp_path):
    out = tmp_path / "sim"
    assert main(["simulate", "lotka-volterra", "--orbits", "3", "--t-end", "2", "--dt", "0.1", "--out", str(out)]) == 0
    with np.load(out / "orbits.npz") as f:
        states = f["states"]
    task = physnet.series_task(out / "orbits.csv", group="orbit", name="simulated-lv")
    data = task.load()
    assert data.state_names == ("prey", "predators")
    rows = np.concatenate([data.x_train.double().numpy(), data.x_val.double().numpy()])
    np.testing.assert_allclose(rows, states.reshape(-1, 2), rtol=1e-6)  # the pairs are float32
