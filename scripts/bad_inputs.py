"""Try the command line with bad inputs, as a new user would, and print a table: command,
exit code, lines on stderr and the first of them (or a line saying what a case looks for).
Used for the before/after tables of issues 17, 28 and 38.

    python scripts/bad_inputs.py                          # this checkout
    python scripts/bad_inputs.py --repo /tmp/old          # another checkout (its own .venv or --python)

Fixtures (a simulate folder, a small study, a clock video, broken files) are made once with
this checkout's physnet in a temporary folder; every case runs in its own output folder.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]

#: (label, argv) with {F} for the fixtures folder and {O} for a fresh output folder.
CASES = [
    ("orbits not a number", "simulate pendulum --orbits many --out {O}"),
    ("unknown arm", "compare clock --arms base,foo --out {O}"),
    ("sizes not numbers", "sweep-size clock --sizes abc --out {O}"),
    ("seeds 0", "compare clock --seeds 0 --out {O}"),
    ("reproduce seeds 0", "reproduce clock --seeds 0 --quick --out {O}"),
    ("forecast orbits 0", "forecast {F}/study --arm base --orbits 0 --out {O}"),
    ("forecast 50 orbits", "forecast {F}/study --arm base --orbits 50 --out {O}"),
    ("forecast 1e8 steps", "forecast {F}/study --arm base --steps 100000000 --out {O}"),
    ("rtol -1", "simulate pendulum --rtol -1 --out {O}"),
    ("rtol nan", "simulate pendulum --rtol nan --out {O}"),
    ("t-end inf", "simulate pendulum --t-end inf --out {O}"),
    ("a billion orbits", "simulate pendulum --orbits 1000000000 --out {O}"),
    ("device tpu (meta)", "meta van-der-pol --device tpu --out {O}"),
    ("device tpu (compare)", "compare van-der-pol --arms base --device tpu --out {O}"),
    ("inner steps 0", "meta van-der-pol --inner-steps 0 --quick --outer-steps 1 --out {O}"),
    ("outer steps 0", "meta van-der-pol --outer-steps 0 --quick --out {O}"),
    ("huge seed", f"meta van-der-pol --seed {2**70} --quick --outer-steps 1 --out {{O}}"),
    ("resume without checkpoint", "meta van-der-pol --resume --quick --outer-steps 1 --out {O}"),
    ("meta over a finished run", "meta van-der-pol --quick --outer-steps 1 --out {F}/meta"),
    ("analyze hessian-seeds -1", "analyze {F}/study --hessian-seeds -1 --out {O}"),
    ("analyze hessian-seeds 0", "analyze {F}/study --hessian-seeds 0 --out {O}"),
    ("analyze flat-tol nan", "analyze {F}/study --flat-tol nan --out {O}"),
    ("analyze a missing folder", "analyze {O}/missing"),
    ("analyze a simulate folder", "analyze {F}/sim --out {O}"),
    ("study config.json a list", "analyze {F}/listcfg --out {O}"),
    ("reproduce into a simulate folder", "reproduce clock --quick --seeds 1 --out {F}/sim_copy"),
    ("address without ray", "compare clock --arms base --address auto --out {O}"),
    ("unreachable Ray cluster", "reproduce clock --quick --backend ray --address 127.0.0.1:1 --out {O}"),
    ("activations metadata a list", "compare clock --activations {F}/listmeta.npz --out {O}"),
    ("model file: bare tensor", "forecast {F}/bare --arm base --out {O}"),
    ("track roi outside", "track {F}/clock.mp4 --roi 5000,5000,10,10 --out {O}"),
    ("track pivot 3 numbers", "track {F}/clock.mp4 --mark red --pivot 1,2,3 --out {O}"),
    ("track max-gap -1", "track {F}/clock.mp4 --max-gap -1 --out {O}"),
    ("track min-area -5", "track {F}/clock.mp4 --min-area -5 --out {O}"),
    ("track start nan", "track {F}/clock.mp4 --start nan --out {O}"),
    ("track fps 0", "track --tracks {F}/frames.csv --fps 0 --out {O}"),
    ("corrupt mp4", "track {F}/corrupt.mp4 --out {O}"),
    ("truncated avi", "track {F}/trunc.avi --out {O}"),
    ("series with a BOM", "meta clock --data {F}/bom.csv --quick --outer-steps 1 --out {O}"),
    ("binary series", "meta clock --data {F}/binary.csv --quick --outer-steps 1 --out {O}"),
    # issue 28: a user's own code and files at our boundary
    ("system: constructor raises KeyError", "simulate usersys:RaisesInInit --out {O}"),
    ("system: constructor raises RuntimeError", "compare usersys:RuntimeInInit --out {O}"),
    ("system: module has a syntax error", "simulate syntaxbad:A --out {O}"),
    ("system: module raises on import", "compare importbad:A --out {O}"),
    ("system: vector field of the wrong shape", "simulate usersys:WrongShape --out {O}"),
    ("system: vector field returns NaN", "simulate usersys:NaNField --out {O}"),
    ("system: vector field NaN after t=1.5", "simulate usersys:LateNaN --t-end 5 --out {O}"),
    ("system: orbit blows up", "simulate usersys:Blowup --t-end 10 --out {O}"),
    ("system: energy a Python float", "simulate usersys:FloatEnergy --out {O}"),
    ("system: Hamiltonian a vector", "compare usersys:VectorHamiltonian --model hnn --quick --out {O}"),
    ("series: a column named twice", "compare {F}/dup.csv --arms base --quick --out {O}"),
    ("series: --state names the time column", "compare {F}/rec.csv --state t,x --arms base --quick --out {O}"),
    ("series: a field of 200,000 characters", "compare {F}/bigfield.csv --arms base --quick --out {O}"),
    ("forecast into a study folder", "forecast {F}/study --arm base --out {F}/study_a"),
    ("simulate into a meta folder", "simulate pendulum --orbits 2 --out {F}/meta_a"),
    ("meta into a study folder", "meta van-der-pol --quick --outer-steps 1 --out {F}/study_b"),
    ("analyze into a meta folder", "analyze {F}/study --participation --out {F}/meta_b"),
    ("series: a value beyond float32 (1e39)", "compare {F}/huge.csv --arms base --quick --out {O}"),
    ("series: hnn on an odd state count", "compare {F}/odd.csv --model hnn --arms base --quick --out {O}"),
    ("series: hnn on a damped record", "compare {F}/damped.csv --model hnn --arms base --quick --out {O}"),
    ("--cache-dir under a file", "simulate pendulum --orbits 1 --cache-dir {F}/rec.csv/cache --out {O}"),
    ("--loss rollout on a classification task", "compare mnist1d --arms base --loss rollout --out {O}"),
    ("--rollout-steps 0", "compare van-der-pol --arms base --loss rollout --rollout-steps 0 --out {O}"),
    ("--model dhnn on an odd state count", "compare {F}/odd.csv --model dhnn --arms base --quick --out {O}"),
    # issue 38: nothing silently wrong
    ("tune none with a tuning grid", "compare van-der-pol --arms base --tune none --tune-grid 0.1 --out {O}"),
    ("lr with tuning seeds", "compare van-der-pol --arms base --lr 0.01 --tune-seeds 3 --out {O}"),
    ("noise-on without noise", "compare systems:MassSpring --arms base --noise-on states --out {O}"),
    ("force-model with nn", "compare {F}/rec.csv --arms base --force-model --model nn --out {O}"),
    ("momentum with adam", "compare van-der-pol --arms base --momentum 0.9 --out {O}"),
    ("rollout past the record", "compare {F}/rec.csv --arms base --loss rollout --rollout-steps 10000 --out {O}"),
    ("forecast band level 1.5", "forecast {F}/study --arm base --levels 0.5,1.5 --out {O}"),
    ("forecast a seed not stored", "forecast {F}/study --arm base --seed 99 --out {O}"),
    # issue 38's other cases of "Why" (their settings in SETTINGS)
    ("forecast after the series changed", "forecast {F}/serstudy --arm base --orbits 1 --out {O}"),
    ("forecast --initial on a series study", "forecast {F}/serstudy --arm base --initial {F}/init.csv --out {O}"),
    (
        "extend after the module changed",
        "compare usermod:Osc --arms base --seeds 3 --epochs 1 --tune none --out {F}/mod",
    ),
    ("ray missing", "compare van-der-pol --arms base --backend ray --quick --seeds 2 --out {O}"),
    (
        "a group of one row with derivatives",
        "compare {F}/one.csv --state x,v --derivatives dx,dv --group g --arms base --quick --out {O}",
    ),
    ("--compile with a failing compiler (compare)", "compare clock --arms base --seeds 2 --small --compile --out {O}"),
    ("--compile with a failing compiler (meta)", "meta van-der-pol --quick --outer-steps 1 --compile --out {O}"),
    ("standard output a full disk", "compare clock --arms base --seeds 2 --small --epochs 1 --tune none --out {O}"),
    ("val-fraction 0.01 on 60 rows", "compare {F}/rec60.csv --arms base --val-fraction 0.01 --quick --out {O}"),
    ("a json.py shadowed by the standard library", "compare json:S --arms base --quick --out {O}"),
    ("every tuning seed fails", "compare van-der-pol --arms base --quick --seeds 2 --tune-grid 1e6 --out {O}"),
]

#: Settings of a case beyond its command: ``cwd`` (a fixtures subfolder, run as the ``physnet``
#: command runs: ``python -P``), ``stdout`` (a file
#: to write standard output to), ``env`` (variables), ``path`` (a fixtures subfolder put first
#: on PYTHONPATH), ``look`` (a text: the message is the first line of stdout or stderr holding it).
SETTINGS: dict[str, dict] = {
    "ray missing": {"path": "noray"},
    "--compile with a failing compiler (compare)": {"env": {"CXX": "/bin/false", "CC": "/bin/false"}},
    "--compile with a failing compiler (meta)": {"env": {"CXX": "/bin/false", "CC": "/bin/false"}},
    "standard output a full disk": {"stdout": "/dev/full"},
    "a json.py shadowed by the standard library": {"cwd": "shadow"},
    "every tuning seed fails": {"look": "failed"},
    "forecast after the series changed": {"look": "changed"},
}


def _fixtures(folder: Path, python: str) -> None:
    def physnet(*argv: str) -> None:
        subprocess.run([python, "-m", "physnet.cli.main", *argv], cwd=HERE, check=True, capture_output=True)

    physnet("simulate", "pendulum", "--orbits", "2", "--out", str(folder / "sim"))
    physnet("simulate", "pendulum", "--orbits", "2", "--out", str(folder / "sim_copy"))
    physnet(
        "compare", "clock", "--arms", "base", "--seeds", "2", "--small", "--epochs", "1", "--out", str(folder / "study")
    )
    physnet("meta", "van-der-pol", "--quick", "--outer-steps", "1", "--out", str(folder / "meta"))
    for copy in ("study_a", "study_b"):
        shutil.copytree(folder / "study", folder / copy)
    for copy in ("meta_a", "meta_b"):
        shutil.copytree(folder / "meta", folder / copy)
    _user_files(folder)
    physnet(
        "compare", str(folder / "series.csv"), "--arms", "base", "--seeds", "2", "--epochs", "1", "--tune", "none",
        "--out", str(folder / "serstudy"),
    )  # fmt: skip
    lines = (folder / "series.csv").read_text().splitlines()
    t, x, v = lines[101].split(",")
    lines[101] = f"{t},{float(x) + 0.01},{v}"  # one value measured again
    (folder / "series.csv").write_text("\n".join(lines) + "\n")
    env = {**os.environ, "PYTHONPATH": str(folder)}
    argv = ["compare", "usermod:Osc", "--arms", "base", "--seeds", "2", "--epochs", "1", "--tune", "none"]
    subprocess.run(
        [python, "-m", "physnet.cli.main", *argv, "--out", str(folder / "mod")],
        cwd=folder, env=env, check=True, capture_output=True,
    )  # fmt: skip
    (folder / "usermod.py").write_text(USER_MODULE.replace("1.0 *", "2.0 *"))
    (folder / "listcfg").mkdir()
    (folder / "listcfg" / "config.json").write_text("[1, 2]")
    (folder / "bare" / "models").mkdir(parents=True)
    (folder / "bare" / "config.json").write_text((folder / "study" / "config.json").read_text())
    script = f"""
