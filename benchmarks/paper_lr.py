"""Choose the paper regime's comparison learning rate once, on the sine arm, where no reference
code fixes it (van der Pol, Henon-Heiles NN), as the paper says it did: train the base arm
with each candidate rate (the regime's RMSprop and 5 epochs) and keep the best median
validation MSE. The chosen values are written into ``physnet/tasks/presets.py``.

    python benchmarks/paper_lr.py                    # van-der-pol/nn and henon-heiles/nn, 10 seeds
    python benchmarks/paper_lr.py --task clock --model hnn --seeds 5
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from physnet.study.run import StudyConfig, run_study
from physnet.tasks.presets import LR_CANDIDATES, compare_defaults, preset


def choose(task: str, model: str, seeds: int) -> tuple[float, dict[float, float]]:
    named = preset(task, model, "paper")["compare"]
    medians = {}
    for lr in LR_CANDIDATES:
        config = StudyConfig(
            task=task,
            model=model,
            **{**compare_defaults(task, model), **named, "lr": lr, "seeds": seeds, "arms": ("base",)},
        )
        with tempfile.TemporaryDirectory() as tmp:
            try:
                result = run_study(config, None, Path(tmp))
                medians[lr] = float(np.median(result.values["base"]))
            except FloatingPointError:  # diverged: not a candidate
                medians[lr] = float("inf")
    return min(medians, key=medians.get), medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", action="append", help="default: van-der-pol and henon-heiles")
    parser.add_argument("--model", default="nn")
    parser.add_argument("--seeds", type=int, default=10)
    args = parser.parse_args()
    for task in args.task or ["van-der-pol", "henon-heiles"]:
        began = time.perf_counter()
        best, medians = choose(task, args.model, args.seeds)
        table = ", ".join(f"{lr:g}: {m:.4g}" for lr, m in medians.items())
        print(
            f"{task}/{args.model}: median sine val_mse by lr {table} -> lr {best:g} "
            f"({time.perf_counter() - began:.0f} s)"
        )


if __name__ == "__main__":
    main()
