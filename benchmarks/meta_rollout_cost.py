"""What meta-learning through rollouts costs against meta-learning on derivatives: seconds per
outer step of the quick budget (50 inner steps of batch 150, first order) on the damped-pendulum
task's small data, for nn, hnn and dhnn, side by side in one run:

- ``derivative``: the derivative loss (unchanged by issue 37);
- ``rollout K, before``: K-step RK4 windows as before issue 37's meta work: the weights swapped
  in by ``functional_call`` at every integrator stage, an energy model's field through
  ``autograd.grad(create_graph=True)``;
- ``rollout K``: as now (``physnet.meta.unrolled.batch_loss``): one ``functional_call`` per
  window, an energy model's field in closed form (``closed_form_field``).

    python benchmarks/meta_rollout_cost.py [--outer-steps 3] [--repeats 2] [--threads N]

Each case runs ``--outer-steps`` outer steps after a warm-up step, ``--repeats`` times
interleaved; the smallest time is reported (these machines are noisy). The validation loss
after the last step is printed too: ``before`` and now agree to float rounding.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

import torch
from torch.func import functional_call

import physnet.meta.unrolled as unrolled
from physnet.meta import meta_config_for, meta_learn
from physnet.tasks.registry import get_task
from physnet.tasks.rollout_data import rollout_data
from physnet.training.losses import member_loss
from physnet.training.rollout import predict

MODELS = ("nn", "hnn", "dhnn")


def _before(model, theta, data, idx):
    """The inner loss as before: ``functional_call`` around every stage, autograd's field."""
    pred = predict(lambda x: functional_call(model, theta, (x,)), data.x_train[idx], data.rollout)
    return member_loss(pred, data.y_train[idx], data.loss, 1)[0]


def _seconds(config, data, loss, steps: int) -> tuple[float, float]:
    """Seconds per outer step and the final validation loss, with ``loss`` as the inner loss."""
    now = unrolled.batch_loss
    unrolled.batch_loss = loss
    try:
        began = time.perf_counter()
        result = meta_learn(replace(config, outer_steps=steps), data=data)
        return (time.perf_counter() - began) / steps, float(result.history["val_loss"][-1])
    finally:
        unrolled.batch_loss = now


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outer-steps", type=int, default=3, help="outer steps timed per case (default 3)")
    parser.add_argument("--repeats", type=int, default=2, help="interleaved repeats; the fastest is kept (default 2)")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (default: torch's)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    now = unrolled.batch_loss
    print(f"{'model':6} {'case':20} {'s/outer step':>13} {'ratio':>7} {'val loss':>14}")
    for kind in MODELS:
        config = meta_config_for("damped-pendulum", kind, quick=True)
        data = get_task("damped-pendulum").load(seed=0, small=config.small)
        meta_learn(replace(config, outer_steps=1), data=data)  # warm-up
        cases = [("derivative", data, now)]
        for k in (5, 10):
            windows = rollout_data(data, k)
            cases += [(f"rollout {k}, before", windows, _before), (f"rollout {k}", windows, now)]
        best: dict[str, tuple[float, float]] = {}
        for _ in range(args.repeats):
            for label, case_data, loss in cases:
                seconds, val = _seconds(config, case_data, loss, args.outer_steps)
                best[label] = min(best.get(label, (seconds, val)), (seconds, val))
        base = best["derivative"][0]
        for label, (seconds, val) in best.items():
            print(f"{kind:6} {label:20} {seconds:13.3f} {seconds / base:7.1f} {val:14.8g}", flush=True)


if __name__ == "__main__":
    main()
