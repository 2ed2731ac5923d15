"""`physnet meta`: outputs, reuse of the activations file, resume, bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from physnet.activations import load_activations
from physnet.cli.main import main
from physnet.networks import build_model

SMALL = ["--quick", "--no-progress", "--hidden", "16", "--width", "8", "--outer-steps", "3", "--inner-steps", "5"]


def test_meta_writes_activations_history_config_and_plots(tmp_path):
    out = tmp_path / "vdp"
    assert main(["meta", "van-der-pol", "--out", str(out), *SMALL]) == 0
    for name in (
        "activations.npz",
        "history.npz",
        "config.json",
        "activation_evolution.png",
        "learned_vs_base.png",
        "training_curves.png",
        "checkpoint.pt",
    ):
        assert (out / name).exists(), name
    config = json.loads((out / "config.json").read_text())
    assert config["interpolation"] == "linear" and config["config"]["k"] == 2
    history = np.load(out / "history.npz", allow_pickle=False)
    assert history["activations"].shape == (4, 2, 100) and history["val_loss"].shape == (4,)
    # the frozen types drop into a network of another task
    bank = load_activations(out / "activations.npz", k=2)
    hnn = build_model("hnn", 4, [10], bank, seeds=[0])
    assert hnn(torch.randn(3, 4)).shape == (3, 4)


def test_clock_with_a_data_file_and_hnn_cubic(tmp_path):
    series = tmp_path / "series.csv"
    t = np.arange(400) * 0.03
    theta = 0.1 * np.sin(3 * t)
    np.savetxt(
        series,
        np.stack([t, theta, 0.3 * np.cos(3 * t), -0.9 * np.sin(3 * t)], 1),
        delimiter=",",
        header="t,theta,theta_dot,theta_ddot",
        comments="",
    )
    out = tmp_path / "clock"
    assert main(["meta", "clock", "--data", str(series), "--out", str(out), *SMALL]) == 0
    config = json.loads((out / "config.json").read_text())
    assert config["interpolation"] == "cubic" and config["data"]["source"] == str(series)


def test_henon_heiles_takes_both_models(tmp_path):
    for model in ("nn", "hnn"):
        assert main(["meta", "henon-heiles", "--model", model, "--out", str(tmp_path / model), *SMALL]) == 0


def test_resume_continues_to_more_outer_steps(tmp_path):
    out = tmp_path / "run"
    assert main(["meta", "van-der-pol", "--out", str(out), *SMALL]) == 0
    args = [a if a != "3" else "5" for a in SMALL]
    assert main(["meta", "van-der-pol", "--out", str(out), *args, "--resume"]) == 0
    history = np.load(out / "history.npz")
    assert history["outer_step"].tolist() == [0, 1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["meta", "lorenz"], "unknown task"),
        (["meta", "van-der-pol", "--k", "0"], "positive integer"),
        (["meta", "van-der-pol", "--fractions", "0.2,0.2"], "summing to 1"),
        (["meta", "van-der-pol", "--data", "x.csv"], "--data applies"),
        (["meta", "van-der-pol", "--model", "hnn"], "takes models nn"),
        (["meta", "clock", "--data", "/nonexistent.csv"], "not found"),
        (["meta", "van-der-pol", "--inner-lr", "1e4", "--inner-optimizer", "sgd"], "at outer step 1"),
    ],
)
def test_bad_input_exit_2_one_line(tmp_path, capsys, argv, message):
    assert main([*argv, "--out", str(tmp_path / "o"), *SMALL]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err
