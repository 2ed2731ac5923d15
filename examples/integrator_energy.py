"""Compare integrators on the pendulum: energy error over many steps, saved as a plot.

python examples/integrator_energy.py --out runs/integrators [--small]
"""

from __future__ import annotations

import argparse

import matplotlib.pyplot as plt
import torch

from physnet import odeint, prepare_output_dir, write_figure
from systems import Pendulum


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/integrators")
    parser.add_argument("--small", action="store_true", help="1000 steps instead of 10000")
    args = parser.parse_args()
    pendulum = Pendulum()
    y0 = torch.tensor([[1.0, 0.0]], dtype=torch.float64)
    steps, h = (1000 if args.small else 10_000), 0.1
    t = torch.arange(steps + 1, dtype=torch.float64) * h
    fig, ax = plt.subplots(figsize=(7, 4))
    for method in ("euler", "symplectic-euler", "leapfrog", "implicit-midpoint", "rk4"):
        with torch.no_grad():
            energy = pendulum.hamiltonian(odeint(pendulum, y0, t, method=method))[:, 0]
        error = ((energy - energy[0]) / energy[0].abs()).abs()
        ax.semilogy(t, error.clamp_min(1e-16), label=method, lw=0.8)
        print(f"{method:>18}: largest relative energy error {float(error.max()):.2e}")
    ax.set_xlabel("time")
    ax.set_ylabel("|relative energy error|")
    ax.set_title(f"pendulum, h = {h}")
    ax.legend()
    out = prepare_output_dir(args.out)
    write_figure(out / "energy_error.png", fig)
    print(f"plot in {out}/energy_error.png")


if __name__ == "__main__":
    main()
