"""``physnet compare``, ``physnet forecast`` and ``physnet reproduce``: the paper's studies."""

from __future__ import annotations

import argparse
import time
from functools import partial
from pathlib import Path

from physnet.cli import arguments
from physnet.cli.arguments import int_list
from physnet.cli.names import default, names
from physnet.cli.task_options import add_task_options, resolve_task_argument, task_help


def _arms(text: str) -> tuple[str, ...]:
    arms = tuple(a.strip() for a in text.split(",") if a.strip())
    for a in arms:
        if a not in names("ARMS"):
            raise argparse.ArgumentTypeError(f"unknown arm {a!r}; valid arms: {', '.join(names('ARMS'))}")
    return arms


def add_backend_options(parser: argparse.ArgumentParser, *, block_size: bool = False) -> None:
    parser.add_argument(
        "--backend",
        choices=names("BACKENDS"),
        default="process",
        help="process (default: here) or ray (arms and seed blocks as Ray tasks)",
    )
    parser.add_argument(
        "--address",
        help="ray: the cluster to join, e.g. ray://head:10001 or auto (default: start a local Ray instance)",
    )
    if block_size:
        parser.add_argument(
            "--block-size",
            type=arguments.positive_int,
            default=50,
            help="seeds per batched ensemble / Ray task (default 50)",
        )


