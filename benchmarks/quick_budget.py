"""How long a first look takes: ``physnet reproduce TASK --quick`` for every paper task and for
a CSV of 10 groups x 800 rows, timed alone one after another, for one or two checkouts side by
side (issue 38: "--quick should mean a first look in about a minute").

    python benchmarks/quick_budget.py --out runs/quick                    # this checkout
    python benchmarks/quick_budget.py --out runs/quick --before /tmp/old  # and another one, same run
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parents[1]
TASKS = ("van-der-pol", "henon-heiles", "clock", "mnist1d")


def series(path: Path, groups: int = 10, rows: int = 800) -> Path:
    """A damped oscillator recorded as ``groups`` runs of ``rows`` samples (t, x, v)."""
    t = np.arange(rows) * 0.05
    lines = ["run,t,x,v"]
    for g in range(groups):
        a, phase = 0.5 + 0.1 * g, 0.3 * g
        x = a * np.exp(-0.05 * t) * np.cos(t + phase)
        v = np.gradient(x, t)
        lines += [f"r{g},{s:.3f},{xi:.8f},{vi:.8f}" for s, xi, vi in zip(t, x, v, strict=True)]
    path.write_text("\n".join(lines) + "\n")
    return path


def timed(repo: Path, argv: list[str]) -> tuple[float, int]:
    env = {**os.environ, "PYTHONPATH": str(repo)}
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "physnet.cli.main", *argv], env=env, capture_output=True, text=True)
    return time.perf_counter() - began, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/quick")
    parser.add_argument("--before", help="another checkout to time first (its physnet on PYTHONPATH)")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    csv = series(out / "series.csv")
    cases = [(task, [task]) for task in TASKS] + [("csv 10 x 800", [str(csv), "--group", "run"])]
    repos = [("before", Path(args.before))] if args.before else []
    repos.append(("now", HERE))
    print(f"{'case':<16}" + "".join(f"{name:>12}" for name, _ in repos))
    for label, argv in cases:
        cells = []
        for name, repo in repos:
            folder = out / name / label.replace(" ", "_")
            seconds, code = timed(repo, ["reproduce", *argv, "--quick", "--out", str(folder), "--force"])
            cells.append(f"{seconds:10.0f} s" if code == 0 else f"  failed {code:>3}")
        print(f"{label:<16}" + "".join(f"{c:>12}" for c in cells), flush=True)


if __name__ == "__main__":
    main()
