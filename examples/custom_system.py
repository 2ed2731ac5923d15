"""Define a system of your own and run it through the same code as `physnet simulate`.

Only the Hamiltonian is written: the vector field follows by autograd, and because the
system declares itself separable every integrator applies, symplectic ones included.

    python examples/custom_system.py --out runs/duffing [--small]
"""

from __future__ import annotations

import argparse

import torch

from physnet import SimulationConfig, prepare_output_dir, simulate, write_figure
from physnet.plots import plot_phase_space
from systems import HamiltonianSystem, make_generator


class Duffing(HamiltonianSystem):
    """Undamped Duffing oscillator, H = p^2/2 - q^2/2 + q^4/4 (a double well)."""

    name = "duffing"
    n_dof = 1
    separable = True
    state_names = ("q", "p")

    def hamiltonian(self, y: torch.Tensor) -> torch.Tensor:
        q, p = y[..., 0], y[..., 1]
        return 0.5 * p**2 - 0.5 * q**2 + 0.25 * q**4

    def sample_initial_states(self, n, *, generator=None, seed=None):
        g = make_generator(generator, seed)
        return 1.5 * (2 * torch.rand(n, 2, generator=g, dtype=torch.float64) - 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/duffing")
    parser.add_argument("--small", action="store_true", help="a few orbits, short time (seconds)")
    args = parser.parse_args()
    system = Duffing()
    config = SimulationConfig(
        system="examples.custom_system:Duffing",
        orbits=4 if args.small else 12,
        t_end=10.0 if args.small else 40.0,
        dt=0.05,
        method="leapfrog",
        seed=0,
    )
    orbits = simulate(system, config)
    energy = system.hamiltonian(orbits.states)
    drift = float((energy - energy[:, :1]).abs().max())
    out = prepare_output_dir(args.out)
    write_figure(
        out / "phase_space.png",
        plot_phase_space(orbits.t.numpy(), orbits.states.numpy(), system.state_names, title="Duffing, leapfrog"),
    )
    print(
        f"{config.orbits} Duffing orbits with leapfrog: largest energy change {drift:.2e}; "
        f"plot in {out}/phase_space.png"
    )


if __name__ == "__main__":
    main()