def quick_help(command: str) -> str:
    """The help of ``--quick``, from the quick budget itself."""
    q = lambda name: default("QUICK_COMPARE", name)  # noqa: E731
    m = lambda name: default("QUICK_META", name)  # noqa: E731
    meta = f"meta-learning {m('outer_steps')} outer steps of {m('inner_steps')} inner ones, "
    return (
        f"the task's quick budget: small data, {'' if command == 'compare' else meta}{q('seeds')} seeds of "
        f"{q('epochs')} epochs (a task may keep its data whole); under --preset only data, seeds and outer steps shrink"
    )


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
    c.add_argument(
        "--meta-seeds",
        type=arguments.positive_int,
        metavar="M",
        help="with a folder of activation files: use the first M (by name; default all)",
    )
    c.add_argument("--out", required=True, metavar="DIR")
    c.add_argument("--model", help="nn or hnn (default: the task's first)")
    c.add_argument("--data", metavar="CSV", help="clock: a series file instead of the shipped data")
    c.add_argument("--seeds", type=arguments.positive_int, help=f"seeds per arm (default {default('STUDY', 'seeds')})")
    c.add_argument(
        "--arms",
        type=_arms,
        help=f"comma-separated, from {', '.join(names('ARMS'))} (default: the paper's "
        f"{', '.join(names('PAPER_ARMS'))}; all six for mnist1d)",
    )
    c.add_argument(
        "--preset",
        choices=names("REGIMES"),
        help="named settings: paper (the reference codes' regime) or "
        "reference (mnist1d); options given explicitly override it",
    )
    c.add_argument("--hidden", type=int_list)
    c.add_argument("--epochs", type=arguments.positive_int)
    c.add_argument("--batch-size", type=arguments.positive_int)
    c.add_argument("--lr", type=arguments.positive_float)
    train = lambda name: default("STUDY_TRAINING", name)  # noqa: E731
    c.add_argument(
        "--optimizer", choices=names("OPTIMIZERS"), help=f"training optimizer (default {train('optimizer')})"
    )
    c.add_argument(
        "--momentum", type=arguments.momentum, help=f"sgd, rmsprop: heavy-ball momentum (default {train('momentum')})"
    )
    c.add_argument(
        "--decay",
        type=arguments.decay,
        help=f"rmsprop: second-moment decay (default {train('decay')}; the paper preset 0.1)",
    )
    c.add_argument(
        "--initial-scale",
        type=arguments.nonnegative_float,
        help=f"rmsprop: initial second moment (default {train('initial_scale')})",
    )
    c.add_argument(
        "--compile",
        action="store_true",
        default=None,
        help="train through torch.compile (Hamiltonian networks through torch.func.grad; needs a C++ compiler)",
    )
    c.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    c.add_argument("--device", default="cpu", type=arguments.device, help="cpu (default), cuda, cuda:N or mps")
    c.add_argument("--small", action="store_true", help="the task's small data (the budget stays)")
    c.add_argument("--quick", action="store_true", help=quick_help("compare"))
    c.add_argument("--force", action="store_true", help="start afresh in a folder holding another study")
    add_backend_options(c, block_size=True)
    add_task_options(c)
    c.set_defaults(run=run_compare)

    f = sub.add_parser(
        "forecast",
        help="roll a trained model out and compare with the true orbit",
        description="Writes DIR/forecast.csv, DIR/orbits.png, DIR/error.png and, where the system "
        "has an energy, DIR/energy.png.",
    )
    f.add_argument("run_dir", metavar="RUN_DIR", help="a folder written by `physnet compare` or `reproduce`")
    f.add_argument("--arm", required=True)
    f.add_argument("--seed", type=arguments.nonnegative_int, help="which seed's network (default: the first stored)")
    f.add_argument(
        "--method", default="euler", help=f"integrator: {', '.join(names('METHODS'))} (default euler, the paper's)"
    )
    f.add_argument("--steps", type=arguments.positive_int, default=200)
    f.add_argument("--orbits", type=arguments.positive_int, help="validation orbits to forecast (default: up to 3)")
    f.add_argument("--out", required=True, metavar="DIR")
    f.set_defaults(run=run_forecast)

    r = sub.add_parser(
        "reproduce",
        help="meta-learn, compare arms, forecast and report one task",
        description="Everything for one task into DIR, with DIR/report.md. henon-heiles runs both "
        "models into DIR/nn and DIR/hnn and adds DIR/nn_vs_hnn.png and DIR/report.md.",
    )
    r.add_argument("task", metavar="TASK", help=task_help() + "; or all (each paper task into DIR/<task>/)")
    r.add_argument("--model", help="run this model only (default: the task's; both nn and hnn for Henon-Heiles)")
    r.add_argument("--out", required=True, metavar="DIR")
    r.add_argument("--quick", action="store_true", help=quick_help("reproduce"))
    r.add_argument(
        "--seeds",
        type=arguments.positive_int,
        help=f"seeds per arm (default {default('STUDY', 'seeds')}, "
        f"or {default('QUICK_COMPARE', 'seeds')} with --quick)",
    )
    r.add_argument(
        "--preset",
        choices=names("REGIMES"),
        help="named settings for meta-learning and the comparison: "
        "paper (the reference codes' regime, every task; with controls and several meta seeds) or reference "
        "(mnist1d: the anchor rerun, 5 seeds of 100 epochs)",
    )
    r.add_argument(
        "--meta-seeds",
        type=arguments.positive_int,
        metavar="M",
        help="meta-learn from seeds 0..M-1 and run the comparison "
        "for each; the mix is judged per meta seed and pooled (default: the preset's, else 1)",
    )
    r.add_argument("--data", metavar="CSV", help="clock: a series file instead of the shipped data")
    r.add_argument("--force", action="store_true")
    r.add_argument("--no-progress", action="store_true")
    add_backend_options(r)
    add_task_options(r)
    r.set_defaults(run=run_reproduce)

    w = sub.add_parser(
        "sweep-size",
        help="the comparison at several hidden sizes (the paper's Fig. 4)",
        description="Meta-learns two types once, then runs the arms at each size into DIR/size-N/; "
        "writes DIR/sizes.png and DIR/summary.json keyed by size.",
    )
    w.add_argument("task", metavar="TASK", help=task_help())
    w.add_argument("--sizes", default="25,50,100,200,400", type=lambda s: list(int_list(s)))
    w.add_argument("--out", required=True, metavar="DIR")
    w.add_argument("--model", help="nn or hnn (default: the task's first)")
    w.add_argument("--seeds", type=arguments.positive_int)
    w.add_argument("--quick", action="store_true", help=quick_help("sweep-size"))
    w.add_argument("--data", metavar="CSV")
    w.add_argument("--force", action="store_true")
    add_backend_options(w)
    add_task_options(w)
    w.set_defaults(run=run_sweep)

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
    a.add_argument("--out", metavar="DIR", help="default: RUN_DIR")
    a.set_defaults(run=run_analyze)


