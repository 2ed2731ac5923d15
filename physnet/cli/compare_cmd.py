"""``physnet compare TASK --out DIR``: the paper's protocol, arms x seeds."""

from __future__ import annotations

import argparse
import time
from functools import partial
from pathlib import Path

from physnet.cli.options import add_option, add_setting, add_settings
from physnet.cli.study_options import add_backend_options, add_protocol_options, protocol_overrides
from physnet.cli.task_options import add_task_options, resolve_task_argument, task_help
from physnet.errors import UserError


def register(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser(
        "compare",
        help="train fresh networks in each arm over many seeds and compare",
        description="The paper's protocol: arms base (sine), type1, type2, mix (half and half), "
        "optionally relu and tanh; N seeds each, same data and budget. Writes DIR/runs.csv, "
        "DIR/summary.json, DIR/boxplot.png, DIR/config.json and DIR/models/ARM.pt. Rerunning skips "
        "finished seeds; a larger --seeds extends the study.",
    )
    c.add_argument("task", metavar="TASK", help=task_help())
    c.add_argument(
        "--activations",
        metavar="FILE|DIR",
        help="activations file from `physnet meta` (needed by type1, "
        "type2, mix and the controls), or a folder of them (one per meta seed: a study each into "
        "DIR/<file stem>/, judged per meta seed and pooled)",
    )
    add_option(c, "meta-seeds")
    add_option(c, "out")
    c.add_argument(
        "--dry-run",
        action="store_true",
        help="write nothing: probe this machine's speed on the study's networks for a few seconds and print "
        "the work (member-steps) and the predicted training time",
    )
    add_option(c, "model")
    add_option(c, "data")
    add_settings(c, "STUDY", "seeds", "arms")
    add_option(c, "preset")
    add_setting(c, "STUDY", "hidden")
    add_settings(c, "TRAIN", "epochs", "batch_size", "lr", "optimizer", "momentum", "decay", "initial_scale", "compile")
    add_setting(c, "STUDY", "dtype", stated_default=True)
    add_setting(c, "META", "device", stated_default=True)
    add_setting(c, "STUDY", "small")
    add_option(c, "quick")
    add_option(c, "force")
    add_protocol_options(c)
    add_backend_options(c, block_size=True)
    add_task_options(c)
    c.set_defaults(run=run_compare)


def run_compare(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from physnet.activations import load_activations
    from physnet.io import prepare_output_dir
    from physnet.jobs.plan import study_plan
    from physnet.reports.outputs import write_study
    from physnet.study import StudyConfig, run_study
    from physnet.study.effects import judged
    from physnet.study.execution import Execution
    from physnet.tasks.registry import get_task

    args.task = resolve_task_argument(args)
    keys = ("hidden", "epochs", "batch_size", "lr", "optimizer", "momentum", "decay", "initial_scale", "compile")
    given = {key: getattr(args, key) for key in (*keys, "seeds", "arms") if getattr(args, key) is not None}
    given.update(protocol_overrides(args))
    config = StudyConfig.for_task(
        args.task, args.model, quick=args.quick, preset=args.preset, data=args.data, dtype=args.dtype, **given
    )
    if args.small:
        config = replace(config, small=True)
    model = config.model
    files = activation_files(args.activations, args.meta_seeds)
    banks = {stem: load_activations(path) for stem, path in files.items()} if files else {None: None}
    if args.dry_run:
        return _dry_run(args, config, banks)
    if args.out is None:
        raise UserError("--out DIR is required (the study folder); --dry-run alone writes nothing")
    out = prepare_output_dir(args.out, command="compare")
    began = time.perf_counter()
    summaries = {}
    data = get_task(config.task).load(seed=config.data_seed, small=config.small, data=config.data)  # once for all
    print(study_plan(config, config.as_trained(data), workers(args)))
    for stem, frozen in banks.items():
        folder = out if stem is None else out / stem
        tag = "" if stem is None else f"[{stem}] "
        result = run_study(
            config,
            frozen,
            folder,
            data=data,
            force=args.force,
            on_arm=partial(_print_arm, tag),
            execution=Execution(
                device=args.device, backend=args.backend, address=args.address, block_size=args.block_size
            ),
        )
        summaries[stem] = write_study(folder, config, result, summary_file=False)
        _forecast_skill(folder, config, result, summaries[stem], data)
        _print_study(summaries[stem], tag)
    if len(banks) > 1:
        from physnet.reports.meta_seed_summary import write_meta_seed_summary

        stems = [s for s in banks if s is not None]  # a folder of files: every stem named
        combined = write_meta_seed_summary(
            out,
            {i: summaries[s] for i, s in enumerate(stems)},
            dict(enumerate(stems)),
            title=f"{args.task} / {model}",
            seconds=time.perf_counter() - began,
        )
        pooled = combined["meta_seed_effects"]["pooled"].get("mix_vs_best_pure")
        if pooled:
            print(
                f"mix vs each meta seed's better pure type, pooled over {len(stems)}: {judged(pooled)} "
                f"({pooled['diff']:+.3g}, 95 % CI [{pooled['lo']:+.3g}, {pooled['hi']:+.3g}])"
            )
    print(
        f"done in {time.perf_counter() - began:.0f} s; wrote {out}/runs.csv, summary.json, boxplot.png, models/"
        if len(banks) == 1
        else f"done in {time.perf_counter() - began:.0f} s; wrote {out}/report.md and a study per activations file"
    )
    return 0


def _dry_run(args: argparse.Namespace, config, banks: dict) -> int:
    """``--dry-run``: the study's work and its predicted training time; nothing written."""
    from physnet.study.arms import check_arms
    from physnet.study.local_pool import default_workers
    from physnet.study.predict import predict_study
    from physnet.tasks.registry import get_task

    frozen = next(iter(banks.values()))
    check_arms(list(config.arms), frozen)
    loaded = get_task(config.task).load(seed=config.data_seed, small=config.small, data=config.data)
    data = config.as_trained(loaded)  # the probe trains as the study
    workers = default_workers() if args.backend == "process" else 1
    prediction = predict_study(config, frozen, data, workers=workers, block_size=args.block_size)
    studies = f" x {len(banks)} activation files" if len(banks) > 1 else ""
    print(
        f"compare {config.task} / {config.model}: {len(config.arms)} arms x {config.seeds} seeds, "
        f"{config.epochs} epochs on {len(data.x_train)} training samples{studies}"
        + (f", on {config.rollout_steps}-step rollouts" if config.loss == "rollout" else "")
    )
    for line in prediction.lines():
        print(line)
    if len(banks) > 1:
        print(f"all {len(banks)} studies: about {len(banks) * prediction.seconds / 60:.1f} min")
    print("nothing written (--dry-run)")
    return 0


def workers(args: argparse.Namespace) -> int:
    """The worker processes a study of these options would use at most."""
    from physnet.study.local_pool import default_workers

    if getattr(args, "backend", "process") != "process":
        return 1
    return args.workers or default_workers()


def _print_arm(tag: str, arm: str, seeds: list[int], note: str = "") -> None:
    print(f"{tag}arm {arm}: training seeds {seeds[0]}-{seeds[-1]}" + (f" ({note})" if note else ""), flush=True)


def activation_files(path: str | None, meta_seeds: int | None) -> dict[str | None, Path]:
    """``--activations``: nothing, one file (keyed None), or a folder's ``*.npz`` files by name
    (the first ``meta_seeds`` of them).

    Raises:
        ValueError: ``--meta-seeds`` without a folder, below 1, or more than the folder holds.
    """
    if meta_seeds is not None and meta_seeds < 1:
        raise UserError(f"--meta-seeds must be at least 1, got {meta_seeds}")
    if path is None or not Path(path).is_dir():
        if meta_seeds is not None and meta_seeds != 1:
            raise UserError("--meta-seeds needs --activations to be a folder of activation files (one per meta seed)")
        return {} if path is None else {None: Path(path)}  # one file: no stem
    found = sorted(Path(path).glob("*.npz"))
    if not found:
        raise UserError(f"no activation files (*.npz) in {path}")
    if meta_seeds is not None and meta_seeds > len(found):
        raise UserError(f"--meta-seeds {meta_seeds}: {path} holds only {len(found)} activation file(s)")
    return {f.stem: f for f in found[: meta_seeds or len(found)]}


def _forecast_skill(folder: Path, config, result, summary: dict, data) -> None:
    """Every seed of every arm rolled out (``physnet.study.study_skill``; nothing for
    a classifier) into the summary and ``forecast_skill.csv``; writes ``summary.json``."""
    from physnet.io import write_json
    from physnet.jobs.reproduce import forecast_options
    from physnet.reports.forecast_files import write_forecast_skill
    from physnet.study.study_skill import study_forecast

    if data.dt is not None:
        print("forecasts of every seed of every arm", flush=True)
        found = study_forecast(
            folder, list(result.values), data, config.model, config.task, **forecast_options(config, result)
        )
        if found is not None:
            summary["forecast"] = found.summary
            write_forecast_skill(folder, found, config.task, data.state_names)
    write_json(folder / "summary.json", summary)


def _failed(counts: dict | None) -> str:
    """``; 50 of 50 seeds failed (diverged 50)`` where some did, else nothing."""
    if not counts or not counts.get("failed"):
        return ""
    kinds = ", ".join(f"{k} {v}" for k, v in counts.items() if k not in ("failed", "n") and v)
    return f"; {counts['failed']} of {counts['n']} seeds failed ({kinds})"


def _print_study(summary: dict, tag: str = "") -> None:
    from physnet.reports.forecast_report import forecast_clause
    from physnet.reports.reference_report import worth_it_lines
    from physnet.reports.task_report import mix_outcomes
    from physnet.study.plausibility import plausibility_warnings

    outcomes = mix_outcomes(summary)
    failures = summary.get("failures") or {}
    for arm, s in summary["arms"].items():
        extra = ""
        if arm in outcomes:
            word, diff, lo, hi, _ = outcomes[arm]
            extra = f"  mix vs {arm}: {word} ({diff:+.3g} [{lo:+.3g}, {hi:+.3g}], +: mix better)"
        print(
            f"{tag}{arm:>6}: median {summary['metric']} {s['median']:.4g} (q1 {s['q1']:.4g}, q3 {s['q3']:.4g})"
            + _failed(failures.get(arm))
            + extra
        )
    sindy = (summary.get("references") or {}).get("sindy")
    if sindy and "median" in sindy:
        failed = f", {sindy['failed']} fits failed" if sindy["failed"] else ""
        print(
            f"{tag} sindy: median {summary['metric']} {sindy['median']:.4g} (q1 {sindy['q1']:.4g}, q3 "
            f"{sindy['q3']:.4g}; sparse regression, {sindy['terms']} terms{failed})"
        )
    clause = forecast_clause(summary.get("forecast"))
    if clause:
        print(f"{tag}{clause}")
    for line in worth_it_lines(summary):
        print(f"{tag}{line}")
    for warning in plausibility_warnings(summary):
        print(f"{tag}warning: {warning}")
