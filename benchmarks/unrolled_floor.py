"""The floor under meta-learning's speed: the same unrolled inner loops with a fixed sine
activation (no learned types at all), timed as ``benchmarks/meta_reference.py`` times the
outer steps.

    python benchmarks/unrolled_floor.py [--repeats 4]

Rows: MNIST-1D at the PyTorch reference's settings (40-200-10, batch 200, 100 RMSprop steps,
decay 0.8, initial second moment 1) unrolled and differentiated back to the initial weights;
the same 100 steps as plain training with ``torch.optim.RMSprop`` (the first-order floor);
the Henon-Heiles HNN at its task defaults (4-100-1, batch 150, 100 Adam steps) unrolled.
What meta-learning adds on top of these is the learned types' cost.
"""

from __future__ import annotations

import argparse
import time

import torch

from physnet.activations import FixedBank
from physnet.meta import meta_config_for
from physnet.meta.unrolled import batch_loss, inner_step
from physnet.networks import build_model
from physnet.tasks.registry import get_task
from physnet.training.batches import BatchStream
from physnet.training.functional_optim import FunctionalOptimizer, detached
from physnet.training.losses import member_loss


def unrolled_seconds(model, data, inner: FunctionalOptimizer, batch: int, steps: int, seed: int) -> float:
    """One unrolled loop of ``steps`` inner steps and the backward pass to the initial weights."""
    theta = detached(dict(model.named_parameters()), True)
    stream = BatchStream(len(data.x_train), batch, seed)
    batches = [stream.next() for _ in range(steps + 1)]
    began = time.perf_counter()
    current, state = theta, inner.init(theta)
    for i, idx in enumerate(batches[:-1]):
        current, state, _, _ = inner_step(model, current, state, inner, data, idx, i, True)
    loss = batch_loss(model, current, data, batches[-1])
    torch.autograd.grad(loss, list(theta.values()), allow_unused=True)
    return time.perf_counter() - began


def plain_seconds(model, data, batch: int, steps: int, seed: int) -> float:
    """``steps`` ordinary training steps with torch.optim.RMSprop (the reference's decay)."""
    opt = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.8)
    stream = BatchStream(len(data.x_train), batch, seed)
    began = time.perf_counter()
    for _ in range(steps):
        idx = stream.next()
        loss = member_loss(model(data.x_train[idx]), data.y_train[idx], data.loss, 1)[0]
        opt.zero_grad()
        loss.backward()
        opt.step()
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    mnist = get_task("mnist1d").load(seed=0)
    classifier = build_model("classifier", 40, (200,), FixedBank(["sin"]), dim_out=10, seeds=[0])
    rmsprop = FunctionalOptimizer("rmsprop", 1e-3, decay=0.8, initial_scale=1.0)
    hh_config = meta_config_for("henon-heiles", "hnn")
    hh = get_task("henon-heiles").load(seed=0)
    hnn = build_model("hnn", hh.dim_in, hh_config.hidden, FixedBank(["sin"]), seeds=[0])
    adam = FunctionalOptimizer(hh_config.inner_optimizer, hh_config.inner_lr)
    rows = {
        "MNIST-1D unrolled, 100 RMSprop steps": lambda r: unrolled_seconds(classifier, mnist, rmsprop, 200, 100, r),
        "MNIST-1D plain training, 100 steps": lambda r: plain_seconds(classifier, mnist, 200, 100, r),
        "Henon-Heiles HNN unrolled, 100 steps": lambda r: unrolled_seconds(
            hnn, hh, adam, hh_config.batch_size, hh_config.inner_steps, r
        ),
    }
    print(f"{'fixed sine activation, no learned types':<42}{'seconds per loop (each repeat)':>32}")
    for name, run in rows.items():
        run(99)  # warm-up
        seconds = [run(r) for r in range(args.repeats)]
        print(f"{name:<42}{'  '.join(f'{s:.3f}' for s in seconds):>32}")


if __name__ == "__main__":
    main()
