"""Does meta-learning help? Final validation loss of meta-learning against the same run with
the activations held at their base (outer learning rate 0: same initial weights, same
batches), over several seeds.

    python benchmarks/meta_benefit.py [--task van-der-pol] [--model nn] [--seeds 5] [--small]
"""

from __future__ import annotations

import argparse

import numpy as np

from physnet.meta import meta_config_for, meta_learn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", default="van-der-pol")
    parser.add_argument("--model", default=None)
    parser.add_argument("--mode", default="first-order")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--small", action="store_true", help="small data and 30 x 20 steps")
    args = parser.parse_args()
    extra = {"small": True, "outer_steps": 30, "inner_steps": 20} if args.small else {}
    finals = {}
    for label, outer_lr in (("meta-learned", None), ("base held fixed", 0.0)):
        values = []
        for seed in range(args.seeds):
            config = meta_config_for(args.task, args.model, seed=seed, mode=args.mode, outer_lr=outer_lr, **extra)
            values.append(float(meta_learn(config).history["val_loss"][-1]))
        finals[label] = np.array(values)
        print(f"{label:<16} median {np.median(values):.4g}  values " + " ".join(f"{v:.4g}" for v in values), flush=True)
    wins = int((finals["meta-learned"] < finals["base held fixed"]).sum())
    meta_lr = meta_config_for(args.task, args.model, **extra).outer_lr
    print(
        f"{args.task}/{config.model} {args.mode}, {config.outer_steps} outer x {config.inner_steps} inner, "
        f"outer lr {meta_lr}: meta-learning lower on {wins}/{args.seeds} seeds"
    )


if __name__ == "__main__":
    main()
