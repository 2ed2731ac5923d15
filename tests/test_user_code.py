"""A user's system at our boundary: its import, constructor and methods' errors reported as
theirs (one line, then the frames of their own file, exit 2), its methods' results checked on
sampled states before any work, solver failures said with the time and orbit, --debug."""

from __future__ import annotations

import math
import sys

import pytest

from physnet.cli.main import main

BASE = """
import torch


class Base:
    name = "base"
    dim = 2
    state_names = ("x", "v")

    def vector_field(self, t, y):
        return torch.stack([y[..., 1], -y[..., 0]], -1)

    def energy(self, y):
        return 0.5 * (y ** 2).sum(-1)

    def sample_initial_states(self, n, *, generator=None, seed=None):
        return torch.randn(n, 2, generator=torch.Generator().manual_seed(seed or 0), dtype=torch.float64)
"""

SYSTEMS = {
    "RaisesInInit": "    def __init__(self):\n        self.mass = {}['mass']\n",
    "RuntimeInInit": "    def __init__(self):\n        raise RuntimeError('no config file')\n",
    "WrongShape": "    def vector_field(self, t, y):\n        return torch.cat([y, y[..., :1]], -1)\n",
    "FloatEnergy": "    def energy(self, y):\n        return 1.0\n",
    "VectorHamiltonian": "    n_dof = 1\n\n    def hamiltonian(self, y):\n        return y ** 2\n",
    "NaNField": "    def vector_field(self, t, y):\n        return y * float('nan')\n",
    "ListSampler": (
        "    def sample_initial_states(self, n, *, generator=None, seed=None):\n        return [[0.0, 1.0]] * n\n"
    ),
    "IntField": "    def vector_field(self, t, y):\n        return torch.zeros(y.shape, dtype=torch.int64)\n",
    "LateNaN": (
        "    def vector_field(self, t, y):\n"
        "        out = torch.stack([y[..., 1], -y[..., 0]], -1)\n"
        "        return out * float('nan') if float(t) > 1.5 else out\n"
    ),
    "Blowup": "    def vector_field(self, t, y):\n        return torch.stack([y[..., 1], y[..., 0] ** 3], -1)\n",
}