import json, os, numpy as np, torch, video
from pathlib import Path
F = Path({str(folder)!r})
torch.save(torch.zeros(3), F / "bare" / "models" / "base.pt")
np.savez(F / "listmeta.npz", grid=np.linspace(-1, 1, 5), values=np.zeros((2, 5)), metadata=json.dumps([1, 2]))
t = np.arange(150) / 30.0
theta = 0.1 * np.sin(2 * np.pi * t / 2.0)
scene = video.Scene(size=(480, 360), mark_distances=(90.0, 250.0))
mp4 = video.render_pendulum(F / "clock.mp4", theta, 30.0, scene).read_bytes()
avi = video.render_pendulum(F / "clock.avi", theta, 30.0, scene).read_bytes()
(F / "trunc.avi").write_bytes(avi[: len(avi) // 2])
third = len(mp4) // 3
bad = bytearray(mp4); bad[third: 2 * third] = np.random.default_rng(0).integers(0, 256, third, dtype=np.uint8).tobytes()
(F / "corrupt.mp4").write_bytes(bytes(bad))
(F / "frames.csv").write_text("frame,red_x,red_y\\n0,1,2\\n1,1.5,2.5\\n")
from systems.clock_data import shipped_clock_path
(F / "bom.csv").write_bytes(b"\\xef\\xbb\\xbf" + shipped_clock_path().read_bytes())
(F / "binary.csv").write_bytes(b"\\xff\\xfe\\x00\\x81" * 50)
"""
    subprocess.run([python, "-c", script], cwd=HERE, check=True)


USER_SYSTEMS = """
import torch


class Base:
    name, dim, state_names = "base", 2, ("x", "v")

    def vector_field(self, t, y):
        return torch.stack([y[..., 1], -y[..., 0]], -1)

    def energy(self, y):
        return 0.5 * (y ** 2).sum(-1)

    def sample_initial_states(self, n, *, generator=None, seed=None):
        return torch.randn(n, 2, generator=torch.Generator().manual_seed(seed or 0), dtype=torch.float64)


class RaisesInInit(Base):
    def __init__(self):
        self.mass = {}["mass"]


class RuntimeInInit(Base):
    def __init__(self):
        raise RuntimeError("no config file")


class WrongShape(Base):
    def vector_field(self, t, y):
        return torch.cat([y, y[..., :1]], -1)


class NaNField(Base):
    def vector_field(self, t, y):
        return y * float("nan")


class LateNaN(Base):
    def vector_field(self, t, y):
        out = torch.stack([y[..., 1], -y[..., 0]], -1)
        return out * float("nan") if float(t) > 1.5 else out


class Blowup(Base):
    def vector_field(self, t, y):
        return torch.stack([y[..., 1], y[..., 0] ** 3], -1)


class FloatEnergy(Base):
    def energy(self, y):
        return 1.0


class VectorHamiltonian(Base):
    n_dof = 1

    def hamiltonian(self, y):
        return y ** 2
"""


USER_MODULE = """
import torch


class Osc:
    name, dim, state_names = "osc", 2, ("x", "v")

    def vector_field(self, t, y):
        return torch.stack([y[..., 1], -1.0 * y[..., 0]], -1)

    def sample_initial_states(self, n, *, generator=None, seed=None):
        return torch.randn(n, 2, generator=torch.Generator().manual_seed(seed or 0), dtype=torch.float64)
"""


def _user_files(folder: Path) -> None:
    """A user's misbehaving systems and series files (issues 28 and 38)."""
    import math

    (folder / "usersys.py").write_text(USER_SYSTEMS)
    (folder / "syntaxbad.py").write_text("import torch\nclass A:\n    def f(:\n")
    (folder / "importbad.py").write_text("import torch\n\nraise RuntimeError('import boom')\n")
    rows = [f"{0.05 * i},{math.sin(0.05 * i)},{math.cos(0.05 * i)}" for i in range(400)]
    (folder / "rec.csv").write_text("t,x,v\n" + "\n".join(rows) + "\n")
    (folder / "dup.csv").write_text("t,x,x\n" + "\n".join(rows) + "\n")
    (folder / "bigfield.csv").write_text("t,x,v\n" + "\n".join(rows[:20]) + "\n1," + "9" * 200_000 + ",1\n")
    (folder / "huge.csv").write_text("t,x,v\n" + "\n".join(rows[:50]) + "\n2.55,1e39,1\n" + "\n".join(rows[52:]) + "\n")
    odd = [f"{0.05 * i},{math.sin(0.05 * i)},{math.cos(0.05 * i)},{math.sin(0.1 * i)}" for i in range(400)]
    (folder / "odd.csv").write_text("t,x,v,w\n" + "\n".join(odd) + "\n")
    decay = [math.exp(-0.05 * i * 0.05) for i in range(400)]
    damped = [f"{0.05 * i},{d * math.cos(0.05 * i)},{-d * math.sin(0.05 * i)}" for i, d in enumerate(decay)]
    (folder / "damped.csv").write_text("t,q,p\n" + "\n".join(damped) + "\n")
    (folder / "series.csv").write_text("t,x,v\n" + "\n".join(rows) + "\n")
    (folder / "rec60.csv").write_text("t,x,v\n" + "\n".join(rows[:60]) + "\n")
    (folder / "init.csv").write_text("x,v\n0.5,0.0\n")
    (folder / "usermod.py").write_text(USER_MODULE)
    cells = [(0.05 * i, math.sin(0.05 * i), math.cos(0.05 * i)) for i in range(200)]
    one = [f"{t},{s * x},{s * v},{s * v},{-s * x},{g}" for g, s in (("a", 1), ("c", 2), ("d", 3)) for t, x, v in cells]
    (folder / "one.csv").write_text("t,x,v,dx,dv,g\n" + "\n".join([*one, "0.0,0.1,0.2,0.2,-0.1,b"]) + "\n")
    (folder / "noray" / "ray").mkdir(parents=True)
    (folder / "noray" / "ray" / "__init__.py").write_text("raise ImportError(\"No module named 'ray'\")\n")
    (folder / "shadow").mkdir()
    (folder / "shadow" / "json.py").write_text(USER_SYSTEMS.replace("class Base:", "class S:"))


def _run_case(label: str, template: str, i: int, tmp: Path, fixtures: Path, repo: Path, python: str) -> dict:
    """One case run in its own output folder: its exit code, stderr lines and first line."""
    extra = SETTINGS.get(label, {})
    out = tmp / f"out{i}"
    argv = template.format(F=fixtures, O=out).split()
    path = [str(fixtures / extra["path"])] if "path" in extra else []
    env = {**os.environ, **extra.get("env", {}), "PYTHONPATH": os.pathsep.join([*path, str(repo), str(fixtures)])}
    cwd = fixtures / extra["cwd"] if "cwd" in extra else repo
    stdout = open(extra["stdout"], "w") if "stdout" in extra else subprocess.PIPE  # noqa: SIM115
    safe = ["-P"] if "cwd" in extra else []  # as the physnet command runs: the folder is not put first on sys.path
    try:
        done = subprocess.run(
            [python, *safe, "-m", "physnet.cli.main", *argv], cwd=cwd, env=env, stdout=stdout, stderr=subprocess.PIPE,
            text=True, timeout=300,
        )  # fmt: skip
        code, err, said = done.returncode, done.stderr, (done.stdout or "") + done.stderr
    except subprocess.TimeoutExpired:
        code, err, said = "timeout", "", ""
    finally:
        if stdout is not subprocess.PIPE:
            stdout.close()
    lines = [line for line in err.splitlines() if line.strip() and "it/s" not in line and "s/it" not in line]
    message = lines[0] if lines else ""
    if "look" in extra:
        message = next((line for line in said.splitlines() if extra["look"] in line), message)
    return {
        "case": label,
        "command": " ".join(argv).replace(str(tmp), "TMP"),
        "exit": code,
        "stderr_lines": len(lines),
        "message": message.replace(str(tmp), "TMP")[:160],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, default=HERE, help="the checkout to try (default: this one)")
    parser.add_argument("--python", help="its interpreter (default: REPO/.venv/bin/python, else this one)")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    parser.add_argument("--cases", type=int, default=0, help="run only the last N cases (default: all)")
    args = parser.parse_args()
    own = str(HERE / ".venv" / "bin" / "python") if (HERE / ".venv").exists() else sys.executable
    python = args.python or (str(args.repo / ".venv" / "bin" / "python") if (args.repo / ".venv").exists() else own)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        fixtures = Path(tmp) / "fixtures"
        fixtures.mkdir()
        _fixtures(fixtures, own)
        chosen = CASES[-args.cases :] if args.cases else CASES
        for i, (label, template) in enumerate(chosen):
            rows.append(_run_case(label, template, i, Path(tmp), fixtures, args.repo, python))
            code, lines, message = rows[-1]["exit"], rows[-1]["stderr_lines"], rows[-1]["message"].replace("|", "/")
            print(f"| {label} | {code} | {lines} | {message} |", flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
