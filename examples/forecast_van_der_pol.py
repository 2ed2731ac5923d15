"""Forecast van der Pol with a diverse network: meta-learn two neuron types from sine, build a
network mixing them, train it, and roll it out against the true orbit (Euler, as in the
paper, and RK4).

    python examples/forecast_van_der_pol.py --out runs/vdp-forecast [--small]
"""

from __future__ import annotations

import argparse

from physnet import (
    TrainConfig,
    build_model,
    forecast,
    get_task,
    meta_config_for,
    meta_learn,
    prepare_output_dir,
    train,
    write_figure,
)
from physnet.plots import plot_forecast_orbits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/vdp-forecast")
    parser.add_argument("--small", action="store_true", help="small data and budget (seconds)")
    args = parser.parse_args()
    budget = {"small": True, "outer_steps": 5, "inner_steps": 20} if args.small else {}
    types = meta_learn(meta_config_for("van-der-pol", **budget)).frozen
    data = get_task("van-der-pol").load(small=args.small)
    net = build_model("nn", 2, [100], types, seeds=[0])
    fit = train(net, data, TrainConfig(epochs=10 if args.small else 40))
    print(f"mix network: validation MSE {float(fit.val_loss[0]):.4g}")
    out = prepare_output_dir(args.out)
    for method in ("euler", "rk4"):
        fc = forecast(net, data, method=method, steps=100 if args.small else 400, n_orbits=2)
        print(f"{method:>5}: forecast error after {fc.t[-1]:.0f} time units: {fc.error[:, -1].round(3).tolist()}")
        write_figure(
            out / f"orbits_{method}.png",
            plot_forecast_orbits(fc.truth, fc.model, fc.state_names, title=f"van der Pol, {method}"),
        )
    print(f"plots in {out}")


if __name__ == "__main__":
    main()
