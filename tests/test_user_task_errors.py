"""Bad user tasks: one line on stderr, exit code 2, before any work, nothing written lost."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from physnet.cli.main import main
from physnet.tasks.registry import TASKS

TESTS = Path(__file__).parent
GOOD = "t,x,v\n" + "".join(f"{0.1 * i:.1f},{i},{2 * i}\n" for i in range(30))


@pytest.fixture(autouse=True)
def _importable_tests_and_registry_restored():
    before = dict(TASKS)
    sys.path.insert(0, str(TESTS))
    yield
    sys.path.remove(str(TESTS))
    TASKS.clear()
    TASKS.update(before)


def _csv(tmp_path: Path, text: str, name: str = "series.csv") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def _groups(sizes: list[int], *, columns: str = "run,t,a,b") -> str:
    rows = [columns]
    for g, n in enumerate(sizes):
        rows += [f"g{g},{0.1 * i:.1f},{i},{i * i}" for i in range(n)]
    return "\n".join(rows) + "\n"


CASES = {
    "module that does not import": (["no_such_module:Thing"], "cannot import 'no_such_module'"),
    "attribute missing": (["test_user_tasks:Nothing"], "has no 'Nothing'"),
    "not a system": (["json:dumps"], "is not a system"),
    "hnn for a non-Hamiltonian system": (["systems:VanDerPol", "--model", "hnn"], "neither Hamiltonian"),
    "energy for a sampler without one": (["test_user_tasks:Duffing", "--energy", "1"], "takes no energy"),
    "one orbit": (["test_user_tasks:Duffing", "--orbits", "1"], "--orbits must be at least 2"),
    "series option on a system": (["test_user_tasks:Duffing", "--group", "run"], "--group apply to FILE.csv"),
    "system option on a paper task": (["van-der-pol", "--orbits", "5"], "--orbits apply to module:Class"),
    "unknown name": (["dufing"], "unknown task 'dufing'"),
}
CSV_CASES = {
    "missing file": (None, [], "series file not found"),
    "missing column": (GOOD, ["--state", "x,nope"], "no column 'nope' (--state); the columns are t, x, v"),
    "non-numeric cell": (GOOD.replace("\n1.0,", "\nabc,", 1), [], "column 't' row 12: 'abc' is not a number"),
    "NaN": (GOOD.replace(",5,10\n", ",nan,10\n"), [], "column 'x' row 7 is nan"),
    "time not increasing": (GOOD.replace("0.5,5,", "0.3,5,"), [], "time does not increase at row 7"),
    "runs one after another without --group": (
        _groups([15, 15]).replace("g0,", "0,").replace("g1,", "1,"),
        ["--state", "a,b"],
        "time does not increase at row 17: if the file holds several runs one after another, name the column "
        "that tells them apart with --group COL (columns: run, a, b)",
    ),
    "time not increasing in a group": (
        _groups([15, 15]).replace("g1,0.3,", "g1,0.1,"),
        ["--group", "run"],
        "time does not increase at row 20 in group 'g1'; sort that group's rows by time",
    ),
    "derivative count": (GOOD, ["--state", "x,v", "--derivatives", "v"], "1 derivative column(s) for 2 state"),
    "hnn with an odd state count": (GOOD, ["--state", "x", "--model", "hnn"], "needs an even count"),
    "group shorter than the window": (_groups([30, 30, 6]), ["--group", "run"], "group 'g2' has 6 samples"),
    "one group": (_groups([30]), ["--group", "run"], "1 group(s) cannot be split"),
    "too few rows": ("t,x,v\n0,1,1\n0.1,2,1\n0.2,3,1\n", ["--state", "x", "--derivatives", "v"], "too few to split"),
    "group split over the file": (
        _groups([15, 15, 15]).replace("g1,1.4", "g0,1.4"),
        ["--group", "run"],
        "group 'g0' appears again",
    ),
    "uneven steps": (GOOD.replace("0.5,5,", "0.55,5,"), [], "not evenly sampled"),
    "system option on a file": (GOOD, ["--orbits", "3"], "--orbits apply to module:Class"),
}


def _refused(argv: list[str], expect: str, capsys, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(argv + ["--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert expect in err and len(err.splitlines()) == 1, err
    assert not out.exists()  # refused before a folder was made


@pytest.mark.parametrize("case", CASES)
def test_bad_systems_and_names_are_refused_in_one_line(case, capsys, tmp_path):
    argv, expect = CASES[case]
    _refused(["compare", *argv], expect, capsys, tmp_path)


@pytest.mark.parametrize("case", CSV_CASES)
def test_bad_series_files_are_refused_in_one_line(case, capsys, tmp_path):
    text, options, expect = CSV_CASES[case]
    path = str(tmp_path / "absent.csv") if text is None else _csv(tmp_path, text)
    _refused(["meta", path, *options], expect, capsys, tmp_path)


def test_a_refused_task_keeps_a_finished_study(tmp_path, capsys):
    out = tmp_path / "study"
    argv = ["compare", "test_user_tasks:Duffing", "--orbits", "3", "--t-end", "3", "--seeds", "1", "--epochs", "1"]
    assert main([*argv, "--hidden", "8", "--arms", "base", "--out", str(out)]) == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and p.name != ".lock"}
    assert main(["compare", "test_user_tasks:Duffing", "--energy", "1", "--out", str(out)]) == 2
    assert "takes no energy" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and p.name != ".lock"} == before
