"""Options shared by the study commands: where blocks run, and the quick budget's help."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from physnet.cli import arguments
from physnet.cli.names import default, names
from physnet.cli.options import add_option
from physnet.errors import UserError


def add_backend_options(parser: argparse.ArgumentParser, *, block_size: bool = False) -> None:
    add_option(parser, "backend")
    add_option(parser, "address")
    add_option(parser, "workers")
    if block_size:
        parser.add_argument(
            "--block-size",
            type=arguments.positive_int,
            help="seeds per batched ensemble / Ray task (default 50; on several workers smaller, about "
            "four blocks per worker, so that they finish together)",
        )


def quick_help(command: str) -> str:
    """The help of ``--quick``, from the quick budget itself."""
    q = lambda name: default("QUICK_COMPARE", name)  # noqa: E731
    m = lambda name: default("QUICK_META", name)  # noqa: E731
    meta = f"meta-learning {m('outer_steps')} outer steps of {m('inner_steps')} inner ones, "
    return (
        f"a first look at the task's quick budget: small data, {'' if command == 'compare' else meta}{q('seeds')} "
        f"seeds of {q('epochs')} epochs for the paper's tasks (a system or series file: a fifth of its default "
        "budget's steps; the run says which up front, and its report that it is a first look); under --preset only "
        "data, seeds and outer steps shrink"
    )


def add_protocol_options(parser: argparse.ArgumentParser) -> None:
    """The training protocol a study's arms share: tuning, weight decay, initialisation."""
    g = parser.add_argument_group("the protocol every arm shares")
    grids = "; ".join(f"{opt} {','.join(f'{v:g}' for v in default('TUNE_GRIDS', opt))}" for opt in names("OPTIMIZERS"))
    g.add_argument(
        "--tune",
        choices=(*names("TUNABLE"), "none"),
        help="lr: choose each arm's learning rate the same way before its study (on a slice of the training split "
        "held back for it); none: train at --lr (default: lr without a preset and without --lr, none under a preset)",
    )
    g.add_argument(
        "--tune-seeds",
        type=arguments.positive_int,
        help=f"tuning: seeds per candidate rate (default {default('STUDY', 'tune_seeds')})",
    )
    g.add_argument(
        "--tune-grid",
        type=arguments.positive_float_list,
        metavar="LR,LR,...",
        help=f"tuning: the candidate rates (default per optimizer: {grids})",
    )
    g.add_argument(
        "--weight-decay",
        type=arguments.nonnegative_float,
        help=f"L2 penalty of the training optimizer (default {default('STUDY_TRAINING', 'weight_decay')})",
    )
    add_loss_options(parser)
    add_reference_options(parser)
    g.add_argument(
        "--init",
        choices=names("INITS"),
        help="weight initialisation: default (as torch.nn.Linear) or orthogonal (then a Hamiltonian network's "
        "output layer has no bias, as in the Hamiltonian-network literature's code)",
    )


def add_loss_options(parser: argparse.ArgumentParser) -> None:
    """What a forecaster trains on: derivatives or its own rollouts."""
    g = parser.add_argument_group("what a forecaster trains on")
    g.add_argument(
        "--loss",
        choices=names("LOSS_KINDS"),
        help="derivative (default): the states' time derivatives (given, or estimated from a series); rollout: "
        "the next --rollout-steps observed states, the model integrated from each observed state (no derivatives "
        "needed; robust to noisy positions)",
    )
    g.add_argument(
        "--rollout-steps",
        type=arguments.positive_int,
        metavar="K",
        help=f"rollout: samples ahead each window integrates (default {default('STUDY', 'rollout_steps')})",
    )
    g.add_argument(
        "--rollout-method",
        choices=names("ROLLOUT_METHODS"),
        help="rollout: the integrator, one step per sample (default rk4)",
    )


def add_reference_options(parser: argparse.ArgumentParser) -> None:
    """What the networks are measured against: reference arms, and the forecasts' substeps."""
    g = parser.add_argument_group("what the networks are measured against")
    g.add_argument(
        "--baselines",
        type=arguments.baselines,
        metavar="sindy,truth|none",
        help="reference arms beside the networks: sindy (sparse regression of the vector field, one bootstrap fit "
        "per seed) and truth (the exact field's forecast: the integration floor, where the system is known); "
        "default both for a task with a vector field",
    )
    g.add_argument(
        "--sindy-degree",
        type=arguments.nonnegative_int,
        metavar="N",
        help="sparse regression's polynomial degree (default: chosen on the tuning slice, 1-5)",
    )
    add_option(g, "substeps")


def protocol_overrides(args: argparse.Namespace) -> dict:
    """The protocol options given, as ``StudyConfig`` overrides; an explicit ``--lr`` switches
    tuning off unless ``--tune lr`` asks for it too (refused: one would override the other)."""
    keys = (
        "tune",
        "tune_seeds",
        "tune_grid",
        "weight_decay",
        "init",
        "loss",
        "rollout_steps",
        "rollout_method",
        "baselines",
        "sindy_degree",
        "substeps",
    )
    given = {k: getattr(args, k, None) for k in keys}
    given = {k: v for k, v in given.items() if v is not None}
    if getattr(args, "lr", None) is not None:
        if given.get("tune") == "lr":
            raise UserError("--lr fixes the learning rate and --tune lr chooses it: give one of them")
        given.setdefault("tune", "none")
    if given.get("tune") == "none":
        given["tune"] = None
    return given


def run_context(args: argparse.Namespace, echo: Callable[[str], None]):
    """The job's :class:`~physnet.jobs.context.RunContext` from the shared options (``--backend``,
    ``--address``, ``--no-progress``, ``--force`` where the command has them)."""
    from physnet.jobs.context import RunContext

    return RunContext(
        backend=getattr(args, "backend", "process"),
        address=getattr(args, "address", None),
        progress=not getattr(args, "no_progress", True),
        echo=echo,
        force=getattr(args, "force", False),
    )
