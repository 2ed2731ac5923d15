"""Options shared by the study commands: where blocks run, and the quick budget's help."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from physnet.cli import arguments
from physnet.cli.options import add_option, add_setting, add_settings
from physnet.errors import UserError

#: What a forecaster trains on.
LOSS_SETTINGS = ("loss", "rollout_steps", "rollout_method", "shooting", "continuity")
#: What the networks are measured against.
REFERENCE_SETTINGS = ("baselines", "sindy_degree", "substeps")


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


def add_protocol_options(parser: argparse.ArgumentParser) -> None:
    """The training protocol a study's arms share: tuning, weight decay, initialisation."""
    g = parser.add_argument_group("the protocol every arm shares")
    add_settings(g, "STUDY", "tune", "tune_seeds", "tune_grid")
    add_setting(g, "TRAIN", "weight_decay")
    add_loss_options(parser)
    add_reference_options(parser)
    add_setting(g, "STUDY", "init")


def add_loss_options(parser: argparse.ArgumentParser) -> None:
    """What a forecaster trains on: derivatives or its own rollouts."""
    add_settings(parser.add_argument_group("what a forecaster trains on"), "STUDY", *LOSS_SETTINGS)


def add_reference_options(parser: argparse.ArgumentParser) -> None:
    """What the networks are measured against: reference arms, and the forecasts' substeps."""
    g = parser.add_argument_group("what the networks are measured against")
    add_settings(g, "STUDY", *REFERENCE_SETTINGS)


def protocol_overrides(args: argparse.Namespace) -> dict:
    """The protocol options given, as ``StudyConfig`` overrides (an explicit ``--lr`` switches
    tuning off: :func:`physnet.tasks.presets.budget`); ``--lr`` with ``--tune lr`` is refused
    (one would override the other)."""
    keys = ("tune", "tune_seeds", "tune_grid", "weight_decay", "init", *LOSS_SETTINGS, *REFERENCE_SETTINGS)
    given = {k: getattr(args, k, None) for k in keys}
    given = {k: v for k, v in given.items() if v is not None}
    if getattr(args, "lr", None) is not None and given.get("tune") == "lr":
        raise UserError("--lr fixes the learning rate and --tune lr chooses it: give one of them")
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
