"""Why diversity might help, on MNIST-1D: meta-learn two neuron types from sine, train
classifiers with the mixed types and with sine, ReLU and tanh, then look at accuracy,
participation ratio r = R / N of the hidden layer, and the Hessian trace of the loss.

    python examples/mnist1d_diversity.py --out runs/mnist1d-diversity [--small]

Writes ``participation.png`` (accuracy vs r per arm, the paper's Fig. 8) and prints the
medians per arm. ``physnet reproduce mnist1d`` is the full study; this is the API route.
"""

from __future__ import annotations

import argparse

import numpy as np
import torch.nn.functional as F

from physnet import (
    TrainConfig,
    build_model,
    get_task,
    hidden_layers,
    meta_config_for,
    meta_learn,
    prepare_output_dir,
    train,
    write_figure,
)
from physnet.analysis import HessianOperator, hutchinson_trace, participation_ratio
from physnet.plots import plot_metric_vs_participation


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/mnist1d-diversity")
    parser.add_argument("--small", action="store_true", help="small data and budget (under a minute)")
    args = parser.parse_args()
    out = prepare_output_dir(args.out)
    budget = {"small": True, "outer_steps": 5, "inner_steps": 20} if args.small else {}
    types = meta_learn(meta_config_for("mnist1d", **budget)).frozen  # two types evolved from sine
    data = get_task("mnist1d").load(small=args.small)
    seeds = list(range(6 if args.small else 30))
    config = TrainConfig(epochs=5 if args.small else 30, batch_size=200)
    rows = []
    for arm, bank in (("mix", types), ("sine", "sin"), ("relu", "relu"), ("tanh", "tanh")):
        model = build_model("classifier", 40, [100], bank, dim_out=10, seeds=seeds)
        accuracy = train(model, data, config).val_metric.numpy()
        r = participation_ratio(hidden_layers(model, data.x_val)["L1"]).numpy() / 100
        # Hessian trace of the training loss of one more network (seed 0) trained alone, float64
        first = build_model("classifier", 40, [100], bank, dim_out=10, seeds=[0])
        train(first, data, config)
        first = first.double()
        x, y = data.x_train[:500].double(), data.y_train[:500]
        op = HessianOperator(lambda first=first, x=x, y=y: F.cross_entropy(first(x), y), list(first.parameters()))
        trace = hutchinson_trace(op, tol=0.05, max_probes=60, seed=0)
        rows += [
            {"arm": arm, "seed": s, "metric": float(a), "r": float(v)}
            for s, a, v in zip(seeds, accuracy, r, strict=True)
        ]
        print(
            f"{arm:>5}: median accuracy {np.median(accuracy):.3f}, median r {np.median(r):.3f}, "
            f"Hessian trace (seed 0) {trace.trace:.3g} +- {trace.stderr:.2g}"
        )
    write_figure(out / "participation.png", plot_metric_vs_participation(rows, metric="val_accuracy"))
    print(f"wrote {out}/participation.png")


if __name__ == "__main__":
    main()
