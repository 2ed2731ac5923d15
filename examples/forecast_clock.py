"""Forecast the real pendulum clock with a Hamiltonian network (q = theta, p = theta_dot):
train on the first 80 % of the recording, roll out over the last 20 %.

    python examples/forecast_clock.py --out runs/clock-forecast [--small]
"""

from __future__ import annotations

import argparse

from physnet import TrainConfig, build_model, forecast, get_task, prepare_output_dir, train, write_figure
from physnet.plots import plot_forecast_error, plot_forecast_orbits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/clock-forecast")
    parser.add_argument("--small", action="store_true", help="short training (seconds)")
    args = parser.parse_args()
    data = get_task("clock").load()
    hnn = build_model("hnn", 2, [100], "sin", seeds=[0])
    fit = train(hnn, data, TrainConfig(epochs=20 if args.small else 100))
    print(f"HNN on the real clock: validation MSE {float(fit.val_loss[0]):.4g}")
    fc = forecast(hnn, data, method="implicit-midpoint", steps=60 if args.small else 300)
    print(f"implicit-midpoint forecast over {fc.t[-1]:.1f} s: final state error {fc.error[0, -1]:.3g}")
    out = prepare_output_dir(args.out)
    write_figure(out / "orbits.png", plot_forecast_orbits(fc.truth, fc.model, fc.state_names, title="real clock"))
    write_figure(out / "error.png", plot_forecast_error(fc.t, fc.error, title="real clock"))
    print(f"plots in {out}")


if __name__ == "__main__":
    main()
