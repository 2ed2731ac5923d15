"""Meta-learning speed at the reference codes' settings: seconds per outer step and peak memory,
against the figures measured with the paper's own code on these 2-core machines.

    python benchmarks/meta_reference.py [--outer-steps 4]

Settings (each in its own process, so peak RSS is its own):
- MNIST-1D at the PyTorch reference's settings (``--preset reference``: 40-200-10 inner
  network, batch 200, 2 sine-based types of width 50, 100 RMSprop inner steps, outer SGD):
  all 100 steps unrolled (the reference's meta-gradient; target <= 0.23 s, 10x its 2.31 s,
  and < 800 MB) through plain autograd and through the fused, compiled sub-network kernels
  (``compile``, the preset's default), the same with recomputation every 10 or 5 inner
  steps (``--recompute M``: the same meta-gradient, graphs of M steps at a time), the last
  10 steps unrolled (truncated, reported apart), and first order.
- The pendulum clock HNN at the JAX reference's settings (2-100-1, batch 150, 2 inner
  epochs = 32 steps, then one first-order outer step; target <= 0.5 s, 10x its 5.3 s).
The first outer step (warm-up, and the compile where there is one) is excluded from the
median and reported as ``first s``; compiled settings also run the first-order cases, where
compiling does not pay.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys

#: name -> (task, model, overrides beyond the preset, reference seconds, target seconds, target MB)
REF = {"preset": "reference"}
UNROLLED = ("mnist1d", "classifier")
SETTINGS = {
    "mnist1d unrolled 100": (*UNROLLED, {**REF, "compile": False}, 2.31, 0.231, 800),
    "mnist1d unrolled, compiled": (*UNROLLED, {**REF, "compile": True}, 2.31, 0.231, 800),
    "mnist1d unrolled, rec 10": (*UNROLLED, {**REF, "recompute": 10, "compile": False}, 2.31, 0.231, 800),
    "mnist1d unrolled, rec 5": (*UNROLLED, {**REF, "recompute": 5, "compile": False}, 2.31, 0.231, 800),
    "mnist1d truncated 10": (*UNROLLED, {**REF, "truncate": 10, "compile": False}, None, None, None),
    "mnist1d first-order": (*UNROLLED, {**REF, "mode": "first-order", "compile": False}, None, None, None),
    "mnist1d first, compiled": (*UNROLLED, {**REF, "mode": "first-order", "compile": True}, None, None, None),
    "clock hnn first-order": ("clock", "hnn", {"mode": "first-order", "inner_steps": 32}, 5.3, 0.53, None),
    "clock hnn first, compiled": ("clock", "hnn", {"mode": "first-order", "inner_steps": 32, "compile": True},
                                  5.3, 0.53, None),
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
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": float(np.median(seconds)), "first_s": float(result.history["seconds"][1]),
                      "peak_mb": peak_mb, "unrolled": config.unrolled_steps, "hidden": list(config.hidden),
                      "batch": config.batch_size}))


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
    print(f"{'setting':<28}{'s/outer step':>13}{'first s':>9}{'peak MB':>9}{'reference s':>13}{'speed-up':>10}"
          f"{'target s':>10}  verdict")
    for name, (_, _, _, ref, target_s, target_mb) in SETTINGS.items():
        if args.only and name != args.only:
            continue
        out = subprocess.run([sys.executable, __file__, "--child", name, "--outer-steps", str(args.outer_steps),
                              "--threads", str(args.threads)], capture_output=True, text=True, check=False)
        if out.returncode:
            print(f"{name:<28} failed: {(out.stderr.strip().splitlines() or ['?'])[-1]}")
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        speed = f"{ref / r['seconds']:>9.1f}x" if ref else f"{'':>10}"
        verdict = ""
        if target_s is not None:
            ok = r["seconds"] <= target_s and (target_mb is None or r["peak_mb"] < target_mb)
            verdict = "meets target" if ok else "misses target"
        reference = f"{ref:.2f}" if ref else "-"
        target = f"{target_s:.3f}" if target_s else "-"
        print(f"{name:<28}{r['seconds']:>13.3f}{r['first_s']:>9.2f}{r['peak_mb']:>9.0f}{reference:>13}{speed}"
              f"{target:>10}  {verdict}")
    print(f"(median of outer steps 2..{args.outer_steps}, {args.threads} threads)")


if __name__ == "__main__":
    main()
