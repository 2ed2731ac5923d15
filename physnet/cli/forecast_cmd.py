"""``physnet forecast RUN_DIR --arm ARM``: roll a stored network out against the truth."""

from __future__ import annotations

import argparse
from pathlib import Path

from physnet.cli import arguments
from physnet.cli.options import add_option, add_setting
from physnet.errors import UserError
from physnet.version import __version__


def register(sub: argparse._SubParsersAction) -> None:
    f = sub.add_parser(
        "forecast",
        help="forecast with an arm's seeds as an ensemble, with calibrated bands",
        description="Rolls out every seed of the arm that did not fail (--seed N: one network) with the study's "
        "forecast integrator and writes the median and central bands: DIR/forecast.csv (long: orbit, t, state, "
        "truth, median, lower_50, upper_50, lower_90, upper_90, members), DIR/orbits.png, DIR/phase.png, "
        "DIR/energy.png where the system has an energy, and on validation orbits DIR/calibration.json and "
        "DIR/reliability.png (how often each band held the truth).",
    )
    f.add_argument("run_dir", metavar="RUN_DIR", help="a folder written by `physnet compare` or `reproduce`")
    f.add_argument("--arm", required=True, help="the arm whose networks forecast (base, type1, type2, mix, ...)")
    add_option(f, "seed")
    add_option(f, "method", default=None)
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
    f.add_argument(
        "--levels",
        type=arguments.float_list,
        default=(0.5, 0.9),
        metavar="L,L,...",
        help="central band levels, each in (0, 1) (default 0.5,0.9)",
    )
    f.add_argument(
        "--spread-scale",
        default="1",
        metavar="S|fit",
        help="widen every band's half-width S times; fit: by the factor that makes the 90 %% band hold the truth "
        "90 %% of the time on the first half of the validation orbits (reported with its effect on the other "
        "half) (default 1: the seeds' own spread)",
    )
    f.add_argument(
        "--export",
        metavar="FILE.pt2",
        help="also write the networks for plain PyTorch (torch.export; no physnet needed to load): the vector "
        "field of a conventional model, the energy H of a Hamiltonian one",
    )
    add_option(f, "out", required=True)
    f.set_defaults(run=run_forecast)


def run_forecast(args: argparse.Namespace) -> int:
    import math

    import numpy as np

    from physnet.io import prepare_output_dir
    from physnet.reports.ensemble_files import write_ensemble_forecast
    from physnet.study.calibration import calibration_sentence
    from physnet.study.ensemble_bands import check_levels, horizon_index
    from physnet.study.ensemble_forecast import forecast_orbits
    from physnet.study.forecaster import load_forecaster
    from physnet.tasks.series_file import read_states_csv

    if args.steps is not None and args.horizon is not None:
        raise UserError("--steps and --horizon both set the rollout's length: give one")
    if args.initial is not None and args.orbits is not None:
        raise UserError("--orbits picks validation orbits and --initial gives the states: give one")
    levels = check_levels(tuple(args.levels))
    run_dir = Path(args.run_dir)
    seeds = None if args.seed is None else [args.seed]
    forecaster = load_forecaster(run_dir, args.arm, seeds, method=args.method, substeps=args.substeps)
    study, data = forecaster.settings, forecaster.data
    assert data is not None  # load_forecaster loads the study's data
    dt = args.dt or data.dt
    steps = args.steps or 200
    if args.horizon is not None:
        if dt is None:
            raise UserError("--horizon needs a step: give --dt (this task's data has no sampling interval)")
        steps = max(1, math.ceil(args.horizon / dt - 1e-9))
    initial = None if args.initial is None else read_states_csv(args.initial, forecaster.state_names)
    if initial is not None and len(initial) == 0:
        raise UserError(f"{args.initial} holds no initial states")
    result = forecast_orbits(
        forecaster,
        data,
        steps,
        n_orbits=args.orbits,
        initial=initial,
        dt=dt,
        levels=levels,
        spread_scale=args.spread_scale,
    )
    fc = result.forecast
    out = prepare_output_dir(args.out, command="forecast")
    who = f"seed {fc.seeds[0]}" if len(fc.seeds) == 1 else f"{len(fc.seeds)} seeds"
    settings = {
        "command": "forecast",
        "run_dir": str(run_dir),
        "arm": args.arm,
        "method": forecaster.method,
        "substeps": forecaster.substeps,
        "steps": len(fc.t) - 1,
        "dt": dt,
        "initial": args.initial,
        "physnet_version": __version__,
    }
    write_ensemble_forecast(out, result, f"{study['task']} / {args.arm} arm, {who}, {forecaster.method}", settings)
    if args.export is not None:
        from physnet.study.export import export_forecaster

        print(export_forecaster(forecaster, Path(args.export)))
    done = len(fc.t) - 1
    head = (
        f"forecast {fc.median.shape[0]} orbit(s) for {done} steps with {forecaster.method} "
        f"({forecaster.substeps} substep(s) per step) from {who} of arm {args.arm}"
    )
    if result.recorded_steps is not None:
        print(
            f"the record ends after {result.recorded_steps} steps (the shortest validation record); the forecast "
            f"runs all {done}, with no truth beyond each record's end"
        )
    if result.truth is None or not np.isfinite(result.truth).any():
        print(f"{head}: no truth to compare with (a measured series has none from new states); wrote {out}/")
        return 0
    error = np.linalg.norm(fc.median - result.truth, axis=-1) / result.normaliser  # (N, T)
    last = done if result.recorded_steps is None else result.recorded_steps  # where the truth still is
    at = [horizon_index(last + 1, share) for share in (0.1, 0.5, 1.0)]
    errors = ", ".join(f"{np.nanmedian(error[:, i]):.3g}" for i in at)
    print(
        f"{head}: the median's error at 10 %, 50 % and 100 % of the horizon {errors} (normalised: |median - truth| "
        f"over the spread of the validation states, {result.normaliser:.4g}, as the reports' forecast skill)"
    )
    if result.calibration is not None:
        record = result.calibration
        crps = ", ".join("-" if c is None else f"{c:.3g}" for c in record["crps"])
        print(calibration_sentence(record) + f" CRPS at the same horizons {crps} (normalised).")
        if result.scale != 1.0:
            print(f"the bands written are widened {result.scale:.3g}x (--spread-scale)")
    print(
        f"wrote {out}/forecast.csv, orbits.png, phase.png"
        + (", calibration.json, reliability.png" if result.calibration else "")
    )
    return 0
