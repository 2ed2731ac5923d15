"""Your own system, end to end on the public API: a double-well oscillator as a task, neuron
types meta-learned on it, networks built from fixed and learned types, the paper's arms
compared over seeds, a forecast, and the same system's orbits as a measured CSV series.

    python examples/your_own_system.py --out runs/own-system [--small]

The README's API tour walks this script.
"""

from __future__ import annotations

import argparse

import numpy as np
import torch

import physnet
from systems import HamiltonianSystem, generate_orbits, make_generator, time_grid


class DoubleWell(HamiltonianSystem):
    """H = p^2/2 - q^2/2 + q^4/4: a double well; the vector field follows by autograd."""

    name = "double-well"
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
    parser.add_argument("--out", default="runs/own-system")
    parser.add_argument("--small", action="store_true", help="small data and budget (seconds)")
    args = parser.parse_args()
    out = physnet.prepare_output_dir(args.out)
    small = args.small

    # 1. the system as a task: 30 orbits of 20 time units, split 80/20 by orbit
    task = physnet.register_task(physnet.system_task(DoubleWell(), name="double-well", orbits=30, t_end=20.0, dt=0.1))
    data = task.load(seed=0, small=small)  # TaskData: x_train (M, 2) -> y_train (M, 2)

    # 2. meta-learn two neuron types for the HNN, freeze them, save and load them again
    budget = {"outer_steps": 5, "inner_steps": 20, "small": True} if small else {}
    learned = physnet.meta_learn(physnet.meta_config_for("double-well", "hnn", **budget))
    physnet.save_activations(out / "activations.npz", learned.frozen)
    types = physnet.load_activations(out / "activations.npz", k=2, kind="cubic")

    # 3. networks from fixed or learned types, trained as one ensemble of seeds each
    config = physnet.TrainConfig(epochs=3 if small else 30, batch_size=100)
    for label, bank in (("sine", "sin"), ("mix", types)):
        model = physnet.build_model("hnn", 2, [64], bank, seeds=range(4))
        result = physnet.train(model, data, config)
        print(f"{label}: validation MSE per seed {np.round(result.val_metric.numpy(), 5).tolist()}")

    # 4. the paper's comparison over seeds, in memory (out=... writes a resumable folder)
    tiny = {"seeds": 4, "epochs": 2, "hidden": (32,)} if small else {"seeds": 20}
    study = physnet.StudyConfig.for_task("double-well", "hnn", quick=small, **tiny)
    compared = physnet.compare(study, types)
    for arm, values in compared.values.items():
        print(f"{arm:>6}: median {np.median(values):.4g} over {len(values)} seeds")
    print("mix vs the better pure type:", compared.effects["mix_vs_best_pure"])

    # 5. forecast: roll the trained network out with a symplectic integrator against the truth
    steps = 30 if small else 200
    rolled = physnet.forecast(model, data, method="implicit-midpoint", steps=steps)
    print(f"forecast error after {steps} steps: median {np.median(rolled.error[:, -1]):.3g}")

    # 6. the same system as a measured series: a CSV with groups, derivatives estimated
    t = time_grid(10.0, 0.05)
    orbits = generate_orbits(DoubleWell(), DoubleWell().sample_initial_states(6, seed=1), t).states.numpy()
    rows = ["run,t,q,p"] + [
        f"{i},{t[j]:.3f},{orbits[i, j, 0]:.9g},{orbits[i, j, 1]:.9g}" for i in range(6) for j in range(len(t))
    ]
    (out / "double_well.csv").write_text("\n".join(rows) + "\n")
    measured = physnet.series_task(out / "double_well.csv", group="run", window=11, order=3).load()
    print(f"series task: {len(measured.x_train)} training rows, {len(measured.x_val)} validation rows")


if __name__ == "__main__":
    main()
