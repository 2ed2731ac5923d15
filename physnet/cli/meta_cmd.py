"""``physnet meta TASK --out DIR``: meta-learn neuron types and freeze them."""

from __future__ import annotations

import argparse
import dataclasses
from dataclasses import replace
from pathlib import Path

from physnet.cli import arguments
from physnet.cli.names import default, names
from physnet.cli.options import add_option
from physnet.cli.task_options import add_task_options, resolve_task_argument, task_help
from physnet.errors import UserError


def meta(name: str) -> object:
    """The ``MetaConfig`` default of ``name`` (for help texts)."""
    return default("META", name)


#: MetaConfig fields the command sets otherwise than by an option of the same name.
NOT_OPTIONS = ("task", "model", "small", "inner_steps", "outer_steps")


def add_regime_options(p: argparse.ArgumentParser) -> None:
    """The meta-learning settings of the paper's regimes (shared with ``ablate``'s help)."""
    g = p.add_argument_group("regime (the reference codes' building blocks)")
    g.add_argument(
        "--inner-momentum",
        type=arguments.momentum,
        help=f"inner sgd/rmsprop momentum (default {meta('inner_momentum')})",
    )
    g.add_argument(
        "--inner-decay",
        type=arguments.decay,
        help=f"inner rmsprop: second-moment decay (default {meta('inner_decay')}; JAX 0.1, PyTorch 0.8)",
    )
    g.add_argument(
        "--inner-initial-scale",
        type=arguments.nonnegative_float,
        help=f"inner rmsprop: initial second moment (default {meta('inner_initial_scale')}; PyTorch reference 1)",
    )
    g.add_argument(
        "--inner-epochs",
        type=arguments.positive_int,
        help="inner steps as passes over the training split (replaces --inner-steps; JAX reference 2)",
    )
    g.add_argument(
        "--outer-momentum",
        type=arguments.momentum,
        help=f"outer sgd/rmsprop momentum (default {meta('outer_momentum')})",
    )
    g.add_argument(
        "--outer-decay",
        type=arguments.decay,
        help=f"outer rmsprop: second-moment decay (default {meta('outer_decay')}; JAX 0.9)",
    )
    g.add_argument(
        "--outer-grad-clip",
        type=arguments.positive_float,
        help="clamp outer gradients to +-CLIP (PyTorch reference 0.1)",
    )
    g.add_argument(
        "--reinit",
        choices=names("REINIT_MODES"),
        help="inner weights at each outer step: none (default, carry "
        "on), fresh (new draw; PyTorch reference) or same (the same draw; JAX reference)",
    )
    g.add_argument(
        "--meta-loss",
        choices=names("META_LOSSES"),
        help="final (default: loss on one more batch) or trajectory (mean of the inner losses; PyTorch reference)",
    )
    g.add_argument(
        "--sub-activation",
        choices=names("SUB_ACTIVATIONS"),
        help=f"sub-network hidden units (default {meta('sub_activation')}; JAX reference relu)",
    )
    g.add_argument(
        "--subnet-init",
        choices=names("SUBNET_INITS"),
        help="zero output layer (default; starts at the base) or "
        "the frameworks' default init (default for --base zero)",
    )
    g.add_argument(
        "--residual-scale",
        type=arguments.positive_float,
        help=f"s in base + s * g (default {meta('residual_scale')}; PyTorch reference 0.2)",
    )
    g.add_argument(
        "--subnet-eval",
        choices=names("SUBNET_EVALS"),
        help="direct (the sub-network at every element) or knots "
        "(on --knots even knots over the grid, cubic Hermite between them)",
    )
    g.add_argument(
        "--knots",
        type=arguments.positive_int,
        metavar="G",
        help=f"knots of --subnet-eval knots (default {meta('knots')})",
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
    p.add_argument("--k", type=arguments.positive_int, help=f"number of neuron types (default {meta('k')})")
    p.add_argument("--fractions", type=arguments.fractions, help="share of each type, e.g. 0.3,0.7 (default even)")
    p.add_argument(
        "--base",
        choices=sorted(names("ACTIVATIONS")),
        help=f"base function of the sub-networks (default {meta('base')})",
    )
    p.add_argument("--width", type=arguments.positive_int, help="sub-network width W")
    add_option(p, "hidden")
    p.add_argument("--mode", choices=names("MODES"), help="first-order (default) or unrolled")
    p.add_argument(
        "--truncate", type=arguments.positive_int, help="unrolled: differentiate through only the last M inner steps"
    )
    p.add_argument(
        "--recompute",
        type=arguments.positive_int,
        metavar="M",
        help="unrolled: keep the inner state every M steps and "
        "recompute the graph segment by segment (same meta-gradient, memory of M steps instead of K)",
    )
    add_option(p, "compile")
    p.add_argument("--inner-steps", type=arguments.positive_int, help="inner steps K per outer step")
    p.add_argument("--outer-steps", type=arguments.positive_int, help="number of outer steps")
    p.add_argument("--inner-lr", type=arguments.positive_float)
    p.add_argument("--outer-lr", type=arguments.positive_float)
    p.add_argument("--inner-optimizer", choices=names("INNER_OPTIMIZERS"))
    p.add_argument("--outer-optimizer", choices=names("OUTER_OPTIMIZERS"))
    add_option(p, "batch-size")
    p.add_argument("--reinit-inner", action="store_true", default=None, help="same as --reinit fresh")
    p.add_argument(
        "--interpolation", choices=("linear", "cubic"), help="frozen kind (default: cubic for hnn, else linear)"
    )
    add_option(p, "preset")
    add_regime_options(p)
    add_option(p, "seed", default=0)
    add_option(p, "device")
    add_option(p, "dtype")
    add_option(p, "quick")
    add_option(p, "small")
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
