"""``physnet meta TASK --out DIR``: meta-learn neuron types and freeze them."""

from __future__ import annotations

import argparse
import dataclasses
from dataclasses import replace
from pathlib import Path

from physnet.cli.options import add_option, add_setting, add_settings
from physnet.cli.task_options import add_task_options, resolve_task_argument, task_help
from physnet.errors import UserError

#: MetaConfig fields the command sets otherwise than by an option of the same name.
NOT_OPTIONS = ("task", "model", "small", "inner_steps", "outer_steps")

#: The meta-learning settings of the paper's regimes (the reference codes' building blocks).
REGIME = (
    "inner_momentum",
    "inner_decay",
    "inner_initial_scale",
    "inner_epochs",
    "outer_momentum",
    "outer_decay",
    "outer_grad_clip",
    "reinit",
    "meta_loss",
    "sub_activation",
    "subnet_init",
    "residual_scale",
    "subnet_eval",
    "knots",
)
#: The other meta-learning settings the command takes, in the order its help lists them.
SETTINGS = (
    "k",
    "fractions",
    "base",
    "width",
    "hidden",
    "mode",
    "truncate",
    "recompute",
    "compile",
    "inner_steps",
    "outer_steps",
    "inner_lr",
    "outer_lr",
    "inner_optimizer",
    "outer_optimizer",
    "batch_size",
    "interpolation",
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "meta",
        help="meta-learn neuron types (activation sub-networks) on a task",
        description="Meta-learn k neuron types on a task (the paper's Algorithm 1) and freeze them. Writes "
        "DIR/activations.npz, DIR/history.npz, DIR/config.json, DIR/activation_evolution.png, "
        "DIR/learned_vs_base.png, DIR/training_curves.png and DIR/checkpoint.pt (for --resume). "
        "Unset options take the task's paper-scale defaults.",
    )
    p.add_argument("task", metavar="TASK", help=task_help())
    add_option(p, "out", required=True)
    add_option(p, "model")
    add_option(p, "data")
    add_settings(p, "META", *SETTINGS)
    p.add_argument("--reinit-inner", action="store_true", default=None, help="same as --reinit fresh")
    add_option(p, "preset")
    add_settings(p.add_argument_group("regime (the reference codes' building blocks)"), "META", *REGIME)
    add_option(p, "seed", default=0)
    add_setting(p, "META", "device", stated_default=True)
    add_setting(p, "META", "dtype", stated_default=True)
    add_option(p, "quick")
    add_setting(p, "META", "small")
    p.add_argument("--resume", action="store_true", help="continue from DIR/checkpoint.pt")
    add_option(p, "force")
    add_option(p, "no-progress")
    add_task_options(p, seed_flag=False)
    p.set_defaults(run=run)


def _check_folder(out: Path, *, resume: bool, force: bool) -> None:
    """Refuse to overwrite a meta-learning run (finished or not) unless resuming or forced."""
    checkpoint, finished = out / "checkpoint.pt", out / "activations.npz"
    if resume and force:
        raise UserError("--resume continues a run and --force starts over: pass one of them")
    if resume and not checkpoint.exists():
        raise UserError(f"--resume: there is no checkpoint.pt in {out} to continue (drop --resume to start)")
    if not resume and not force and (checkpoint.exists() or finished.exists()):
        state = "a finished" if finished.exists() else "an unfinished"
        raise UserError(
            f"{out} holds {state} meta-learning run: pass --resume to continue it, --force to start "
            "over, or choose another --out"
        )


def run(args: argparse.Namespace) -> int:
    from physnet.io import prepare_output_dir
    from physnet.meta import MetaConfig, meta_config_for
    from physnet.meta.folder import write_meta_folder
    from physnet.tasks.presets import RunRequest, budget
    from physnet.tasks.registry import TASKS

    args.task = resolve_task_argument(args)
    if args.data is not None and not TASKS[args.task].accepts_data_file:
        raise UserError(f"--data applies to tasks that read series files (clock), not {args.task!r}")
    if args.k is None and args.fractions is not None:
        args.k = len(args.fractions)
    if args.reinit_inner and args.reinit is None:
        args.reinit = "fresh"
    fields = {f.name for f in dataclasses.fields(MetaConfig)} - set(NOT_OPTIONS)
    overrides = {name: value for name, value in vars(args).items() if name in fields}  # options named as fields
    overrides.update(inner_steps=args.inner_steps, outer_steps=args.outer_steps, small=args.small or None)
    model = args.model or TASKS[args.task].models[0]
    request = RunRequest(quick=args.quick, preset=args.preset).with_preset(args.task, model)
    quick, _ = budget(args.task, model, request)
    config = meta_config_for(args.task, model, **{**quick, **{k: v for k, v in overrides.items() if v is not None}})
    if args.inner_steps is not None and args.inner_epochs is None:
        config = replace(config, inner_epochs=None)  # an explicit step count replaces a preset's epochs
    _check_folder(Path(args.out), resume=args.resume, force=args.force)
    out = prepare_output_dir(args.out, command="meta")
    result, summary = write_meta_folder(out, config, resume=args.resume, progress=not args.no_progress, figures=out)
    config = result.config
    label = f"{config.task} / {config.model}, {config.mode}"
    print(
        f"meta-learned {config.k} types for {label}: validation loss {summary['val_loss_initial']:.4g} -> "
        f"{summary['val_loss_final']:.4g}; {summary['median_seconds_per_outer_step']:.3f} s per outer step"
    )
    gap = result.deployment
    print(
        f"frozen vs learned types: largest difference {max(gap['grid']):.3g} on the grid, "
        f"{max(gap['preactivations'] or [0]):.3g} on the pre-activations seen "
        f"({100 * max(gap['outside_grid'] or [0]):.2g} % of them outside the grid)"
    )
    print(f"wrote {out}/activations.npz ({config.interpolation_kind} interpolation), history.npz, config.json, plots")
    return 0
