"""``physnet ablate TASK --vary NAME=V1,V2 ... --out DIR``: the map of when learned diversity helps."""

from __future__ import annotations

import argparse

from physnet.cli.names import names
from physnet.cli.options import add_option, add_setting
from physnet.cli.study_options import add_protocol_options, protocol_overrides, run_context
from physnet.cli.task_options import add_task_options, resolve_task_argument, task_help


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "ablate",
        help="the full factorial over meta-learning and comparison settings: when does diversity help?",
        description="Runs meta-learning and the comparison for every combination of the --vary values and each "
        "meta seed (meta-learning shared between settings that differ only in comparison settings; resumable). "
        "Writes DIR/ablation.csv (per setting, meta seed and arm: n, median, q1, q3), DIR/effects.csv (per setting "
        "and meta seed: best_pure, learned_vs_base and mix_vs_best_pure with 95 %% bootstrap intervals, positive "
        "favouring the first-named arm), DIR/ablation.png and DIR/report.md.",
    )
    p.add_argument("task", metavar="TASK", help=task_help())
    p.add_argument(
        "--vary",
        action="append",
        required=True,
        metavar="NAME=V1,V2",
        help=f"a setting and its values (repeat for a factorial); names: {', '.join(names('VARIABLE'))} "
        "(meta.NAME / compare.NAME where a name exists in both); tuples as 64-64; none for optional ones",
    )
    add_option(p, "out", required=True)
    add_option(p, "model")
    add_setting(p, "STUDY", "seeds")
    add_option(p, "meta-seeds", default=1)
    add_option(p, "preset")
    add_option(p, "quick")
    p.add_argument("--yes", action="store_true", help=f"run a factorial of more than {500} settings")
    add_option(p, "backend")
    add_option(p, "address")
    add_option(p, "workers")
    add_option(p, "no-progress")
    add_protocol_options(p)
    add_task_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from physnet.cli.vary import parse_vary
    from physnet.io import prepare_output_dir
    from physnet.jobs.ablate import base_configs, run_ablation
    from physnet.jobs.factorial import plan_settings
    from physnet.tasks.presets import RunRequest
    from physnet.tasks.registry import get_task

    args.task = resolve_task_argument(args)
    task = get_task(args.task)
    varies = [parse_vary(text) for text in args.vary]
    model = args.model or task.models[0]
    request = RunRequest(
        quick=args.quick,
        seeds=args.seeds,
        preset=args.preset,
        meta_seeds=args.meta_seeds,
        compare_overrides=protocol_overrides(args),
    )
    plan_settings(varies, *base_configs(args.task, model, request), yes=args.yes)  # refused before any work
    out = prepare_output_dir(args.out, command="ablate")
    result = run_ablation(
        args.task, model, varies, out, request, yes=args.yes, context=run_context(args, lambda s: print(s, flush=True))
    )
    varied = [v.name for v in varies]
    for p in result["pooled"]:
        cells = ", ".join(f"{n}={p[n]}" for n in varied)
        parts = []
        for key, label in (("learned_vs_base", "learned vs base"), ("mix_vs_best_pure", "mix vs better pure")):
            if p[key] != "":
                parts.append(f"{label} {p[key + '_rel']:+.1%} [{p[key + '_rel_lo']:+.1%}, {p[key + '_rel_hi']:+.1%}]")
        print(f"{cells}: " + "; ".join(parts))
    print(f"wrote {out}/ablation.csv, effects.csv, ablation.png, report.md")
    return 0
