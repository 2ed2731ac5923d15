"""Options shared by the study commands: where blocks run, and the quick budget's help."""

from __future__ import annotations

import argparse

from physnet.cli import arguments
from physnet.cli.names import default, names


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