def run_compare(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from physnet.activations import load_activations
    from physnet.experiments import StudyConfig, run_study
    from physnet.experiments.effects import judged
    from physnet.experiments.outputs import write_study
    from physnet.run_output import prepare_output_dir

    args.task = resolve_task_argument(args)
    keys = ("hidden", "epochs", "batch_size", "lr", "optimizer", "momentum", "decay", "initial_scale", "compile")
    given = {key: getattr(args, key) for key in (*keys, "seeds", "arms") if getattr(args, key) is not None}
    config = StudyConfig.for_task(
        args.task, args.model, quick=args.quick, preset=args.preset, data=args.data, dtype=args.dtype, **given
    )
    if args.small:
        config = replace(config, small=True)
    model = config.model
    files = activation_files(args.activations, args.meta_seeds)
    banks = {stem: load_activations(path) for stem, path in files.items()} if files else {None: None}
    out = prepare_output_dir(args.out)
    began = time.perf_counter()
    summaries = {}
    for stem, frozen in banks.items():
        folder = out if stem is None else out / stem
        tag = "" if stem is None else f"[{stem}] "
        result = run_study(
            config,
            frozen,
            folder,
            device=args.device,
            force=args.force,
            backend=args.backend,
            address=args.address,
            block_size=args.block_size,
            on_arm=partial(_print_arm, tag),
        )
        summaries[stem] = write_study(folder, config, result)
        _print_study(summaries[stem], tag)
    if len(banks) > 1:
        from physnet.experiments.meta_seed_summary import write_meta_seed_summary

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


def _print_arm(tag: str, arm: str, seeds: list[int]) -> None:
    print(f"{tag}arm {arm}: training seeds {seeds[0]}-{seeds[-1]}", flush=True)


def activation_files(path: str | None, meta_seeds: int | None) -> dict[str | None, Path]:
    """``--activations``: nothing, one file (keyed None), or a folder's ``*.npz`` files by name
    (the first ``meta_seeds`` of them).

    Raises:
        ValueError: ``--meta-seeds`` without a folder, below 1, or more than the folder holds.
    """
    if meta_seeds is not None and meta_seeds < 1:
        raise ValueError(f"--meta-seeds must be at least 1, got {meta_seeds}")
    if path is None or not Path(path).is_dir():
        if meta_seeds is not None and meta_seeds != 1:
            raise ValueError("--meta-seeds needs --activations to be a folder of activation files (one per meta seed)")
        return {} if path is None else {None: Path(path)}  # one file: no stem
    found = sorted(Path(path).glob("*.npz"))
    if not found:
        raise ValueError(f"no activation files (*.npz) in {path}")
    if meta_seeds is not None and meta_seeds > len(found):
        raise ValueError(f"--meta-seeds {meta_seeds}: {path} holds only {len(found)} activation file(s)")
    return {f.stem: f for f in found[: meta_seeds or len(found)]}


def _print_study(summary: dict, tag: str = "") -> None:
    for arm, s in summary["arms"].items():
        test = summary["tests"].get(f"mix_vs_{arm}")
        extra = f"  mix vs {arm}: p = {test['p_value']:.3g}" if test else ""
        print(
            f"{tag}{arm:>6}: median {summary['metric']} {s['median']:.4g} (q1 {s['q1']:.4g}, q3 {s['q3']:.4g}){extra}"
        )


def run_forecast(args: argparse.Namespace) -> int:
    import numpy as np

    from physnet.experiments import load_arm
    from physnet.experiments.forecast import forecast
    from physnet.experiments.model_store import model_dtype
    from physnet.experiments.outputs import write_forecast
    from physnet.experiments.study_folder import read_study_config
    from physnet.run_output import prepare_output_dir
    from physnet.task_sources import task_for_study

    run_dir = Path(args.run_dir)
    study = read_study_config(run_dir)
    net, arch = load_arm(run_dir / "models" / f"{args.arm}.pt")
    seeds = list(arch["seeds"])
    seed = seeds[0] if args.seed is None else args.seed
    if seed not in seeds:
        raise ValueError(f"seed {seed} is not stored for arm {args.arm!r}; stored seeds {seeds[0]}-{seeds[-1]}")
    data = task_for_study(study).load(
        seed=study.get("data_seed", 0), small=study.get("small", False), data=study.get("data")
    )
    fc = forecast(
        net,
        data.to("cpu", model_dtype(net)),
        method=args.method,
        steps=args.steps,
        n_orbits=args.orbits,
        member=seeds.index(seed),
    )
    out = prepare_output_dir(args.out)
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
            "steps": len(fc.t) - 1,
        },
    )
    print(
        f"forecast {len(fc.truth)} orbit(s) for {len(fc.t) - 1} steps with {args.method}: final error "
        f"median {float(np.median(fc.error[:, -1])):.4g}; wrote {out}/forecast.csv and plots"
    )
    return 0


