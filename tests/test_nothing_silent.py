"""Nothing silently wrong: a study whose inputs changed is not extended (and reading it says
so), options that do not apply together are refused before any work, a rollout longer than the
data is refused with both numbers, and a missing Ray is refused before tuning."""

from __future__ import annotations

import importlib.util
import sys
import time

import numpy as np
import pytest

from physnet.cli.main import main

SYSTEM = """
import torch


class Spring:
    name = "spring"
    dim = 2
    state_names = ("x", "v")

    def __init__(self):
        self.stiffness = STIFFNESS

    def vector_field(self, t, y):
        return torch.stack([y[..., 1], -self.stiffness * y[..., 0]], -1)

    def sample_initial_states(self, n, *, generator=None, seed=None):
        g = generator if generator is not None else torch.Generator().manual_seed(seed or 0)
        return torch.rand(n, 2, generator=g, dtype=torch.float64) * 2 - 1
"""

QUICK = ["--seeds", "2", "--epochs", "2", "--hidden", "8", "--arms", "base", "--tune", "none", "--baselines", "none"]


def _series(path, amplitude: float = 1.0) -> str:
    t = np.arange(0, 20, 0.1)
    rows = ["run,t,x,v"]
    for run, a in enumerate((0.5, 1.0, 1.5, 0.8)):
        a = a * amplitude
        rows += [f"r{run},{s:.4f},{a * np.cos(s):.8f},{-a * np.sin(s):.8f}" for s in t]
    path.write_text("\n".join(rows) + "\n")
    return str(path)


def _err(capsys) -> list[str]:
    return capsys.readouterr().err.strip().splitlines()


def test_a_changed_series_file_is_not_extended_and_reading_it_says_so(tmp_path, capsys):
    csv = _series(tmp_path / "record.csv")
    study = tmp_path / "study"
    assert main(["compare", csv, "--group", "run", *QUICK, "--out", str(study)]) == 0
    _series(tmp_path / "record.csv", amplitude=1.1)  # the record is edited afterwards
    capsys.readouterr()
    assert main(["compare", csv, "--group", "run", *QUICK, "--seeds", "3", "--out", str(study)]) == 2
    err = _err(capsys)
    assert len(err) == 1 and "the series file's content changed since the study was made" in err[0]
    assert "--force" in err[0]
    with pytest.warns(RuntimeWarning, match="inputs changed since it was made") as caught:
        assert main(["forecast", str(study), "--arm", "base", "--steps", "10", "--out", str(tmp_path / "fc")]) == 0
    said = [str(w.message) for w in caught if "inputs changed" in str(w.message)]
    assert len(said) == 1 and "record.csv" in said[0] and "SHA-256 differs" in said[0]


