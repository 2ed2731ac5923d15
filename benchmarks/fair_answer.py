"""What a fair answer costs: ``physnet reproduce`` of a user's system with every arm's learning
rate tuned and the answer at two budgets, against the same command untuned at one budget (the
defaults before tuning: the task's fixed rate, the full budget alone), side by side in one run,
at the default budget and under ``--quick``. Each run is the command line in a fresh process
(the machine's cores, as a user gets them); the failed seeds per arm come from each run's
``summary.json``.

    python benchmarks/fair_answer.py                                  # the Duffing double well of examples/
    python benchmarks/fair_answer.py --system my_systems:Oscillator --path .
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(system: str, path: str, out: Path, extra: list[str]) -> float:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([path, os.environ.get("PYTHONPATH", "")])}
    command = [sys.executable, "-m", "physnet.cli.main", "reproduce", system, "--out", str(out), "--no-progress"]
    began = time.perf_counter()
    done = subprocess.run([*command, *extra], env=env, cwd=path, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command + extra)} failed:\n{done.stderr}")
    return time.perf_counter() - began


def failures(out: Path) -> str:
    parts = []
    for summary in sorted(out.glob("**/summary.json")):
        s = json.loads(summary.read_text())
        if "failures" not in s:
            continue
        where = str(summary.parent.relative_to(out)) or "."
        counts = ", ".join(f"{arm} {c['failed']}/{c['n']}" for arm, c in s["failures"].items())
        rates = (s.get("tuning") or {}).get("chosen")
        parts.append(f"    {where}: failed {counts}" + (f"; lr {rates}" if rates else ""))
    return "\n".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--system", default="custom_system:Duffing")
    parser.add_argument("--path", default=str(ROOT / "examples"), help="folder the system's module is in")
    parser.add_argument("--skip-full", action="store_true", help="only the --quick pair")
    args = parser.parse_args()
    budgets = [("--quick", ["--quick"])] + ([] if args.skip_full else [("default", [])])
    with tempfile.TemporaryDirectory() as tmp:
        for label, flags in budgets:
            untuned = Path(tmp) / f"untuned{len(flags)}"
            tuned = Path(tmp) / f"tuned{len(flags)}"
            before = run(args.system, args.path, untuned, [*flags, "--tune", "none", "--budgets", "full"])
            after = run(args.system, args.path, tuned, flags)
            print(f"{args.system} {label}: untuned, one budget {before:.0f} s; tuned, two budgets {after:.0f} s "
                  f"({after / before:.2f}x)")  # fmt: skip
            print(f"  untuned:\n{failures(untuned)}\n  tuned:\n{failures(tuned)}", flush=True)


if __name__ == "__main__":
    main()