def run_reproduce(args: argparse.Namespace) -> int:
    from physnet.experiments.defaults import preset
    from physnet.experiments.reproduce import paper_models, reproduce_task
    from physnet.experiments.reproduce_all import reproduce_all
    from physnet.run_output import prepare_output_dir
    from physnet.tasks import get_task

    echo = lambda s: print(s, flush=True)  # noqa: E731
    if args.task == "all":
        if args.data is not None or args.preset not in (None, "paper") or args.model is not None:
            raise ValueError(
                "reproduce all takes neither --data, --model nor a one-task preset; use --preset paper, or run "
                "the task on its own for those"
            )
        out = prepare_output_dir(args.out)
        timings = reproduce_all(
            out,
            quick=args.quick,
            seeds=args.seeds,
            force=args.force,
            echo=echo,
            progress=not args.no_progress,
            backend=args.backend,
            address=args.address,
            preset_name=args.preset,
            meta_seeds=args.meta_seeds,
        )
        for task, t in timings["tasks"].items():
            print(f"{task:>14}: {t['seconds']:7.0f} s (finished after {t['finished_after']:.0f} s)")
        print(f"{'total':>14}: {timings['total_seconds']:7.0f} s; peak memory {timings['peak_rss_mb']:.0f} MB")
    else:
        args.task = resolve_task_argument(args)
        models = None
        if args.model is not None:
            get_task(args.task).model_settings(args.model)  # refuses a model the task does not take
            models = (args.model,)
        for model in models or paper_models(args.task):
            preset(args.task, model, args.preset)  # a preset the task lacks: refused before any work
        out = prepare_output_dir(args.out)
        reproduce_task(
            args.task,
            out,
            quick=args.quick,
            seeds=args.seeds,
            data=args.data,
            force=args.force,
            preset_name=args.preset,
            echo=echo,
            progress=not args.no_progress,
            backend=args.backend,
            address=args.address,
            meta_seeds=args.meta_seeds,
            models=models,
        )
    print(f"wrote {out}/report.md")
    return 0


def run_sweep(args: argparse.Namespace) -> int:
    from physnet.experiments.sweep import sweep_sizes
    from physnet.run_output import prepare_output_dir
    from physnet.tasks import get_task

    args.task = resolve_task_argument(args)
    task = get_task(args.task)
    out = prepare_output_dir(args.out)
    summaries = sweep_sizes(
        args.task,
        args.model or task.models[0],
        args.sizes,
        out,
        quick=args.quick,
        seeds=args.seeds,
        data=args.data,
        force=args.force,
        echo=lambda s: print(s, flush=True),
        backend=args.backend,
        address=args.address,
    )
    for size, s in summaries.items():
        print(f"size {size:>4}: " + ", ".join(f"{a} {v['median']:.4g}" for a, v in s["arms"].items()))
    print(f"wrote {out}/sizes.png, {out}/summary.json and {out}/size-N/")
    return 0


def run_analyze(args: argparse.Namespace) -> int:
    from physnet.experiments.outputs import write_analysis
    from physnet.experiments.study_folder import read_study_config
    from physnet.run_output import prepare_output_dir

    run_dir = Path(args.run_dir)
    both = not (args.participation or args.hessian)
    read_study_config(run_dir)  # a study folder, before creating anything
    out = prepare_output_dir(args.out or run_dir)
    summary = write_analysis(
        run_dir,
        out,
        participation=args.participation or both,
        hessian=args.hessian or both,
        hessian_seeds=args.hessian_seeds,
        flat_tolerance=args.flat_tol,
        echo=lambda s: print(s, flush=True),
    )
    for arm, s in summary.items():
        print(f"{arm:>6}: " + ", ".join(f"{k} {v['median']:.4g}" for k, v in s.items()))
    print(f"wrote {out}/analysis.csv, analysis.json, participation.png, hessian_density.png")
    return 0
