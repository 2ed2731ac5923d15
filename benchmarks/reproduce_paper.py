"""Time ``physnet reproduce all --preset paper`` in process (its default meta seeds) and say
what dominates: per task the wall time, the meta-learning share (outer steps, from each meta
run's history) and the rest (comparisons, forecasts, analyses, the size sweep).

    python benchmarks/reproduce_paper.py --out runs/paper          # run it, then report
    python benchmarks/reproduce_paper.py --from runs/paper         # report on a finished run
    python benchmarks/reproduce_paper.py --out /tmp/p --quick      # the quick budget
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

TARGET_SECONDS = 30 * 60


def meta_seconds(folder: Path) -> float:
    """Seconds spent in outer steps by every meta-learning run under ``folder``."""
    return float(sum(np.load(h)["seconds"].sum() for h in folder.rglob("meta/history.npz")))


def report(out: Path) -> None:
    timings = json.loads((out / "timings.json").read_text())
    print(f"{'task':>14} {'wall s':>8} {'meta-learning s':>16} {'rest s':>8}")
    for task, t in timings["tasks"].items():
        meta = meta_seconds(out / task) if (out / task).is_dir() else 0.0
        print(f"{task:>14} {t['seconds']:8.0f} {meta:16.0f} {t['seconds'] - meta:8.0f}")
    total = timings["total_seconds"]
    verdict = "met" if total <= TARGET_SECONDS else "missed"
    print(
        f"{'total':>14} {total:8.0f} s = {total / 60:.1f} min (target <= {TARGET_SECONDS / 60:.0f} min: {verdict}); "
        f"peak memory {timings['peak_rss_mb']:.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", type=Path, help="run into this folder, then report")
    where.add_argument("--from", dest="done", type=Path, help="report on a finished run")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.out is not None:
        began = time.perf_counter()
        cmd = [
            sys.executable,
            "-m",
            "physnet.cli.main",
            "reproduce",
            "all",
            "--preset",
            "paper",
            "--out",
            str(args.out),
            "--no-progress",
        ] + (["--quick"] if args.quick else [])
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        print(f"command wall time {time.perf_counter() - began:.0f} s")
    report(args.out or args.done)


if __name__ == "__main__":
    main()
