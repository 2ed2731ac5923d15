"""Reuse frozen learned activations in a new network on another task: types meta-learned on
the real clock drive a van der Pol forecaster, compared with sine at the same budget.

    python examples/reuse_activations.py --out runs/reuse [--activations FILE] [--small]
"""

from __future__ import annotations

import argparse

from physnet import (
    TrainConfig,
    build_model,
    get_task,
    load_activations,
    meta_config_for,
    meta_learn,
    prepare_output_dir,
    save_activations,
    train,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/reuse")
    parser.add_argument("--activations", help="an activations file (default: meta-learn on the clock first)")
    parser.add_argument("--small", action="store_true", help="small data and budget (seconds)")
    args = parser.parse_args()
    out = prepare_output_dir(args.out)
    path = args.activations
    if path is None:
        budget = {"small": True, "outer_steps": 3, "inner_steps": 10} if args.small else {}
        path = save_activations(
            out / "clock_activations.npz", meta_learn(meta_config_for("clock", "hnn", **budget)).frozen
        )
    types = load_activations(path, k=2)
    print(f"loaded {types.k} types from {path} (learned on {types.metadata.get('task')}, {types.kind} interpolation)")
    data = get_task("van-der-pol").load(small=args.small)
    seeds = list(range(4 if args.small else 20))
    config = TrainConfig(epochs=5 if args.small else 30)
    for label, bank in (("sine", "sin"), ("clock types, mixed", types)):
        result = train(build_model("nn", 2, [100], bank, seeds=seeds), data, config)
        print(f"{label:>20}: median validation MSE over {len(seeds)} seeds {float(result.val_loss.median()):.4g}")


if __name__ == "__main__":
    main()
