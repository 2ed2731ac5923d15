"""NN, HNN and DHNN, each trained on derivatives and on rollouts, on a damped-pendulum series and
on the real clock: the one-step metric and the forecast error per arm, the mix against sine,
and whether learned diversity helps under each.

    python benchmarks/damped_models.py --out runs/damped [--budget quick|default] [--seeds N]
        [--rollout-steps K] [--shooting]

Per task and model, ``physnet reproduce`` on the derivative loss (meta-learning two types, then
the arms), then ``physnet compare`` on the rollout loss with the types learned there (meta-learning
through rollouts runs too, ``reproduce --loss rollout``, but costs more: its meta-learning phase here
took 21-29 s for the NN against 6.5 s on derivatives, 48-83 s for the DHNN against 8.3 s; see
docs/models-and-losses.md).

The damped-pendulum series is written first (``OUT/damped-pendulum.csv``): eight swings of a
pendulum with friction 0.1 measured every 0.05 s for 20 s with noise 0.01 on angle and angular
velocity, no derivative columns (as the video pipeline writes them); the conservative HNN is
trained on it with ``--force-model`` (the toolkit refuses it otherwise). Prints one table; each
run's report stays in ``OUT/<task>/<model>-<loss>/``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from systems import DampedPendulum, generate_orbits, time_grid  # noqa: E402

MODELS = ("nn", "hnn", "dhnn", "dhnn-forced")
LOSSES = ("derivative", "rollout")


def write_series(path: Path, *, orbits: int = 8, t_end: float = 20.0, dt: float = 0.05, noise: float = 0.01) -> None:
    """A damped pendulum's noisy record: columns run, t, theta, theta_dot."""
    system = DampedPendulum(damping=0.1)
    t = time_grid(t_end, dt)
    states = generate_orbits(system, system.sample_initial_states(orbits, seed=7), t).states
    states = states + noise * torch.randn(states.shape, generator=torch.Generator().manual_seed(8), dtype=states.dtype)
    lines = ["run,t,theta,theta_dot"]
    for g in range(orbits):
        lines += [f"r{g},{t[j]:.4f},{states[g, j, 0]:.8f},{states[g, j, 1]:.8f}" for j in range(len(t))]
    path.write_text("\n".join(lines) + "\n")


def run(command: str, task: list[str], model: str, loss: str, out: Path, options: list[str]) -> tuple[dict, float]:
    if model == "nn":  # --force-model lets an energy model train on a series that fails the check; nn needs none
        task = [t for t in task if t != "--force-model"]
    argv = [sys.executable, "-m", "physnet.cli.main", command, *task, "--model", model, "--loss", loss]
    argv += [*options, "--out", str(out)]
    began = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        print(f"  {' '.join(task)} {model} {loss}: failed: {done.stderr.strip().splitlines()[-1]}", flush=True)
        return {}, seconds
    return json.loads((out / "summary.json").read_text()), seconds


def _median(summary: dict, arm: str, metric: str | None = None) -> float:
    block = summary if metric is None else summary["forecast"]["metrics"][metric]
    return float(block["arms"][arm]["median"])


def _verdict(summary: dict, metric: str | None = None) -> str:
    """The mix against sine by the 95 % interval of the median difference (mix - base; lower
    is better for both metrics here)."""
    block = summary if metric is None else summary["forecast"]["metrics"][metric]
    test = (block.get("tests") or {}).get("mix_vs_base") or {}
    lo, hi = test.get("median_diff_ci") or (None, None)
    if lo is None or hi is None:
        return "?"
    if test.get("within_noise"):
        return "noise"
    if hi < 0:
        return "mix better"
    if lo > 0:
        return "mix worse"
    return "n.s."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--budget", choices=("quick", "default"), default="quick")
    parser.add_argument("--seeds", type=int, help="seeds per arm (default: the budget's)")
    parser.add_argument("--rollout-steps", type=int, default=5, help="rollout window (default 5)")
    parser.add_argument("--models", default=",".join(MODELS), help=f"subset of {','.join(MODELS)}")
    parser.add_argument("--tasks", default="damped-pendulum,clock", help="subset of damped-pendulum,clock")
    parser.add_argument("--shooting", action="store_true", help="also a row trained by multiple shooting")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    series = args.out / "damped-pendulum.csv"
    write_series(series)
    budget = ["--quick"] if args.budget == "quick" else []
    budget += ["--seeds", str(args.seeds)] if args.seeds else []
    tasks = {
        "damped-pendulum series": [str(series), "--group", "run", "--force-model"],
        "clock": ["clock"],
    }
    tasks = {label: task for label, task in tasks.items() if label.split()[0] in args.tasks.split(",")}
    header = f"{'task':24} {'model':5} {'loss':10} {'one-step base':>13} {'mix':>9} {'mix vs base':>11}"
    header += f" {'forecast base':>13} {'mix':>9} {'mix vs base':>11} {'friction':>9} {'s':>5}"
    rows = [header]
    print(header, flush=True)
    for label, task in tasks.items():
        for model in args.models.split(","):
            for loss in (*LOSSES, "shooting") if args.shooting else LOSSES:
                folder = args.out / label.split()[0] / f"{model}-{loss}"
                if loss == "derivative":
                    summary, seconds = run("reproduce", task, model, loss, folder, [*budget, "--no-progress"])
                else:  # the types meta-learned on derivatives, the arms trained on rollouts
                    types = folder.parent / f"{model}-derivative" / "meta" / "activations.npz"
                    if not types.exists():
                        continue
                    options = [*budget, "--activations", str(types), "--rollout-steps", str(args.rollout_steps)]
                    options += ["--shooting"] if loss == "shooting" else []
                    summary, seconds = run("compare", task, model, "rollout", folder, options)
                if not summary:
                    continue
                friction = (summary["forecast"].get("dissipation") or {}).get("arms", {}).get("mix", {}).get("median")
                row = (
                    f"{label:24} {model:5} {loss:10} {_median(summary, 'base'):13.3g} {_median(summary, 'mix'):9.3g} "
                    f"{_verdict(summary):>11} {_median(summary, 'base', 'rollout_error'):13.3g} "
                    f"{_median(summary, 'mix', 'rollout_error'):9.3g} {_verdict(summary, 'rollout_error'):>11} "
                    f"{'' if friction is None else f'{friction:.3g}':>9} {seconds:5.0f}"
                )
                rows.append(row)
                print(row, flush=True)
    with open(args.out / "table.txt", "a") as fh:  # several runs (subsets) add up
        fh.write("\n".join(rows) + "\n")
    print(
        f"one-step: each loss's own validation metric (derivative MSE or {LOSSES[1]} state MSE: not comparable "
        "across losses); forecast: median normalised rollout error over seeds (comparable); "
        f"mix vs base: 95 % bootstrap interval of the median difference; friction: the DHNN mix's learned rate"
    )


if __name__ == "__main__":
    main()
