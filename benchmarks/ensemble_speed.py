"""Ensembles: 50 seeds of one arm trained as one batched ensemble vs 50 sequential runs of
the same code, side by side in one process (targets: >= 10x for the van der Pol forecaster,
>= 5x for the Henon-Heiles Hamiltonian network).

    python benchmarks/ensemble_speed.py [--seeds 50] [--epochs 2] [--compile]

Also checks the two claims that make the batched ensemble a drop-in replacement: in float64 a
short run agrees per seed with the sequential one to 1e-6 relative, and at float32 the
medians over seeds agree (reduction order may differ, so per-seed values need not).
The budget per run is shortened (``--epochs``); the ratio is per training step, so it holds
for the full budget too. ``--compile`` also times the batched run through ``torch.compile``
twice: first with an empty compile cache (a fresh machine), then again in the same process
(the compiled kernels found in the on-disk cache, as on every later run).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np
import torch

from physnet.networks import build_model
from physnet.study.config import StudyConfig
from physnet.tasks.presets import compare_defaults
from physnet.tasks.registry import get_task
from physnet.training import TrainConfig, train

CASES = [("van-der-pol", "nn", 10.0), ("henon-heiles", "hnn", 5.0)]


def run(kind: str, data, seeds: list[int], config: TrainConfig, hidden: tuple[int, ...], dtype, batched: bool):
    """Validation losses per seed, and the seconds it took (model building and validation included)."""
    began = time.perf_counter()
    if batched:
        model = build_model(kind, data.dim_in, hidden, "sin", seeds=seeds, dtype=dtype)
        losses = train(model, data, config).val_loss.numpy()
    else:
        losses = np.array(
            [
                float(
                    train(build_model(kind, data.dim_in, hidden, "sin", seeds=[s], dtype=dtype), data, config).val_loss[
                        0
                    ]
                )
                for s in seeds
            ]
        )
    return losses, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--compile", action="store_true", help="also time the batched run through torch.compile")
    args = parser.parse_args()
    if args.compile:  # start from an empty compile cache, so the first compiled run pays the full compile
        os.environ["TORCHINDUCTOR_CACHE_DIR"] = tempfile.mkdtemp(prefix="inductor-")
    torch.set_num_threads(args.threads)
    print(
        f"{'task':<14}{'model':<6}{'sequential s':>13}{'batched s':>11}{'speed-up':>10}{'target':>8}"
        f"{'f32 median seq':>16}{'f32 median bat':>16}{'f64 max rel diff':>18}"
    )
    for task, model, target in CASES:
        d = StudyConfig(task=task, model=model, **compare_defaults(task, model))
        data = get_task(task).load(seed=0)
        config = TrainConfig(epochs=args.epochs, batch_size=d.batch_size, lr=d.lr, data_seed=0)
        seeds = list(range(args.seeds))
        seq, t_seq = run(model, data, seeds, config, d.hidden, torch.float32, batched=False)
        bat, t_bat = run(model, data, seeds, config, d.hidden, torch.float32, batched=True)
        short = TrainConfig(epochs=1, batch_size=d.batch_size, lr=d.lr, data_seed=0)
        d64 = data.to("cpu", torch.float64)
        few = seeds[:5]
        seq64, _ = run(model, d64, few, short, d.hidden, torch.float64, batched=False)
        bat64, _ = run(model, d64, few, short, d.hidden, torch.float64, batched=True)
        rel = float(np.max(np.abs(bat64 - seq64) / np.abs(seq64)))
        print(
            f"{task:<14}{model:<6}{t_seq:>13.2f}{t_bat:>11.2f}{t_seq / t_bat:>9.1f}x{target:>7.0f}x"
            f"{np.median(seq):>16.4g}{np.median(bat):>16.4g}{rel:>18.2e}"
        )
        if args.compile:
            compiled = TrainConfig(**{**config.to_dict(), "compile": True})
            for cache in ("empty", "warm"):
                com, t_com = run(model, data, seeds, compiled, d.hidden, torch.float32, batched=True)
                print(
                    f"{'':<14}{f'+ torch.compile, batched, {cache} cache (compile included)':<50}{t_com:>7.2f} s"
                    f"{t_seq / t_com:>7.1f}x  median {np.median(com):.4g}"
                )
    print(
        f"({args.seeds} seeds, {args.epochs} epochs each, hidden {d['hidden']}, float32; "
        f"float64 check: 5 seeds, 1 epoch)"
    )


if __name__ == "__main__":
    main()
