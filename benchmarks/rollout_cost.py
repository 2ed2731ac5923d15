"""What a rollout epoch costs against a derivative epoch, for nn, hnn and dhnn at the study
defaults (the damped-pendulum task: 9,648 training samples, width 100, batch 150, one block of
10 seeds), side by side in one run:

- ``derivative``: the derivative loss (unchanged by issue 37);
- ``rollout K, autograd``: K-step RK4 rollouts with an energy model's field through
  ``autograd.grad(create_graph=True)`` at every stage (eager training, before and after issue 37);
- ``rollout K, closed form``: eager, the field's ``grad H`` in closed form (``closed_form_field``);
- ``rollout K, compiled``: ``--compile``: the whole rollout one compiled computation over the
  closed-form field (issue 37); its first epoch, which compiles, is reported apart.

    python benchmarks/rollout_cost.py [--epochs 1] [--seeds 10] [--rows 2400] [--threads N]

Each time is one epoch's training (``physnet.training.train``) after a warm-up epoch, on a
slice of ``--rows`` training rows (the cost is linear in rows; the table scales the slice's
time to the whole split). Ratios are against the derivative epoch of the same model.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

import torch

from physnet.networks import build_model
from physnet.study.config import StudyConfig
from physnet.tasks.registry import get_task
from physnet.tasks.rollout_data import rollout_data
from physnet.training import TrainConfig, train
from physnet.training import trainer as trainer_module
from physnet.training.rollout import predict

MODELS = ("nn", "hnn", "dhnn")


def _closed_form_prediction(model, data, *, traceable: bool = False):
    """The closed-form field in eager training too (the default keeps it for compiled training)."""
    if data.rollout is None:
        return model
    return lambda x: predict(getattr(model, "closed_form_field", model), x, data.rollout)


def _epoch_seconds(kind: str, data, config: TrainConfig, seeds: int, *, closed: bool = False) -> tuple[float, float]:
    """Seconds of the first epoch (a warm-up: allocations, compiling) and of the next ``config.epochs``
    per epoch, for ``seeds`` members of ``kind`` at width 100."""
    model = build_model(kind, data.x_train.shape[-1], [100], "tanh", seeds=range(seeds))
    original = trainer_module.training_prediction
    if closed:
        trainer_module.training_prediction = _closed_form_prediction
    try:
        began = time.perf_counter()
        train(model, data, replace(config, epochs=1))
        first = time.perf_counter() - began
        began = time.perf_counter()
        train(model, data, config)
        return first, (time.perf_counter() - began) / config.epochs
    finally:
        trainer_module.training_prediction = original


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=1, help="measured epochs per case (default 1)")
    parser.add_argument("--seeds", type=int, default=10, help="ensemble members (default 10)")
    parser.add_argument("--rows", type=int, default=2400, help="training rows timed (default 2400)")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (default: torch's)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    full = get_task("damped-pendulum").load()
    n = len(full.x_train)
    rows = min(args.rows, n)
    sliced = replace(
        full, x_train=full.x_train[:rows], y_train=full.y_train[:rows], train_orbit=full.train_orbit[:rows]
    )
    sliced = replace(sliced, x_val=full.x_val[:300], y_val=full.y_val[:300], val_orbit=full.val_orbit[:300])
    batch = StudyConfig.for_task("damped-pendulum", "dhnn").batch_size
    config = TrainConfig(epochs=args.epochs, batch_size=batch, lr=1e-3)
    scale = n / rows
    threads = torch.get_num_threads()
    print(
        f"damped-pendulum: {n:,} training rows (timed on {rows:,}, scaled), width 100, batch {batch}, {args.seeds} "
        f"seeds, {threads} thread(s); seconds per epoch and x the derivative epoch"
    )
    print(f"{'model':6} {'case':28} {'s/epoch':>9} {'ratio':>7} {'1st (slice)':>12}")
    for kind in MODELS:
        _, base = _epoch_seconds(kind, sliced, config, args.seeds)
        print(f"{kind:6} {'derivative':28} {base * scale:9.2f} {1.0:7.1f}", flush=True)
        for steps in (5, 10):
            data = rollout_data(sliced, steps)
            compiled = replace(config, compile=True)
            cases = [("autograd", False, config), ("closed form", True, config), ("compiled", False, compiled)]
            if kind == "nn":  # no energy gradient: the plain rollout and the compiled one
                cases = [("eager", False, config), ("compiled", False, compiled)]
            for label, closed, case_config in cases:
                first, seconds = _epoch_seconds(kind, data, case_config, args.seeds, closed=closed)
                note = f"{first:12.2f}" if label == "compiled" else ""  # the slice's first epoch: compiling
                name = f"rollout {steps}, {label}"
                print(f"{kind:6} {name:28} {seconds * scale:9.2f} {seconds / base:7.1f} {note}", flush=True)


if __name__ == "__main__":
    main()
