"""Seconds per outer step of meta-learning at the paper's scale, both modes, with peak memory.

Each setting runs in its own process so that peak RSS belongs to it alone.

    python benchmarks/meta_step.py [--outer-steps 3] [--full]

``--full`` also runs the whole default budget once per setting and prints the validation
loss before and after meta-learning.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys

SETTINGS = [
    ("van-der-pol", "nn", "first-order"),
    ("van-der-pol", "nn", "unrolled"),
    ("henon-heiles", "hnn", "first-order"),
    ("henon-heiles", "hnn", "unrolled"),
]


def child(task: str, model: str, mode: str, outer_steps: int | None) -> None:
    import numpy as np
    import torch

    from physnet.meta import meta_config_for, meta_learn

    torch.set_num_threads(2)
    overrides = {"mode": mode}
    if outer_steps:
        overrides["outer_steps"] = outer_steps
    config = meta_config_for(task, model, **overrides)
    result = meta_learn(config)
    h = result.history
    print(
        json.dumps(
            {
                "seconds_per_outer_step": float(np.median(h["seconds"][1:])),
                "val_before": float(h["val_loss"][0]),
                "val_after": float(h["val_loss"][-1]),
                "outer_steps": int(h["outer_step"][-1]),
                "inner_steps": config.inner_steps,
                "hidden": list(config.hidden),
                "width": config.width,
                "batch": config.batch_size,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outer-steps", type=int, default=3)
    parser.add_argument("--full", action="store_true", help="run the whole default number of outer steps")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child, None if args.full else args.outer_steps)
        return
    print(
        f"{'task':<14}{'model':<6}{'mode':<13}{'s/outer step':>13}{'peak MB':>9}"
        f"{'val before':>12}{'val after':>11}  setting"
    )
    for task, model, mode in SETTINGS:
        cmd = [sys.executable, __file__, "--child", task, model, mode, "--outer-steps", str(args.outer_steps)]
        if args.full:
            cmd.append("--full")
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode:
            print(f"{task:<14}{model:<6}{mode:<13} failed: {out.stderr.strip().splitlines()[-1]}")
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{task:<14}{model:<6}{mode:<13}{r['seconds_per_outer_step']:>13.3f}{r['peak_rss_mb']:>9.0f}"
            f"{r['val_before']:>12.4g}{r['val_after']:>11.4g}  {r['outer_steps']} outer x {r['inner_steps']} inner, "
            f"hidden {r['hidden']}, W={r['width']}, batch {r['batch']}"
        )


if __name__ == "__main__":
    main()
