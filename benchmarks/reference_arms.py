"""Is a neural network worth it? Sparse regression and the exact field beside the best network
arm on every dynamics task of the paper, and what the integration floor does to the forecasts.

    python benchmarks/reference_arms.py --out runs/references [--quick] [--tasks van-der-pol,...]
    python benchmarks/reference_arms.py --from runs/references      # re-read finished runs

Runs ``physnet reproduce TASK`` (default budget unless ``--quick``) for van der Pol, Henon-Heiles
(NN and HNN), the clock and the damped pendulum (DHNN, NN, HNN), then prints, per task and model:
sparse regression's one-step median and terms, the best network arm's; both forecast errors
(median over seeds of the mean normalised rollout error) and valid prediction times against the
horizon; the integrator, the substeps chosen and the integration floor; and the cost of the
reference arms (the sparse fits, the substep search and the reference rollouts) as a share of the
study's wall time.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TASKS = ("van-der-pol", "henon-heiles", "clock", "damped-pendulum")


def studies(folder: Path) -> dict[str, dict]:
    """``{label: summary}`` for every study folder under ``folder`` (one per model)."""
    out = {}
    for path in sorted(folder.rglob("summary.json")):
        if "short-budget" in path.parts:
            continue
        summary = json.loads(path.read_text())
        if "references" in summary:
            out[f"{summary['task']} / {summary['model']}"] = summary
    return out


def row(label: str, s: dict) -> str:
    sindy = (s.get("references") or {}).get("sindy") or {}
    worth = s.get("worth_it") or {}
    best = worth.get("arm", "?")
    fc = s.get("forecast") or {}
    fc_sindy = ((fc.get("references") or {}).get("sindy") or {}).get("metrics", {})
    metrics = fc.get("metrics") or {}
    floor = fc.get("integration") or {}
    fc_best = min(metrics["rollout_error"]["arms"], key=lambda a: metrics["rollout_error"]["arms"][a]["median"])

    def med(block: dict, arm: str, score: str) -> float:
        return float(block[score]["arms"][arm]["median"]) if arm else float("nan")

    reference_seconds = float(sindy.get("seconds", 0.0)) + float(fc.get("reference_seconds", 0.0))
    share = reference_seconds / float(s.get("wall_seconds") or 1.0)
    return (
        f"| {label} | {sindy.get('median', float('nan')):.2g} ({sindy.get('terms', '?')} terms) | "
        f"{s['arms'][best]['median']:.3g} ({best}) | "
        f"{fc_sindy.get('rollout_error', {}).get('median', float('nan')):.3g} / "
        f"{fc_sindy.get('vpt', {}).get('median', float('nan')):.3g} | "
        f"{med(metrics, fc_best, 'rollout_error'):.3g} / {med(metrics, fc_best, 'vpt'):.3g} ({fc_best}) | "
        f"{fc.get('horizon', float('nan')):.3g} | {floor.get('method', '?')} x {floor.get('substeps', '?')} | "
        f"{floor.get('floor', {}).get('rollout_error', float('nan')):.2g} ({floor.get('reference', '?')}) | "
        f"{reference_seconds:.1f} s = {share:.1%} |"
    )


HEADER = (
    "| task / model | SINDy one-step | best arm one-step | SINDy forecast error / VPT | best arm forecast error / VPT "
    "| horizon | method x substeps | integration floor | reference arms' cost |\n|---|---|---|---|---|---|---|---|---|"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="where the runs go (one folder per task)")
    parser.add_argument("--from", dest="source", type=Path, help="re-read finished runs")
    parser.add_argument("--quick", action="store_true", help="the quick budget")
    parser.add_argument("--tasks", default=",".join(TASKS))
    args = parser.parse_args()
    folder = args.source or args.out
    if folder is None:
        parser.error("give --out (run) or --from (re-read)")
    if args.source is None:
        for task in args.tasks.split(","):
            argv = [sys.executable, "-m", "physnet.cli.main", "reproduce", task, "--out", str(folder / task)]
            argv += ["--no-progress"] + (["--quick"] if args.quick else [])
            began = time.perf_counter()
            done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
            status = "ok" if done.returncode == 0 else f"failed: {done.stderr.strip().splitlines()[-1:]}"
            print(f"{task}: {time.perf_counter() - began:.0f} s, {status}", flush=True)
    print(HEADER)
    for label, summary in studies(folder).items():
        print(row(label, summary))


if __name__ == "__main__":
    main()