def test_an_edited_system_module_is_not_extended(tmp_path, monkeypatch, capsys):
    (tmp_path / "springsys.py").write_text(SYSTEM.replace("STIFFNESS", "1.0"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    study = tmp_path / "study"
    argv = ["compare", "springsys:Spring", "--orbits", "6", "--t-end", "3", *QUICK]
    try:
        assert main([*argv, "--out", str(study)]) == 0
        (tmp_path / "springsys.py").write_text(SYSTEM.replace("STIFFNESS", "2.0"))
        sys.modules.pop("springsys", None)
        capsys.readouterr()
        assert main([*argv, "--seeds", "3", "--out", str(study)]) == 2
        err = _err(capsys)
        assert len(err) == 1 and "the system module's source" in err[0] and "--force" in err[0]
        assert main([*argv, "--seeds", "3", "--out", str(study), "--force"]) == 0  # asked for: starts afresh
    finally:
        sys.modules.pop("springsys", None)


@pytest.mark.parametrize(
    "argv, words",
    [
        (["compare", "van-der-pol", "--tune", "none", "--tune-grid", "0.1"], "--tune-grid sets the tuning"),
        (["compare", "van-der-pol", "--lr", "0.01", "--tune-seeds", "3"], "--tune-seeds sets the tuning"),
        (["compare", "clock", "--preset", "paper", "--tune-grid", "0.1,0.2"], "a preset without --tune lr"),
        (["compare", "van-der-pol", "--momentum", "0.9"], "--momentum applies to sgd and rmsprop"),
        (["compare", "van-der-pol", "--optimizer", "sgd", "--decay", "0.9"], "--decay applies to rmsprop only"),
        (["compare", "my.csv", "--noise-on", "states"], "--noise-on says where"),
        (["compare", "mod:Sys", "--noise-on", "states", "--noise", "0"], "--noise-on says where"),
        (["compare", "my.csv", "--force-model", "--model", "nn"], "--force-model"),
        (["compare", "van-der-pol", "--address", "auto"], "--address names a Ray cluster"),
    ],
)
def test_options_that_do_not_apply_together_are_refused_before_any_work(tmp_path, capsys, argv, words):
    began = time.perf_counter()
    assert main([*argv, "--out", str(tmp_path / "out")]) == 2
    err = _err(capsys)
    assert len(err) == 1 and words in err[0], err
    assert not (tmp_path / "out").exists() and time.perf_counter() - began < 5


def test_options_that_do_apply_pass_the_check():
    from argparse import Namespace

    from physnet.cli.combinations import check_combinations

    for fine in (
        Namespace(tune="lr", tune_grid=(0.1,), lr=None, preset=None),
        Namespace(preset="paper", tune="lr", tune_seeds=3),
        Namespace(optimizer="sgd", momentum=0.9),
        Namespace(optimizer="rmsprop", decay=0.9, initial_scale=1.0, momentum=0.5),
        Namespace(preset="paper", momentum=0.6),  # the preset's optimizer is rmsprop
        Namespace(noise=0.01, noise_on="states"),
        Namespace(force_model=True, model="hnn"),
        Namespace(momentum=0.0),
    ):
        check_combinations(fine)


def test_ray_missing_is_refused_before_tuning_and_leaves_nothing(tmp_path, capsys, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "ray" else real(name, *a))
    began = time.perf_counter()
    assert main(["compare", "van-der-pol", "--backend", "ray", "--quick", "--out", str(tmp_path / "out")]) == 2
    err = _err(capsys)
    assert len(err) == 1 and "the ray backend needs Ray" in err[0]
    assert not (tmp_path / "out").exists() and time.perf_counter() - began < 5


def test_a_rollout_longer_than_every_record_is_refused_with_both_numbers(tmp_path, capsys):
    t = np.arange(0, 6, 0.1)  # 60 rows
    rows = ["t,x,v"] + [f"{s:.3f},{np.cos(s):.6f},{-np.sin(s):.6f}" for s in t]
    (tmp_path / "short.csv").write_text("\n".join(rows) + "\n")
    argv = ["compare", str(tmp_path / "short.csv"), "--loss", "rollout", "--rollout-steps", "100", *QUICK]
    began = time.perf_counter()
    assert main([*argv, "--out", str(tmp_path / "out")]) == 2
    err = _err(capsys)
    assert len(err) == 1 and "--rollout-steps 100" in err[0] and "longest training record has" in err[0]
    assert "or fewer" in err[0] and time.perf_counter() - began < 10


def test_a_share_too_small_to_split_is_named_as_the_cause(tmp_path, capsys):
    t = np.arange(0, 6, 0.1)  # 60 rows: enough to split, not at 1 %
    rows = ["t,x,v"] + [f"{s:.3f},{np.cos(s):.6f},{-np.sin(s):.6f}" for s in t]
    (tmp_path / "short.csv").write_text("\n".join(rows) + "\n")
    assert main(["compare", str(tmp_path / "short.csv"), "--val-fraction", "0.01", "--out", str(tmp_path / "o")]) == 2
    err = _err(capsys)
    assert len(err) == 1 and "--val-fraction 0.01 of 60 rows leaves 1 validation" in err[0]
    assert "between 0.0333 and 0.967" in err[0]


def _one_row_group(path) -> str:
    """Three runs of 100 rows and a run of one row (with derivative columns)."""
    t = np.arange(0, 10, 0.1)
    rows = ["run,t,x,v,dx,dv"]
    runs = [(f"r{i}", a) for i, a in enumerate((0.5, 1.0, 1.5))]
    one = ["lone,0.0,0.3,0.1,0.1,-0.3"]
    for run, a in runs:
        rows += [
            f"{run},{s:.3f},{a * np.cos(s):.8f},{-a * np.sin(s):.8f},{-a * np.sin(s):.8f},{-a * np.cos(s):.8f}"
            for s in t
        ]
    rows += one
    path.write_text("\n".join(rows) + "\n")
    return str(path)


def test_a_validation_split_of_one_row_groups_is_refused_before_training(tmp_path, capsys):
    csv = _one_row_group(tmp_path / "one.csv")
    argv = ["compare", csv, "--group", "run", "--state", "x,v", "--derivatives", "dx,dv", *QUICK]
    began = time.perf_counter()
    assert main([*argv, "--out", str(tmp_path / "out")]) == 2
    err = _err(capsys)
    assert len(err) == 1 and "validation groups (the last 1) have at most 1 row(s)" in err[0], err
    assert time.perf_counter() - began < 10 and not (tmp_path / "out" / "models").exists()


def test_a_one_row_group_in_validation_is_left_out_of_the_forecasts(tmp_path, capsys):
    import torch

    from physnet.study.arm_skill import skill_truth
    from physnet.tasks.from_series import series_task

    csv = _one_row_group(tmp_path / "one.csv")
    task = series_task(csv, group="run", state="x,v", derivatives="dx,dv", val_fraction=0.5)
    data = task.load()
    y0, t, truth = skill_truth(data)
    assert len(y0) == 1 and len(t) == 100  # the lone row left out; the 100-row record rolled out whole
    assert torch.equal(truth[0].float(), data.x_val[:100].double().float())


def test_the_terminal_counts_failed_seeds():
    from physnet.cli.compare_cmd import _failed

    counts = {"n": 50, "failed": 50, "diverged": 50, "stalled": 0, "stuck": 0}
    assert _failed(counts) == "; 50 of 50 seeds failed (diverged 50)"
    assert _failed({"n": 5, "failed": 0, "diverged": 0}) == "" and _failed(None) == ""


def test_a_single_record_says_why_there_is_no_spread_scale():
    from physnet.study.calibration import calibration, calibration_sentence

    rng = np.random.default_rng(0)
    truth = rng.standard_normal((1, 21, 2))
    record = calibration(0.01 * rng.standard_normal((20, 1, 21, 2)), truth)
    assert record["spread_scale"] is None
    assert "No spread scale" in calibration_sentence(record) and "there is one" in calibration_sentence(record)


def test_a_users_module_that_loses_to_the_standard_library_is_named(tmp_path, monkeypatch, capsys):
    (tmp_path / "json.py").write_text("class S:\n    pass\n")
    monkeypatch.chdir(tmp_path)
    assert main(["compare", "json:S", "--out", str(tmp_path / "o")]) == 2
    err = _err(capsys)
    assert len(err) == 1 and "the standard library's" in err[0] and "json.py" in err[0] and "rename" in err[0]


def _failing_compile(after: int = 0):
    """A stand-in for ``torch.compile`` whose functions work ``after`` times, then fail as a
    full temporary directory makes inductor fail."""

    def compile_(fn, **kwargs):
        calls = [0]

        def compiled(*args, **kw):
            calls[0] += 1
            if calls[0] > after:
                raise RuntimeError("InductorError: OSError: [Errno 28] No space left on device\n" + "frames\n" * 1000)
            return fn(*args, **kw)

        return compiled

    return compile_


def test_compiled_training_falls_back_to_plain_code_with_one_warning(monkeypatch):
    import torch

    import physnet
    from physnet import compiled

    data = physnet.get_task("van-der-pol").load(seed=0, small=True)
    plain = physnet.build_model("nn", 2, [8], "sin", seeds=[0, 1])
    guarded = physnet.build_model("nn", 2, [8], "sin", seeds=[0, 1])
    expected = physnet.train(plain, data, physnet.TrainConfig(epochs=2)).val_loss
    monkeypatch.setattr(compiled, "_FAILED", set())
    monkeypatch.setattr(torch, "compile", _failing_compile(after=0))
    again = physnet.build_model("nn", 2, [8], "sin", seeds=[0, 1])
    with pytest.warns(RuntimeWarning, match="torch.compile failed for training") as caught:
        got = physnet.train(guarded, data, physnet.TrainConfig(epochs=2, compile=True)).val_loss
        physnet.train(again, data, physnet.TrainConfig(epochs=2, compile=True))  # the next run (tuning, blocks)
    assert sum("torch.compile failed" in str(w.message) for w in caught) == 1  # said once per process
    assert all(len(str(w.message).splitlines()) == 1 for w in caught)
    torch.testing.assert_close(got, expected)


def test_the_fused_sub_network_falls_back_when_a_later_compile_fails(monkeypatch):
    import torch

    from physnet.activations import fused_subnet

    monkeypatch.setattr(fused_subnet, "_compiled_cache", None)
    monkeypatch.setattr(fused_subnet, "_compile_failed", False)
    monkeypatch.setattr(torch, "compile", _failing_compile(after=1))  # the probe passes, the next call fails
    x = torch.linspace(-2, 2, 11)
    w, b, a = torch.randn(5), torch.randn(5), torch.randn(5)
    expected = fused_subnet.fused_residual(x, w, b, a, compiled=False)
    assert fused_subnet.compiled_kernels() is not None
    with pytest.warns(RuntimeWarning, match="torch.compile failed for the fused sub-network"):
        got = fused_subnet.fused_residual(x, w, b, a, compiled=True)
    torch.testing.assert_close(got, expected)


#: A value each option of a rule takes (a switch takes none), and the other arguments a command needs.
SAMPLE = {
    "tune_grid": ["0.1"], "tune_seeds": ["3"], "momentum": ["0.9"], "decay": ["0.9"], "initial_scale": ["1"],
    "noise_on": ["states"], "force_model": [], "rollout_steps": ["3"], "rollout_method": ["rk4"],
    "sindy_degree": ["2"], "address": ["auto"], "shooting": [], "continuity": ["2"],
}  # fmt: skip
REQUIRED = {"--vary": ["epochs=1,2"], "--arm": ["base"], "--sizes": ["4"]}


def _walk():
    import argparse

    from physnet.cli.combinations import RULES
    from physnet.cli.main import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    for name, sub in commands.items():
        actions = {a.dest: a for a in sub._actions}
        for rule in RULES:
            if rule.dest in actions:
                yield name, sub, rule


WALK = list(_walk())


def test_the_walk_covers_every_rule_and_the_study_commands():
    from physnet.cli.combinations import RULES

    assert {rule.dest for _, _, rule in WALK} == {rule.dest for rule in RULES}
    assert {name for name, _, _ in WALK} >= {"compare", "reproduce", "ablate"}


@pytest.mark.parametrize("command, sub, rule", WALK, ids=[f"{c}-{r.dest}" for c, _, r in WALK])
def test_every_option_of_every_command_is_refused_where_it_means_nothing(tmp_path, capsys, command, sub, rule):
    flag = next(a for a in sub._actions if a.dest == rule.dest).option_strings[0]
    required = [x for a in sub._actions if a.required and a.option_strings and a.dest != "out"
                for x in (a.option_strings[0], *REQUIRED[a.option_strings[0]])]  # fmt: skip
    positional = ["van-der-pol"] if any(not a.option_strings and a.dest == "task" for a in sub._actions) else []
    argv = [command, *positional, flag, *SAMPLE[rule.dest], *rule.off, *required, "--out", str(tmp_path / "o")]
    assert main(argv) == 2, argv
    err = _err(capsys)
    assert len(err) == 1 and rule.message in err[0], (argv, err)
    assert not (tmp_path / "o").exists()
