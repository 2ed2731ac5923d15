"""Meta-learning speed: the sub-networks evaluated directly and on knots, side by side in one
run, against the figures measured with the paper's own code on these 2-core machines.

    python benchmarks/meta_reference.py [--outer-steps 5] [--repeats 2] [--only NAME]

Each setting runs with ``--subnet-eval direct`` and ``knots`` alternately (direct, knots,
direct, knots, ...), each run in its own process so that its peak memory is its own; the
figure per run is the median seconds per outer step over steps 2..S (step 1 warms up and,
where there is one, compiles), and the table gives the median over the repeats, the peak
memory, the ratio knots / direct and the speed-up over the reference code.

Settings:
- ``mnist1d unrolled``: the PyTorch reference's (``--preset reference``: 40-200-10, batch 200,
  2 tanh types of width 50, 100 RMSprop steps unrolled into the meta-gradient, the mean of
  the inner losses as meta-loss); direct evaluation through the fused, compiled kernels (its
  fastest and leanest form). The reference code: 2.31 s per outer step; target <= 0.23 s,
  <= 800 MB.
- ``mnist1d first-order``: the same, first order; target <= 0.1 s.
- ``henon-heiles hnn unrolled``: the task's defaults (4-100-1 HNN, 100 inner steps, width 20)
  unrolled; target <= 0.5 s.
- ``clock hnn first-order``: the JAX reference's settings with tanh sub-networks (its 5.3 s).
- ``reproduce all``: ``physnet reproduce all`` in process with the default settings (the
  default budget, knots), its wall time and peak memory; target <= 6 minutes, <= 2 GB.
  ``--only "reproduce all"`` runs this row alone; ``--skip-reproduce`` leaves it out.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

#: name -> (task, model, overrides, reference seconds, target seconds, target MB)
SETTINGS = {
    "mnist1d unrolled": ("mnist1d", "classifier", {"preset": "reference"}, 2.31, 0.23, 800),
    "mnist1d first-order": ("mnist1d", "classifier", {"preset": "reference", "mode": "first-order"}, None, 0.1, None),
    "henon-heiles hnn unrolled": ("henon-heiles", "hnn", {"mode": "unrolled"}, None, 0.5, None),
    "clock hnn first-order": ("clock", "hnn", {"preset": "paper", "sub_activation": "tanh"}, 5.3, None, None),
}
EVALS = ("direct", "knots")


def child(name: str, subnet_eval: str, outer_steps: int, threads: int) -> None:
    import torch

    from physnet.meta import meta_config_for, meta_learn
    from physnet.tasks.presets import preset

    torch.set_num_threads(threads)
    task, model, overrides, *_ = SETTINGS[name]
    overrides = dict(overrides)
    named = preset(task, model, overrides.pop("preset", None))["meta"]
    config = meta_config_for(
        task, model, **{**named, **overrides, "outer_steps": outer_steps, "subnet_eval": subnet_eval}
    )
    result = meta_learn(config)
    seconds = result.history["seconds"][2:]
    print(
        json.dumps(
            {
                "seconds": float(np.median(seconds)),
                "first_s": float(result.history["seconds"][1]),
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


REPRODUCE_ALL = "reproduce all"
REPRODUCE_TARGET_S, REPRODUCE_TARGET_MB = 6 * 60, 2048


def child_reproduce_all(threads: int) -> None:
    import torch

    from physnet.cli.main import main as physnet

    torch.set_num_threads(threads)
    with tempfile.TemporaryDirectory() as out:
        began = time.perf_counter()
        code = physnet(["reproduce", "all", "--out", out, "--no-progress"])
        seconds = time.perf_counter() - began
    if code:
        raise SystemExit(f"reproduce all exited {code}")
    print(json.dumps({"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def reproduce_all_row(args) -> None:
    out = subprocess.run(
        [sys.executable, __file__, "--child", REPRODUCE_ALL, "--threads", str(args.threads)],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode:
        print(f"{REPRODUCE_ALL} failed: {(out.stderr.strip().splitlines() or ['?'])[-1]}")
        return
    r = json.loads(out.stdout.strip().splitlines()[-1])
    ok = r["seconds"] <= REPRODUCE_TARGET_S and r["peak_mb"] <= REPRODUCE_TARGET_MB
    print(
        f"{REPRODUCE_ALL:<27} {r['seconds']:.0f} s = {r['seconds'] / 60:.1f} min, peak {r['peak_mb']:.0f} MB "
        f"(target <= {REPRODUCE_TARGET_S / 60:.0f} min, <= {REPRODUCE_TARGET_MB} MB: "
        f"{'meets' if ok else 'misses'} target)"
    )


def run(name: str, subnet_eval: str, args) -> dict | None:
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            name,
            "--eval",
            subnet_eval,
            "--outer-steps",
            str(args.outer_steps),
            "--threads",
            str(args.threads),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode:
        print(f"{name} ({subnet_eval}) failed: {(out.stderr.strip().splitlines() or ['?'])[-1]}")
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outer-steps", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", help="one setting by name")
    parser.add_argument("--skip-reproduce", action="store_true", help=f"leave out the {REPRODUCE_ALL!r} row")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--eval", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == REPRODUCE_ALL:
        child_reproduce_all(args.threads)
        return
    if args.child:
        child(args.child, args.eval, args.outer_steps, args.threads)
        return
    print(
        f"{'setting':<27}{'direct s':>9}{'MB':>6}{'knots s':>9}{'MB':>6}{'knots/direct':>13}{'vs reference':>13}"
        f"{'target s':>9}  verdict (knots)"
    )
    for name, (_, _, _, ref, target_s, target_mb) in SETTINGS.items():
        if args.only and name != args.only:
            continue
        runs: dict[str, list[dict]] = {e: [] for e in EVALS}
        for _ in range(args.repeats):
            for e in EVALS:  # alternating: the machine's drift hits both alike
                r = run(name, e, args)
                if r is not None:
                    runs[e].append(r)
        if not all(runs.values()):
            continue
        med = {e: float(np.median([r["seconds"] for r in runs[e]])) for e in EVALS}
        mb = {e: max(r["peak_mb"] for r in runs[e]) for e in EVALS}
        vs_ref = f"{ref / med['knots']:>12.1f}x" if ref else f"{'-':>13}"
        verdict = ""
        if target_s is not None:
            ok = med["knots"] <= target_s and (target_mb is None or mb["knots"] <= target_mb)
            verdict = "meets target" if ok else "misses target"
        print(
            f"{name:<27}{med['direct']:>9.3f}{mb['direct']:>6.0f}{med['knots']:>9.3f}{mb['knots']:>6.0f}"
            f"{med['knots'] / med['direct']:>13.2f}{vs_ref}{target_s or float('nan'):>9.2f}  {verdict}"
        )
        print(
            f"{'':<27}per run: direct {[round(r['seconds'], 3) for r in runs['direct']]}, "
            f"knots {[round(r['seconds'], 3) for r in runs['knots']]}"
        )
    print(
        f"(median of outer steps 2..{args.outer_steps} per run, median over {args.repeats} alternating runs, "
        f"{args.threads} threads)"
    )
    if (args.only in (None, REPRODUCE_ALL)) and not args.skip_reproduce:
        reproduce_all_row(args)


if __name__ == "__main__":
    main()