@pytest.fixture
def user_module(tmp_path, monkeypatch):
    source = BASE + "".join(f"\n\nclass {name}(Base):\n{body}" for name, body in SYSTEMS.items())
    (tmp_path / "usersys.py").write_text(source)
    (tmp_path / "syntaxbad.py").write_text("import torch\nclass A:\n    def f(:\n")
    (tmp_path / "importbad.py").write_text("import torch\n\nraise RuntimeError('import boom')\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in ("usersys", "syntaxbad", "importbad"):
        sys.modules.pop(name, None)


def _run(argv, capsys):
    code = main(argv)
    return code, capsys.readouterr().err.strip().splitlines()


@pytest.mark.parametrize(
    "target, first_line, frame",
    [
        ("usersys:RaisesInInit", "usersys:RaisesInInit: building RaisesInInit raised KeyError: 'mass'", "usersys.py:"),
        ("usersys:RuntimeInInit", "building RuntimeInInit raised RuntimeError: no config file", "in __init__"),
        ("syntaxbad:A", "syntaxbad:A: syntaxbad has a syntax error", "syntaxbad.py:3"),
        ("importbad:A", "importing importbad raised RuntimeError: import boom", "importbad.py:3 in <module>"),
    ],
)
@pytest.mark.parametrize("command", ["simulate", "compare"])
def test_errors_in_the_users_file_are_theirs(user_module, capsys, command, target, first_line, frame):
    code, err = _run([command, target, "--out", str(user_module / "out")], capsys)
    assert code == 2
    assert first_line in err[0]
    assert len(err) == 2 and frame in err[1] and str(user_module) in err[1]  # only their file's frame
    assert not (user_module / "out").exists()


@pytest.mark.parametrize(
    "target, message",
    [
        ("WrongShape", "`vector_field` returned shape (8, 3) for states of shape (8, 2); expected (8, 2)"),
        ("FloatEnergy", "`energy` returned a float for states of shape (8, 2); expected a torch.Tensor shaped (8,)"),
        ("VectorHamiltonian", "`hamiltonian` returned shape (8, 2) for states of shape (8, 2); expected (8,)"),
        ("NaNField", "`vector_field` returned NaN or infinite values"),
        ("ListSampler", "`sample_initial_states` returned a list for n=8"),
        ("IntField", "`vector_field` returned torch.int64 values"),
    ],
)
def test_a_broken_protocol_is_one_line_before_any_work(user_module, capsys, target, message):
    code, err = _run(["simulate", f"usersys:{target}", "--out", str(user_module / "out")], capsys)
    assert code == 2 and len(err) == 1
    assert message in err[0]
    if "NaN" not in message:  # the protocol's pointer (a NaN is a value, not a protocol matter)
        assert "docs/your-own.md" in err[0]
    assert not (user_module / "out").exists()


def test_a_field_that_turns_nan_says_when_and_which_orbit(user_module, capsys):
    code, err = _run(["simulate", "usersys:LateNaN", "--t-end", "5", "--out", str(user_module / "o")], capsys)
    assert code == 2 and len(err) == 1
    assert "the vector field returned NaN or inf at t=1.5" in err[0] and "for orbit 0 (state [" in err[0]


def test_an_orbit_that_blows_up_says_when_and_why(user_module, capsys):
    code, err = _run(["simulate", "usersys:Blowup", "--t-end", "10", "--out", str(user_module / "o")], capsys)
    assert code == 2 and len(err) == 1
    assert "step shrank to nothing at t=" in err[0] and "stiff or blowing up" in err[0]
    assert "underflow" not in err[0] and "Assertion" not in err[0]


def test_a_fixed_step_blowup_names_the_last_finite_state(user_module, capsys):
    argv = ["simulate", "usersys:Blowup", "--method", "rk4", "--t-end", "10", "--out", str(user_module / "o")]
    code, err = _run(argv, capsys)
    assert code == 2 and "diverged (non-finite state at t=" in err[0] and "last finite state [" in err[0]


@pytest.mark.parametrize("how", ["flag", "environment"])
def test_debug_shows_the_full_traceback(user_module, monkeypatch, how):
    argv = ["simulate", "usersys:RaisesInInit", "--out", str(user_module / "o")]
    if how == "flag":
        argv.append("--debug")
    else:
        monkeypatch.setenv("PHYSNET_DEBUG", "1")
    with pytest.raises(Exception, match="building RaisesInInit raised KeyError") as caught:
        main(argv)
    assert isinstance(caught.value.__cause__, KeyError)  # the user's own exception, chained


def test_a_good_system_passes_the_check(user_module, capsys):
    assert main(["simulate", "usersys:Base", "--orbits", "2", "--t-end", "1", "--out", str(user_module / "o")]) == 0


@pytest.mark.parametrize(
    "header, options, message",
    [
        ("t,x,x", [], "line 1 names column(s) 'x' more than once"),
        ("t,x,v", ["--state", "t,x"], "--state names 't', the time column"),
        ("t,x,v,g", ["--group", "g", "--state", "x,g"], "--state names 'g', the group column"),
        ("t,x,v,dx,dv", ["--state", "x,v", "--derivatives", "dx,t"], "--derivatives names 't', the time column"),
        ("t,x,v", ["--state", "x,x"], "--state names 'x' more than once"),
    ],
)
def test_a_series_column_in_two_roles_is_refused(tmp_path, capsys, header, options, message):
    rows = [header] + [",".join(str(0.1 * i + j) for j in range(len(header.split(",")))) for i in range(40)]
    if "g" in header.split(","):
        rows = [header] + [",".join([*r.split(",")[:-1], "1"]) for r in rows[1:]]
    (tmp_path / "s.csv").write_text("\n".join(rows) + "\n")
    code, err = _run(
        ["compare", str(tmp_path / "s.csv"), *options, "--arms", "base", "--out", str(tmp_path / "o")], capsys
    )
    assert code == 2 and len(err) == 1 and message in err[0]


def test_an_oversized_field_is_refused_with_its_line(tmp_path, capsys):
    rows = ["t,x,v", *(f"{i},{i},{i}" for i in range(10)), "10," + "9" * 200_000 + ",1"]
    (tmp_path / "s.csv").write_text("\n".join(rows) + "\n")
    code, err = _run(["compare", str(tmp_path / "s.csv"), "--arms", "base", "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and len(err) == 1 and "line 12 cannot be read as CSV" in err[0]


@pytest.fixture(scope="module")
def study_and_meta(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    assert main(["compare", "van-der-pol", "--arms", "base", "--seeds", "2", "--epochs", "1", "--small",
                 "--tune", "none", "--out", str(root / "study")]) == 0  # fmt: skip
    assert main(["meta", "van-der-pol", "--quick", "--outer-steps", "1", "--out", str(root / "meta")]) == 0
    assert main(["simulate", "pendulum", "--orbits", "2", "--t-end", "1", "--out", str(root / "sim")]) == 0
    return root


@pytest.mark.parametrize(
    "argv, into, kind",
    [
        (["simulate", "pendulum", "--orbits", "2", "--t-end", "1"], "study", "study"),
        (["simulate", "pendulum", "--orbits", "2", "--t-end", "1"], "meta", "meta"),
        (["meta", "van-der-pol", "--quick", "--outer-steps", "1"], "study", "study"),
        (["forecast", "{study}", "--arm", "base"], "study", "study"),
        (["forecast", "{study}", "--arm", "base"], "meta", "meta"),
        (["analyze", "{study}", "--participation"], "meta", "meta"),
        (["compare", "van-der-pol", "--arms", "base", "--seeds", "2", "--small"], "sim", "simulate"),
        (["track", "--tracks", "{tracks}", "--fps", "30"], "study", "study"),
    ],
)
def test_no_command_writes_into_another_commands_folder(study_and_meta, tmp_path, capsys, argv, into, kind):
    tracks = tmp_path / "tracks.csv"
    tracks.write_text("t,red_x,red_y\n" + "".join(f"{i / 30},{100 + i},{200}\n" for i in range(60)))
    folder = study_and_meta / into
    before = sorted(p.name for p in folder.rglob("*"))
    argv = [a.format(study=study_and_meta / "study", tracks=tracks) for a in argv]
    code, err = _run([*argv, "--out", str(folder)], capsys)
    assert code == 2 and len(err) == 1
    assert f"holds a {kind} run" in err[0] and "choose another --out" in err[0]
    assert sorted(p.name for p in folder.rglob("*")) == before


def test_a_series_study_is_known_by_its_content_not_by_how_its_path_was_typed(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rows = ["t,x,v"] + [f"{0.05 * i},{math.sin(0.05 * i)},{math.cos(0.05 * i)}" for i in range(400)]
    (tmp_path / "rec.csv").write_text("\n".join(rows) + "\n")
    common = ["--arms", "base", "--seeds", "2", "--epochs", "1", "--tune", "none", "--model", "nn", "--out", "study"]
    assert main(["compare", "rec.csv", *common]) == 0
    first = (tmp_path / "study" / "runs.csv").read_text()
    assert main(["compare", str(tmp_path / "rec.csv"), *common]) == 0  # the same study: resumed, nothing retrained
    assert (tmp_path / "study" / "runs.csv").read_text() == first
    (tmp_path / "rec.csv").write_text("\n".join(rows[:-5]) + "\n")  # a changed file is another study
    code, err = _run(["compare", "rec.csv", *common], capsys)
    assert code == 2 and "other settings" in err[-1]
