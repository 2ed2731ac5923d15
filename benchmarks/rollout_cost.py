"""What a rollout epoch costs against a derivative epoch, for nn, hnn and dhnn at the study
defaults (the damped-pendulum task: 9,648 training samples, width 100, batch 150, one block of
10 seeds), side by side in one run:

- ``derivative``: the derivative loss (unchanged by issue 37);
- ``rollout K, autograd``: K-step RK4 rollouts with an energy model's field through
  ``autograd.grad(create_graph=True)`` at every stage (eager training, before and after issue 37);
- ``rollout K, closed form``: eager, the field's ``grad H`` in closed form (``closed_form_field``);
- ``rollout K, compiled``: ``--compile``: the whole rollout one compiled computation over the
  closed-form field (issue 37); its first epoch, which compiles, is reported apart;
- ``shooting K``: multiple shooting (``--shooting``): an epoch passes once over consecutive
  segments of K steps, 1/K of plain windows.

Then what the work buys (``--quality``): a damped pendulum observed with noise 0.05 on the states
(20 orbits of 15 s every 0.1 s), the same nn (width 64, 3 seeds, batch 100): its median forecast
error on the true held-out orbits and the training time, trained on Savitzky-Golay derivatives,
on plain 10-step windows, and by multiple shooting at 1x, 3x and 10x the epochs.

    python benchmarks/rollout_cost.py [--epochs 1] [--seeds 10] [--rows 2400] [--threads N] [--quality]

Each time is one epoch's training (``physnet.training.train``) after a warm-up epoch, on a
slice of ``--rows`` training rows (the cost is linear in rows; the table scales the slice's
time to the whole split). Ratios are against the derivative epoch of the same model.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

import numpy as np
import torch

from physnet.networks import build_model
from physnet.study.arm_skill import forecast_skill
from physnet.study.config import StudyConfig
from physnet.tasks.from_system import system_data
from physnet.tasks.registry import get_task
from physnet.tasks.rollout_data import rollout_data
from physnet.tasks.series_derivatives import savgol_derivatives
from physnet.training import TrainConfig, train
from physnet.training import trainer as trainer_module
from physnet.training.rollout import predict
from systems import DampedPendulum, DatasetSpec

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
    parser.add_argument("--quality", action="store_true", help="also the forecast error against training time")
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
            _, seconds = _epoch_seconds(kind, rollout_data(sliced, steps, continuity=1.0), config, args.seeds)
            print(f"{kind:6} {f'shooting {steps}':28} {seconds * scale:9.2f} {seconds / base:7.1f}", flush=True)
    if args.quality:
        quality()


def quality() -> None:
    """Forecast error against training time on a noisy damped pendulum (see the module's note)."""
    system = DampedPendulum(damping=0.1)
    spec = DatasetSpec(n_orbits=20, t_end=15.0, dt=0.1)
    clean = system_data(system, spec, seed=0, dtype=torch.float64)
    noisy = system_data(system, replace(spec, noise_std=0.05, noise_on="states"), seed=0, dtype=torch.float64)
    derivative = replace(noisy, y_train=_savgol(noisy, "train"), y_val=_savgol(noisy, "val"))
    cases = [("Savitzky-Golay derivatives", derivative, 30), ("plain 10-step windows", rollout_data(noisy, 10), 30)]
    cases += [(f"shooting, {m}x the epochs", rollout_data(noisy, 10, continuity=1.0), 30 * m) for m in (1, 3, 10)]
    print("\nnoisy damped pendulum (noise 0.05 on the states), nn width 64, 3 seeds, batch 100:")
    print(f"{'training':32} {'epochs':>6} {'seconds':>8} {'forecast error (median)':>24}")
    for label, data, epochs in cases:
        model = build_model("nn", 2, [64], "tanh", seeds=[0, 1, 2], dtype=torch.float64)
        began = time.perf_counter()
        train(model, data, TrainConfig(epochs=epochs, batch_size=100, lr=1e-2))
        seconds = time.perf_counter() - began
        error = float(np.median(forecast_skill(model, clean, "rk4").metrics["rollout_error"]))
        print(f"{label:32} {epochs:6d} {seconds:8.1f} {error:24.3f}", flush=True)


def _savgol(data, split: str) -> torch.Tensor:
    """Savitzky-Golay derivatives of a split's noisy states, orbit by orbit."""
    states, groups = getattr(data, f"x_{split}"), getattr(data, f"{split}_orbit").numpy()
    cuts = [0, *(np.flatnonzero(np.diff(groups)) + 1).tolist(), len(groups)]
    slices = [slice(a, b) for a, b in zip(cuts[:-1], cuts[1:], strict=True)]
    t = np.concatenate([np.arange(s.stop - s.start) * data.dt for s in slices])
    return torch.as_tensor(savgol_derivatives(t, states.numpy(), slices), dtype=states.dtype)


if __name__ == "__main__":
    main()
