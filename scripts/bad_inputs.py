"""Try the command line with bad inputs, as a new user would, and print a table: command,
exit code, lines on stderr and the last of them. Used for issue 17's before/after table.

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
]


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


def _user_files(folder: Path) -> None:
    """A user's misbehaving systems and series files (issue 28)."""
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
            out = Path(tmp) / f"out{i}"
            argv = template.format(F=fixtures, O=out).split()
            env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(args.repo), str(fixtures)])}
            try:
                done = subprocess.run(
                    [python, "-m", "physnet.cli.main", *argv],
                    cwd=args.repo,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=300,
                )
                code, err = done.returncode, done.stderr
            except subprocess.TimeoutExpired:
                code, err = "timeout", ""
            lines = [line for line in err.splitlines() if line.strip() and "it/s]" not in line]
            last = lines[-1].replace(tmp, "TMP") if lines else ""
            rows.append(
                {
                    "case": label,
                    "command": " ".join(argv).replace(tmp, "TMP"),
                    "exit": code,
                    "stderr_lines": len(lines),
                    "message": last[:160],
                }
            )
            print(f"| {label} | {code} | {len(lines)} | {last[:160].replace('|', '/')} |", flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
