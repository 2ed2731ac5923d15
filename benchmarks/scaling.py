"""How a comparison's cost grows, so that a user can predict a study's time before running it
(``physnet compare --dry-run`` does, from a probe of the machine).

Each point trains one arm's ensemble the way a study does (van der Pol's vector field, Adam,
batches of 150, 2 epochs) in a fresh process and records its training time and the process's
peak memory; one axis varies at a time from the base point (64 seeds, 8000 training samples,
hidden width 100, a 2-type frozen layer), for the sine arm and the frozen-type arm:

- seeds (ensemble members) 1-400, training samples 1000-8000, hidden width 25-400, number of
  frozen types 1-8;
- a whole study (arms base and mix, 50 seeds, 20 epochs: the default budget) on 1 and 2
  worker processes, the main process at PyTorch's default threads (as the command line runs).

It prints a table with the fitted log-log exponents (time ~ x^b over the upper points, where
fixed costs no longer dominate) and writes the log-log figure to ``--figure``.

    python benchmarks/scaling.py [--figure docs/scaling.png] [--quick]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BASE = {"seeds": 64, "samples": 8000, "hidden": 100, "types": 2}
AXES = {
    "seeds": [1, 4, 16, 64, 200, 400],
    "samples": [1000, 2000, 4000, 8000],
    "hidden": [25, 50, 100, 200, 400],
    "types": [1, 2, 4, 8],
}


def child(point: dict) -> None:
    """One measurement in this (fresh) process: print its seconds and peak memory as JSON."""
    import torch

    from physnet.activations import FixedBank, freeze
    from physnet.activations.frozen_function import use_compiled
    from physnet.activations.learned import LearnedBank
    from physnet.networks import build_model
    from physnet.tasks.registry import get_task
    from physnet.training import TrainConfig, train

    if point.get("study"):
        from physnet.study.execution import Execution
        from physnet.study.run import StudyConfig, run_study_in_memory

        bank = freeze(LearnedBank(2, "sin", 50, generator=torch.Generator().manual_seed(0), init="default"), "linear")
        config = StudyConfig(task="van-der-pol", model="nn", arms=("base", "mix"), seeds=50, epochs=20, tune="none")
        began = time.perf_counter()
        run_study_in_memory(config, bank, execution=Execution(workers=point["workers"]))
    else:
        data = get_task("van-der-pol").load(seed=0)
        n = point["samples"]
        data = type(data)(data.x_train[:n], data.y_train[:n], data.x_val[:1000], data.y_val[:1000])
        k = point["types"]
        generator = torch.Generator().manual_seed(0)
        bank = (
            FixedBank(["sin"])
            if point["arm"] == "sine"
            else freeze(LearnedBank(k, "sin", 50, generator=generator, init="default"), "linear")
        )
        config = TrainConfig(epochs=2, batch_size=150, lr=1e-3)
        warm = type(data)(data.x_train[:350], data.y_train[:350], data.x_val, data.y_val)  # every batch shape
        with use_compiled(True):  # the frozen types' kernels as a default-budget study runs them
            for split in (warm, data):  # the first pass pays the one-off compile, unmeasured
                model = build_model("nn", 2, (point["hidden"],), bank, seeds=list(range(point["seeds"])))
                began = time.perf_counter()
                train(model, split, config)
    seconds = time.perf_counter() - began
    print(json.dumps({"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def measure(point: dict, threads: int) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps(point), "--threads", str(threads)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if done.returncode != 0:
        raise SystemExit(f"{point}: {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def exponent(xs: list[float], ts: list[float]) -> float:
    """Slope of log t against log x over the upper half of the points (at least two)."""
    upper = max(2, (len(xs) + 1) // 2)
    return float(np.polyfit(np.log(xs[-upper:]), np.log(ts[-upper:]), 1)[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--figure", default=str(ROOT / "docs" / "scaling.png"))
    parser.add_argument("--quick", action="store_true", help="fewer points per axis")
    parser.add_argument(
        "--threads", type=int, default=1, help="intra-op threads per point (a worker's: 1; 0: PyTorch's default)"
    )
    parser.add_argument("--study-only", action="store_true", help="only the whole study on 1 and 2 workers")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        import torch

        if args.threads:
            torch.set_num_threads(args.threads)
        child(json.loads(args.child))
        return
    results: dict = {}
    if args.study_only:
        _workers()
        return
    print(f"{'axis':>8} {'value':>6} {'sine s':>8} {'frozen s':>9} {'ratio':>6} {'peak MB':>8}")
    for axis, values in AXES.items():
        values = values[::2] + values[-1:] if args.quick and len(values) > 3 else values
        for arm in ("sine", "frozen"):
            if axis == "types" and arm == "sine":
                continue
            for v in values:
                results[(axis, arm, v)] = measure({**BASE, axis: v, "arm": arm}, args.threads)
        for v in values:
            sine = results.get((axis, "sine", v))
            frozen = results[(axis, "frozen", v)]
            s = f"{sine['seconds']:8.2f}" if sine else f"{'':>8}"
            ratio = f"{frozen['seconds'] / sine['seconds']:6.2f}" if sine else f"{'':>6}"
            print(f"{axis:>8} {v:>6} {s} {frozen['seconds']:9.2f} {ratio} {frozen['peak_mb']:8.0f}")
    print("\nfitted exponents b (time ~ x^b, upper half of each axis):")
    fits = {}
    for axis, values in AXES.items():
        values = [v for v in values if (axis, "frozen", v) in results]
        for arm in ("sine", "frozen"):
            if (axis, arm, values[0]) in results:
                fits[(axis, arm)] = exponent(values, [results[(axis, arm, v)]["seconds"] for v in values])
                print(f"  {axis:>8} {arm:>7}: b = {fits[(axis, arm)]:.2f}")
    _workers()
    _figure(results, Path(args.figure))
    print(f"wrote {args.figure}")


def _workers() -> None:
    one, two = (measure({"study": True, "workers": w}, 0) for w in (1, 2))  # threads as the CLI leaves them
    print(
        f"\nstudy (base + mix, 50 seeds, 20 epochs): 1 worker {one['seconds']:.1f} s, 2 workers "
        f"{two['seconds']:.1f} s: {one['seconds'] / two['seconds']:.2f}x"
    )


def _figure(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 4, figsize=(14, 3.4))
    for ax, axis in zip(axes, AXES, strict=True):
        for arm, style in (("sine", "o-"), ("frozen", "s--")):
            pts = sorted((v, r["seconds"]) for (a, m, v), r in results.items() if a == axis and m == arm)
            if pts:
                ax.loglog(*zip(*pts, strict=True), style, label=arm)
        ax.set_xlabel(axis)
        ax.set_title(f"time vs {axis}")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("training seconds")
    axes[0].legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    main()
