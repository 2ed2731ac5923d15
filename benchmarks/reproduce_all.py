"""The whole paper: ``physnet reproduce all`` in process and on a local Ray instance, one
after another (targets: <= 15 minutes on 2 cores, peak memory <= 2 GB).

    python benchmarks/reproduce_all.py [--quick] [--backends process,ray] [--out DIR]

Each backend runs as its own command into ``DIR/<backend>/``. Prints each task's wall time
and when it finished, the total, the speed-up of Ray over in-process, the command's peak
memory (its own and its children's; Ray's workers are not its children, so for Ray the
largest worker's) and the machine's used memory above what it was before the command
(every process: for Ray that includes its workers and its own services). Finally checks
that both backends gave the same mix medians (same seed, same numbers).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


def used_mb() -> float:
    """The machine's used memory in MB (Linux: MemTotal - MemAvailable)."""
    info = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines())
    return (int(info["MemTotal"].split()[0]) - int(info["MemAvailable"].split()[0])) / 1024


def timed_run(backend: str, out: Path, quick: bool) -> tuple[dict, float, float]:
    """Run ``reproduce all``; returns its timings.json, wall seconds and the machine's peak
    used memory above the level before it started, in MB."""
    command = [
        sys.executable,
        "-m",
        "physnet.cli.main",
        "reproduce",
        "all",
        "--out",
        str(out),
        "--no-progress",
        "--backend",
        backend,
    ] + (["--quick"] if quick else [])
    base, peak, done = used_mb(), [0.0], threading.Event()

    def sample() -> None:
        while not done.wait(0.5):
            peak[0] = max(peak[0], used_mb() - base)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    began = time.perf_counter()
    finished = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - began
    done.set()
    sampler.join()
    if finished.returncode != 0:
        raise SystemExit(f"{backend}: reproduce all failed: {finished.stderr.strip().splitlines()[-1:]}")
    return json.loads((out / "timings.json").read_text()), seconds, peak[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="reduced budgets (about 2 minutes per backend)")
    parser.add_argument("--backends", default="process,ray")
    parser.add_argument("--out", help="where the runs go (default: a temporary folder)")
    args = parser.parse_args()
    root = Path(args.out or tempfile.mkdtemp(prefix="reproduce-all-"))
    results = {}
    for backend in args.backends.split(","):
        timings, seconds, machine_mb = timed_run(backend, root / backend, args.quick)
        results[backend] = timings
        print(
            f"\n{backend}: total {timings['total_seconds']:.0f} s (command {seconds:.0f} s), "
            f"peak {timings['peak_rss_mb']:.0f} MB, machine +{machine_mb:.0f} MB"
        )
        for task, t in sorted(timings["tasks"].items(), key=lambda kv: kv[1]["finished_after"]):
            print(f"  {task:<14}{t['seconds']:7.0f} s, finished after {t['finished_after']:5.0f} s")
    if {"process", "ray"} <= set(results):
        p, r = results["process"], results["ray"]
        print(
            f"\nray vs process: {p['total_seconds'] / r['total_seconds']:.2f}x "
            f"(target: total <= 900 s; process {p['total_seconds']:.0f} s, ray {r['total_seconds']:.0f} s)"
        )
        same = all(p["tasks"][t]["mix_median"] == r["tasks"][t]["mix_median"] for t in p["tasks"])
        print(f"mix medians identical across backends: {same}")


if __name__ == "__main__":
    main()
