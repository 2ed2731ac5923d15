"""``physnet forecast RUN_DIR --arm ARM``: roll a stored network out against the truth."""

from __future__ import annotations

import argparse
from pathlib import Path

from physnet.cli import arguments
from physnet.cli.options import add_option, add_setting
from physnet.errors import UserError


def register(sub: argparse._SubParsersAction) -> None:
    f = sub.add_parser(
        "forecast",
        help="roll a trained model out and compare with the true orbit",
        description="Writes DIR/forecast.csv, DIR/orbits.png, DIR/error.png and, where the system "
        "has an energy, DIR/energy.png.",
    )
    f.add_argument("run_dir", metavar="RUN_DIR", help="a folder written by `physnet compare` or `reproduce`")
    f.add_argument("--arm", required=True)
    add_option(f, "seed")
    add_option(f, "method", default="euler")
    f.add_argument("--steps", type=arguments.positive_int, help="steps to roll out (default 200)")
    add_setting(f, "STUDY", "substeps")
    f.add_argument(
        "--horizon", type=arguments.positive_float, metavar="T", help="time to roll out (in place of --steps)"
    )
    add_option(f, "dt")
    add_option(f, "orbits")
    f.add_argument(
        "--initial",
        metavar="FILE.csv",
        help="roll out from these states (a header naming the state's components, one state per row) instead "
        "of the validation orbits' first states; compared with the true system where the task has one",
    )
    add_option(f, "out", required=True)
    f.set_defaults(run=run_forecast)


def study_substeps(run_dir: Path) -> int:
    """The substeps the study's forecast skill took (``summary.json``), or 1 where it records none."""
    import json

    path = run_dir / "summary.json"
    try:
        integration = (json.loads(path.read_text()).get("forecast") or {}).get("integration") or {}
    except (OSError, ValueError):
        return 1
    return int(integration.get("substeps") or 1)


def run_forecast(args: argparse.Namespace) -> int:
    import math

    import numpy as np

    from physnet.io import prepare_output_dir
    from physnet.reports.outputs import write_forecast
    from physnet.study import load_arm
    from physnet.study.arm_skill import normaliser
    from physnet.study.folder import read_study_config
    from physnet.study.model_forecast import forecast
    from physnet.study.model_store import model_dtype
    from physnet.tasks.series_file import read_states_csv
    from physnet.tasks.sources import task_for_study

    if args.steps is not None and args.horizon is not None:
        raise UserError("--steps and --horizon both set the rollout's length: give one")
    if args.initial is not None and args.orbits is not None:
        raise UserError("--orbits picks validation orbits and --initial gives the states: give one")
    run_dir = Path(args.run_dir)
    study = read_study_config(run_dir)
    arms = list(study.get("arms") or [])
    if arms and args.arm not in arms:
        raise UserError(f"--arm {args.arm}: this study has no such arm; its arms are {', '.join(arms)}")
    net, arch = load_arm(run_dir / "models" / f"{args.arm}.pt")
    seeds = list(arch["seeds"])
    seed = seeds[0] if args.seed is None else args.seed
    if seed not in seeds:
        raise UserError(f"seed {seed} is not stored for arm {args.arm!r}; stored seeds {seeds[0]}-{seeds[-1]}")
    data = task_for_study(study).load(
        seed=study.get("data_seed", 0), small=study.get("small", False), data=study.get("data")
    )
    dt = args.dt or data.dt
    steps = args.steps or 200
    if args.horizon is not None:
        if dt is None:
            raise UserError("--horizon needs a step: give --dt (this task's data has no sampling interval)")
        steps = max(1, math.ceil(args.horizon / dt - 1e-9))
    substeps = args.substeps or study_substeps(run_dir)
    initial = None
    if args.initial is not None:
        initial = read_states_csv(args.initial, tuple(data.state_names))
    fc = forecast(
        net,
        data.to("cpu", model_dtype(net)),
        method=args.method,
        steps=steps,
        n_orbits=args.orbits,
        member=seeds.index(seed),
        initial=initial,
        dt=dt,
        substeps=substeps,
    )
    out = prepare_output_dir(args.out, command="forecast")
    write_forecast(
        out,
        fc,
        f"{study['task']} / {args.arm} arm, seed {seed}, {args.method}",
        {
            "command": "forecast",
            "run_dir": str(run_dir),
            "arm": args.arm,
            "seed": seed,
            "method": args.method,
            "substeps": substeps,
            "steps": len(fc.t) - 1,
            "dt": dt,
            "initial": args.initial,
        },
    )
    if fc.recorded_steps is not None:
        print(
            f"the record ends after {fc.recorded_steps} steps (the shortest validation record); the forecast "
            f"runs all {len(fc.t) - 1}, with no truth and no error beyond each record's end"
        )
        final = fc.error[:, fc.recorded_steps]
        where = f"error at step {fc.recorded_steps}"
    else:
        final, where = fc.error[:, -1], "final error"
    head = f"forecast {len(fc.truth)} orbit(s) for {len(fc.t) - 1} steps with {args.method}"
    head += f" ({substeps} substep(s) per step)"
    if not np.isfinite(final).any():
        print(f"{head}: no truth to compare with; wrote {out}/forecast.csv and plots")
        return 0
    scale = normaliser(data)
    print(
        f"{head}: {where} median {float(np.nanmedian(final)) / scale:.4g} normalised (|model - truth| over the spread "
        f"of the validation states, {scale:.4g}, as the reports' forecast skill; "
        f"{float(np.nanmedian(final)):.4g} in the states' units); wrote {out}/forecast.csv and plots"
    )
    return 0
