"""``physnet reproduce TASK`` (meta-learn, compare, forecast, report) and ``physnet sweep-size``."""

from __future__ import annotations

import argparse

from physnet.cli.arguments import int_list
from physnet.cli.options import add_option, add_setting
from physnet.cli.study_options import (
    add_backend_options,
    add_protocol_options,
    protocol_overrides,
    run_context,
)
from physnet.cli.task_options import add_task_options, resolve_task_argument, task_help
from physnet.errors import UserError


def register(sub: argparse._SubParsersAction) -> None:
    r = sub.add_parser(
        "reproduce",
        help="meta-learn, compare arms, forecast and report one task",
        description="Everything for one task into DIR, with DIR/report.md. henon-heiles runs both "
        "models into DIR/nn and DIR/hnn and adds DIR/nn_vs_hnn.png and DIR/report.md.",
    )
    r.add_argument("task", metavar="TASK", help=task_help() + "; or all (each paper task into DIR/<task>/)")
    add_option(r, "model")
    add_option(r, "out", required=True)
    add_option(r, "quick")
    add_setting(r, "STUDY", "seeds")
    add_option(r, "preset")
    add_option(r, "meta-seeds")
    add_option(r, "data")
    r.add_argument(
        "--budgets",
        choices=("short,full", "full"),
        metavar="short,full|full",
        help="short,full (default without a preset): the comparison also at 5 epochs, and the report ends with "
        "'Does learned diversity help here?' at both budgets; full: the task's budget alone (the default "
        "under a preset)",
    )
    add_option(r, "force")
    add_option(r, "no-progress")
    add_protocol_options(r)
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
    add_option(w, "out", required=True)
    add_option(w, "model")
    add_setting(w, "STUDY", "seeds")
    add_option(w, "quick")
    add_option(w, "data")
    add_option(w, "force")
    add_backend_options(w)
    add_task_options(w)
    w.set_defaults(run=run_sweep)


def run_reproduce(args: argparse.Namespace) -> int:
    from physnet.io import prepare_output_dir
    from physnet.jobs.reproduce import paper_models, reproduce_task
    from physnet.jobs.reproduce_all import reproduce_all
    from physnet.tasks.presets import RunRequest
    from physnet.tasks.registry import get_task

    echo = lambda s: print(s, flush=True)  # noqa: E731
    request = RunRequest(
        quick=args.quick,
        seeds=args.seeds,
        data=args.data,
        preset=args.preset,
        meta_seeds=args.meta_seeds,
        budgets=None if args.budgets is None else tuple(args.budgets.split(",")),
        compare_overrides=protocol_overrides(args),
    )
    if args.task == "all":
        if args.data is not None or args.preset not in (None, "paper") or args.model is not None:
            raise UserError(
                "reproduce all takes neither --data, --model nor a one-task preset; use --preset paper, or run "
                "the task on its own for those"
            )
        out = prepare_output_dir(args.out, command="reproduce all")
        timings = reproduce_all(out, request, context=run_context(args, echo))
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
            request.with_preset(args.task, model)  # a preset the task lacks: refused before any work
        out = prepare_output_dir(args.out, command="reproduce")
        reproduce_task(args.task, out, request, models=models, context=run_context(args, echo))
    print(f"wrote {out}/report.md")
    return 0


def run_sweep(args: argparse.Namespace) -> int:
    from physnet.io import prepare_output_dir
    from physnet.jobs.sweep import sweep_sizes
    from physnet.tasks.presets import RunRequest
    from physnet.tasks.registry import get_task

    args.task = resolve_task_argument(args)
    task = get_task(args.task)
    out = prepare_output_dir(args.out, command="sweep-size")
    summaries = sweep_sizes(
        args.task,
        args.model or task.models[0],
        args.sizes,
        out,
        RunRequest(quick=args.quick, seeds=args.seeds, data=args.data),
        context=run_context(args, lambda s: print(s, flush=True)),
    )
    for size, s in summaries.items():
        print(f"size {size:>4}: " + ", ".join(f"{a} {v['median']:.4g}" for a, v in s["arms"].items()))
    print(f"wrote {out}/sizes.png, {out}/summary.json and {out}/size-N/")
    return 0
