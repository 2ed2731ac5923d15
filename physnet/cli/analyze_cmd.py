"""``physnet analyze RUN_DIR``: participation ratio and Hessian of a study's networks."""

from __future__ import annotations

import argparse
from pathlib import Path

from physnet.cli import arguments
from physnet.cli.options import add_option


def register(sub: argparse._SubParsersAction) -> None:
    a = sub.add_parser(
        "analyze",
        help="participation ratio and Hessian statistics of a study's stored networks",
        description="Writes DIR/analysis.csv (arm,seed,metric,participation_ratio,r,hessian_trace,"
        "hessian_top,flat_fraction), DIR/analysis.json (per-arm medians and quartiles), "
        "DIR/participation.png (metric vs r per arm) and DIR/hessian_density.png.",
    )
    a.add_argument("run_dir", metavar="RUN_DIR")
    a.add_argument("--participation", action="store_true")
    a.add_argument("--hessian", action="store_true")
    a.add_argument(
        "--hessian-seeds",
        type=arguments.positive_int,
        default=10,
        help="Hessian for the first K seeds per arm (default 10)",
    )
    a.add_argument(
        "--flat-tol",
        type=arguments.positive_float,
        help="flat fraction: share of Hessian eigenvalues with |lambda| < TOL * lambda_max (default 0.01)",
    )
    add_option(a, "out")
    add_option(a, "workers")
    a.set_defaults(run=run_analyze)


def run_analyze(args: argparse.Namespace) -> int:
    from physnet.io import prepare_output_dir
    from physnet.reports.outputs import write_analysis
    from physnet.study.analysis import HessianSettings
    from physnet.study.folder import read_study_config

    run_dir = Path(args.run_dir)
    both = not (args.participation or args.hessian)
    hessian = {"seeds": args.hessian_seeds} | ({} if args.flat_tol is None else {"flat_tolerance": args.flat_tol})
    read_study_config(run_dir)  # a study folder, before creating anything
    out = prepare_output_dir(args.out or run_dir, command="analyze")
    summary = write_analysis(
        run_dir,
        out,
        participation=args.participation or both,
        hessian=HessianSettings(**hessian) if args.hessian or both else None,
        echo=lambda s: print(s, flush=True),
    )
    for arm, s in summary.items():
        print(f"{arm:>6}: " + ", ".join(f"{k} {v['median']:.4g}" for k, v in s.items()))
    print(f"wrote {out}/analysis.csv, analysis.json, participation.png, hessian_density.png")
    return 0
