"""Meta-learning speed at the reference codes' settings: seconds per outer step and peak memory,
against the figures measured with the paper's own code on these 2-core machines.

    python benchmarks/meta_reference.py [--outer-steps 4]

Settings (each in its own process, so peak RSS is its own):
- MNIST-1D at the PyTorch reference's settings (``--preset reference``: 40-200-10 inner
  network, batch 200, 2 sine-based types of width 50, 100 RMSprop inner steps, outer SGD):
  all 100 steps unrolled (the reference's meta-gradient; target <= 0.23 s, 10x its 2.31 s,
  and < 800 MB), the same with recomputation every 10 or 5 inner steps (``--recompute M``: the
  same meta-gradient, graphs of 10 steps at a time), the last 10 steps unrolled (truncated,
  reported apart), and first order.
- The pendulum clock HNN at the JAX reference's settings (2-100-1, batch 150, 2 inner
  epochs = 32 steps, then one first-order outer step; target <= 0.5 s, 10x its 5.3 s).
The first outer step (warm-up) is excluded from the median.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys

#: name -> (task, model, overrides beyond the preset, reference seconds, target seconds, target MB)
SETTINGS = {
    "mnist1d unrolled 100": ("mnist1d", "classifier", {"preset": "reference"}, 2.31, 0.231, 800),
    "mnist1d unrolled, rec 10": ("mnist1d", "classifier", {"preset": "reference", "recompute": 10}, 2.31, 0.231, 800),
    "mnist1d unrolled, rec 5": ("mnist1d", "classifier", {"preset": "reference", "recompute": 5}, 2.31, 0.231, 800),
    "mnist1d truncated 10": ("mnist1d", "classifier", {"preset": "reference", "truncate": 10}, None, None, None),
    "mnist1d first-order": ("mnist1d", "classifier", {"preset": "reference", "mode": "first-order"}, None, None, None),
    "clock hnn first-order": ("clock", "hnn", {"mode": "first-order", "inner_steps": 32}, 5.3, 0.53, None),
}


def child(name: str, outer_steps: int, threads: int) -> None:
    import numpy as np
    import torch

    from physnet.experiments.defaults import preset
    from physnet.training import meta_config_for, meta_learn

    torch.set_num_threads(threads)
    task, model, overrides, *_ = SETTINGS[name]
    overrides = dict(overrides)
    named = preset(task, model, overrides.pop("preset", None))["meta"]
    config = meta_config_for(task, model, **{**named, **overrides, "outer_steps": outer_steps})
    result = meta_learn(config)
    seconds = result.history["seconds"][2:]  # step 1 warms up
    print(json.dumps({"seconds": float(np.median(seconds)), "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "unrolled": config.unrolled_steps, "hidden": list(config.hidden), "batch": config.batch_size}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outer-steps", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", help="run one setting by name")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.outer_steps, args.threads)
        return
    print(f"{'setting':<24}{'s/outer step':>13}{'peak MB':>9}{'reference s':>13}{'speed-up':>10}{'target s':>10}  verdict")
    for name, (_, _, _, ref, target_s, target_mb) in SETTINGS.items():
        if args.only and name != args.only:
            continue
        out = subprocess.run([sys.executable, __file__, "--child", name, "--outer-steps", str(args.outer_steps),
                              "--threads", str(args.threads)], capture_output=True, text=True)
        if out.returncode:
            print(f"{name:<24} failed: {(out.stderr.strip().splitlines() or ['?'])[-1]}")
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        speed = f"{ref / r['seconds']:>9.1f}x" if ref else f"{'':>10}"
        verdict = ""
        if target_s is not None:
            ok = r["seconds"] <= target_s and (target_mb is None or r["peak_mb"] < target_mb)
            verdict = "meets target" if ok else "misses target"
        print(f"{name:<24}{r['seconds']:>13.3f}{r['peak_mb']:>9.0f}{(f'{ref:.2f}' if ref else '-'):>13}{speed}"
              f"{(f'{target_s:.3f}' if target_s else '-'):>10}  {verdict}")
    print(f"(median of outer steps 2..{args.outer_steps}, {args.threads} threads)")


if __name__ == "__main__":
    main()
