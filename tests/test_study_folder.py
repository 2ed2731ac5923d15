"""A study folder is never corrupted: one writer at a time, one member per seed after any
interruption, resumed results equal to an uninterrupted run."""

from __future__ import annotations

import csv
import fcntl

import torch

from physnet.cli.main import main
from physnet.study.execution import Execution
from physnet.study.model_store import load_arm

ARGV = [
    "compare",
    "clock",
    "--arms",
    "base,tanh",
    "--seeds",
    "3",
    "--small",
    "--epochs",
    "1",
    "--hidden",
    "8",
    "--block-size",
    "1",
]


def _rows(path):
    with open(path) as fh:
        return sorted((r["arm"], r["seed"], r["metric"]) for r in csv.DictReader(fh))


def test_interrupt_between_model_file_and_rows_resumes_to_one_member_per_seed(tmp_path):
    whole, cut = tmp_path / "whole", tmp_path / "cut"
    assert main([*ARGV, "--out", str(whole)]) == 0
    assert main([*ARGV, "--out", str(cut)]) == 0
    # as if interrupted after models/tanh.pt took seed 2 but before runs.csv did
    lines = (cut / "runs.csv").read_text().splitlines()
    kept = [line for line in lines if not (line.startswith("tanh,2,"))]
    assert len(kept) == len(lines) - 1
    (cut / "runs.csv").write_text("\n".join(kept) + "\n")
    assert main([*ARGV, "--out", str(cut)]) == 0
    _, arch = load_arm(cut / "models" / "tanh.pt")
    assert sorted(arch["seeds"]) == [0, 1, 2]
    assert _rows(cut / "runs.csv") == _rows(whole / "runs.csv")
    a, _ = load_arm(whole / "models" / "tanh.pt")
    b, arch_b = load_arm(cut / "models" / "tanh.pt")
    order = [arch_b["seeds"].index(s) for s in range(3)]
    for (name, x), (_, y) in zip(a.state_dict().items(), b.state_dict().items(), strict=True):
        if x.ndim and x.shape[0] == 3:
            torch.testing.assert_close(x, y[order], msg=name)


def test_a_second_writer_is_refused(tmp_path, capsys):
    out = tmp_path / "busy"
    out.mkdir()
    with open(out / ".lock", "a") as held:  # another process writing (flock: per open file)
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert main([*ARGV, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "another physnet process is writing into" in err
    assert not (out / "runs.csv").exists()
    assert main([*ARGV, "--out", str(out)]) == 0  # released: runs


def test_a_study_in_memory_gives_the_folder_study_numbers_and_writes_nothing(tmp_path, monkeypatch):
    import numpy as np

    from physnet.study import StudyConfig, run_study
    from physnet.study.run import run_study_in_memory

    config = StudyConfig(
        task="van-der-pol", model="nn", arms=("base", "tanh"), seeds=3, epochs=1, hidden=(8,), small=True
    )
    on_disk = run_study(config, None, tmp_path / "study", execution=Execution(block_size=2))
    monkeypatch.chdir(tmp_path / "study")  # nothing may appear in the working folder either
    before = sorted(p.name for p in tmp_path.rglob("*"))
    in_memory = run_study_in_memory(config, None, execution=Execution(block_size=2))
    assert sorted(p.name for p in tmp_path.rglob("*")) == before
    assert set(in_memory.values) == {"base", "tanh"}
    for arm in ("base", "tanh"):
        np.testing.assert_array_equal(in_memory.values[arm], on_disk.values[arm])
    assert in_memory.arms["tanh"]["median"] == on_disk.arms["tanh"]["median"]
