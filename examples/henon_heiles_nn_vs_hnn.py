"""Henon-Heiles: a conventional network against a Hamiltonian one, forecasting a regular and
a chaotic orbit at E = 1/8 side by side (truth solid, models dashed).

    python examples/henon_heiles_nn_vs_hnn.py --out runs/hh-orbits [--small]
"""

from __future__ import annotations

import argparse
import math

import matplotlib.pyplot as plt
import torch

from physnet import TrainConfig, build_model, get_task, odeint, prepare_output_dir, train, write_figure
from systems import HenonHeiles, chaos_indicators, generate_orbits


def state_on_shell(x: float, y: float, px: float, energy: float = 0.125) -> list[float]:
    v = 0.5 * (x * x + y * y) + x * x * y - y**3 / 3
    return [x, y, px, math.sqrt(2 * (energy - v) - px * px)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/hh-orbits")
    parser.add_argument("--small", action="store_true", help="small data and budget (seconds)")
    args = parser.parse_args()
    data = get_task("henon-heiles").load(small=args.small)
    models = {}
    for kind in ("nn", "hnn"):
        models[kind] = build_model(kind, 4, [100], "sin", seeds=[0])
        fit = train(models[kind], data, TrainConfig(epochs=5 if args.small else 30))
        print(f"{kind.upper():>3}: validation MSE {float(fit.val_loss[0]):.3g}")
    hh = HenonHeiles()
    y0 = torch.tensor([state_on_shell(0.234, 0.184, -0.134), state_on_shell(-0.118, 0.245, 0.182)], dtype=torch.float64)
    labels = [
        "regular" if not c else "chaotic" for c in chaos_indicators(hh, y0, t_end=100 if args.small else 400).chaotic
    ]
    t = torch.linspace(0, 10 if args.small else 40, 201, dtype=torch.float64)
    truth = generate_orbits(hh, y0, t).states.numpy()
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.5))
    for i, ax in enumerate(axes):
        ax.plot(truth[i, :, 0], truth[i, :, 1], "k", lw=1.5, label="truth")
        for kind, style in (("nn", "--"), ("hnn", ":")):
            with torch.no_grad():
                pred = odeint(models[kind], y0[i : i + 1].float(), t.float(), method="rk4")[:, 0].numpy()
            ax.plot(pred[:, 0], pred[:, 1], style, lw=1.2, label=kind.upper())
        ax.set_title(f"{labels[i]} orbit, E = 1/8")
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        ax.legend()
    out = prepare_output_dir(args.out)
    write_figure(out / "nn_vs_hnn_orbits.png", fig)
    print(f"plot in {out}/nn_vs_hnn_orbits.png")


if __name__ == "__main__":
    main()
