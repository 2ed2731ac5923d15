"""Forecast from your own states with a study's trained arm, in a script: the seeds as an
ensemble, its median and 90 % band, and how often that band held the truth.

    python examples/forecast_from_python.py --out runs/forecast-from-python [--small]

Runs a small van der Pol study first (or reuses it), then loads its ``tanh`` arm.
"""

from __future__ import annotations

import argparse

import numpy as np
import torch

import physnet


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/forecast-from-python")
    parser.add_argument("--small", action="store_true", help="a few seeds and epochs (seconds)")
    args = parser.parse_args()
    out = physnet.prepare_output_dir(args.out)
    seeds, epochs = (5, 20) if args.small else (20, 100)
    study = physnet.StudyConfig.for_task("van-der-pol", seeds=seeds, epochs=epochs, arms=("tanh",), tune=None)
    physnet.compare(study, out=out / "study")  # resumes if it is there already

    forecaster = physnet.load_forecaster(out / "study", arm="tanh")
    print(forecaster)  # model kind, seeds, the study's integrator and substeps, dtype
    states = np.array([[1.0, 0.0], [0.0, 2.0], [-2.0, 1.0]])  # (N, d): your own initial states
    t = np.linspace(0.0, 5.0, 51)  # equally spaced output times
    fc = forecaster.predict(states, t)
    lower, upper = fc.band(0.9)
    print(f"rollouts {fc.rollouts.shape} (members, states, times, components); median {fc.median.shape}")
    print(f"at t = {t[-1]:g} the first state's x lies in [{lower[0, -1, 0]:.3f}, {upper[0, -1, 0]:.3f}] (90 % band)")

    system = forecaster.data.system  # the task's true system, to check the band against
    truth = physnet.odeint(system, torch.as_tensor(states), torch.as_tensor(t), method="rk4").movedim(0, 1).numpy()
    inside = (truth >= lower) & (truth <= upper)
    print(f"the 90 % band held the truth {inside[:, 1:].mean():.0%} of the time on these {len(states)} states")


if __name__ == "__main__":
    main()
