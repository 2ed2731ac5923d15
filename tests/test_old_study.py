"""A study folder written by an earlier tree (f0561e1, before the reference arms, the tuning
rule and the settings work; ``tests/data/old_study``: van der Pol, small, arms base and tanh,
2 seeds of 2 epochs, hidden 8, no tuning) still resumes: a larger ``--seeds`` extends it, the
seeds it holds keep their numbers, and forecast reads its networks."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

from physnet.cli.main import main

OLD = Path(__file__).parent / "data" / "old_study"
ARGV = ["compare", "van-der-pol", "--small", "--arms", "base,tanh", "--epochs", "2", "--tune", "none", "--hidden", "8"]


def _rows(path: Path) -> list[dict]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def test_an_old_study_resumes_and_extends(tmp_path, capsys):
    study = tmp_path / "study"
    shutil.copytree(OLD, study)
    before = {(r["arm"], r["seed"]): r["metric"] for r in _rows(study / "runs.csv")}
    assert main([*ARGV, "--seeds", "3", "--out", str(study)]) == 0
    after = {(r["arm"], r["seed"]): r["metric"] for r in _rows(study / "runs.csv")}
    assert len(after) == 6 and all(after[k] == v for k, v in before.items())  # extended, not redone
    summary = json.loads((study / "summary.json").read_text())
    assert summary["arms"]["base"]["n"] == 3 and "sindy" in summary["references"]
    capsys.readouterr()
    assert main(["forecast", str(study), "--arm", "tanh", "--steps", "20", "--out", str(tmp_path / "fc")]) == 0
