"""How good is the default study on a user's system? The defaults a user's task gets
(``physnet/tasks/settings.py``, with every arm's learning rate tuned) against a hand-tuned
budget: the Hamiltonian-network literature's (two 200-wide tanh layers, orthogonal init, Adam
1e-3, weight decay 1e-4, 2000 full-batch steps), on several systems.

For every seed of every arm: the validation MSE of the derivatives, the forecast error (RMS
over time of the state error, RK4 at the data's step from each validation orbit's first
state over its whole length, mean over orbits) and, where the system has an energy, the
energy error (mean over time and orbits of |E(forecast) - E(truth)|). Printed: the median
over seeds per (system, recipe, arm), and each candidate's best arm against the hand-tuned
budget (ratio; the goal is <= 2).

    python benchmarks/user_defaults.py                         # every system, every recipe, 10 seeds
    python benchmarks/user_defaults.py --case spring/hnn --recipe default --seeds 5
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

import physnet
from physnet.integrators import odeint
from physnet.study import StudyConfig, load_arm
from physnet.study.model_store import model_dtype
from systems import DoublePendulum, HenonHeiles, LotkaVolterra, MassSpring, Pendulum, VanDerPol, generate_orbits


@dataclass(frozen=True)
class Case:
    system: object
    model: str
    data: dict


CASES = {
    # the literature's two benchmarks: 25 noisy trajectories to train on, 25 to test
    "spring/hnn": Case(
        MassSpring(), "hnn", dict(orbits=50, t_end=3.0, dt=0.1, noise=0.1, noise_on="states", val_fraction=0.5)
    ),
    "pendulum/hnn": Case(
        Pendulum(gravity=6.0, amplitude_range=(0.5, 1.5)),
        "hnn",
        dict(orbits=50, t_end=5.0, dt=0.1, noise=0.1, noise_on="states", val_fraction=0.5),
    ),
    "lotka-volterra/nn": Case(LotkaVolterra(), "nn", dict(orbits=50, t_end=20.0, dt=0.1)),
    "double-pendulum/hnn": Case(DoublePendulum(), "hnn", dict(orbits=50, t_end=5.0, dt=0.1)),
    "van-der-pol/nn": Case(VanDerPol(), "nn", dict(orbits=60, t_end=20.0, dt=0.1)),
    "henon-heiles/hnn": Case(HenonHeiles(), "hnn", dict(orbits=50, t_end=30.0, dt=1.0)),
}
#: A hand-tuned budget (full batch; epochs below are steps) and the candidates for the defaults.
RECIPES = {
    "literature": dict(
        hidden=(200, 200), lr=1e-3, weight_decay=1e-4, init="orthogonal", arms=("tanh",), tune=None, full_batch=2000
    ),
    "untuned": dict(arms=("base", "tanh"), tune=None),  # the defaults before tuning: Adam 1e-2
    "default": dict(arms=("base", "tanh")),
    "default+wd": dict(arms=("base", "tanh"), weight_decay=1e-4),
    "2x100": dict(arms=("base", "tanh"), hidden=(100, 100)),
    "2x100+wd": dict(arms=("base", "tanh"), hidden=(100, 100), weight_decay=1e-4),
}


def forecast_errors(net, data, energy) -> tuple[np.ndarray, np.ndarray | None]:
    """Per member: mean over validation orbits of the RMS state error along the orbit, and of
    the mean absolute energy error (None without an energy)."""
    starts = [0, *(torch.nonzero(data.val_orbit[1:] != data.val_orbit[:-1]).flatten() + 1).tolist()]
    length = min(b - a for a, b in zip(starts, [*starts[1:], len(data.x_val)], strict=True))
    y0 = data.x_val[starts].double()
    t = torch.arange(length, dtype=torch.float64) * data.dt
    truth = generate_orbits(data.system, y0, t, rtol=1e-10, atol=1e-10).states  # (N, T, d)
    dtype = model_dtype(net)
    e = net.n_members
    with torch.no_grad():
        start = y0.to(dtype).unsqueeze(0).expand(e, *y0.shape).contiguous()
        rolled = odeint(net, start, t.to(dtype), method="rk4").double()  # (T, E, N, d)
    pred = rolled.permute(1, 2, 0, 3)  # (E, N, T, d)
    err = (pred - truth).pow(2).sum(-1).mean(-1).sqrt().mean(-1)  # (E,)
    err = torch.where(torch.isfinite(err), err, torch.full_like(err, math.inf))
    if energy is None:
        return err.numpy(), None
    de = (energy(pred) - energy(truth)).abs().mean(-1).mean(-1)
    de = torch.where(torch.isfinite(de), de, torch.full_like(de, math.inf))
    return err.numpy(), de.numpy()


def run(case_name: str, recipe_name: str, seeds: int, root: Path) -> dict:
    case = CASES[case_name]
    name = f"bench-{case_name.replace('/', '-')}"
    task = physnet.register_task(physnet.system_task(case.system, name=name, seed=0, **case.data), replace=True)
    recipe = dict(RECIPES[recipe_name])
    steps = recipe.pop("full_batch", None)
    config = StudyConfig.for_task(task.name, case.model, seeds=seeds, **recipe)
    if steps is not None:
        n_train = len(task.load(seed=0).x_train)
        config = StudyConfig(**{**config.to_dict(), "batch_size": n_train, "epochs": steps, "tune_grid": None})
    began = time.perf_counter()
    out = root / f"{name}-{recipe_name}"
    result = physnet.compare(config, out=out)
    data = task.load(seed=0)
    energy = getattr(case.system, "energy", None)
    rows = {}
    for arm in config.arms:
        net, _ = load_arm(out / "models" / f"{arm}.pt")
        fc, de = forecast_errors(net, data.to("cpu", model_dtype(net)), energy)
        rows[arm] = {
            "val_mse": float(np.median(result.values[arm])),
            "forecast": float(np.median(fc)),
            "energy": None if de is None else float(np.median(de)),
            "failed": result.failures[arm]["failed"],
            "lr": (result.tuning or {}).get("chosen", {}).get(arm, config.lr),
        }
    return {"seconds": time.perf_counter() - began, "arms": rows, "config": config.to_dict()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", action="append", choices=list(CASES))
    parser.add_argument("--recipe", action="append", choices=list(RECIPES))
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--json", help="write every number here")
    args = parser.parse_args()
    results: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        for case in args.case or list(CASES):
            results[case] = {}
            for recipe in args.recipe or list(RECIPES):
                r = run(case, recipe, args.seeds, Path(tmp))
                results[case][recipe] = r
                for arm, v in r["arms"].items():
                    energy = "" if v["energy"] is None else f" energy {v['energy']:.3g}"
                    print(
                        f"{case:>20} {recipe:>11} {arm:>5}: val_mse {v['val_mse']:.3g} forecast {v['forecast']:.3g}"
                        f"{energy} failed {v['failed']} lr {v['lr']:.3g} ({r['seconds']:.0f} s)",
                        flush=True,
                    )
            if "literature" in results[case]:
                ref = next(iter(results[case]["literature"]["arms"].values()))
                for recipe, r in results[case].items():
                    if recipe == "literature":
                        continue
                    best = min(r["arms"].values(), key=lambda v: v["forecast"])
                    ratio = best["forecast"] / ref["forecast"]
                    energy = ""
                    if best["energy"] is not None and ref["energy"]:
                        energy = f", energy {best['energy'] / ref['energy']:.2f}x"
                    print(f"{case:>20} {recipe:>11} best arm vs literature: forecast {ratio:.2f}x{energy}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
