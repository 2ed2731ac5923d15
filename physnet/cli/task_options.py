"""The task argument of the study commands (``meta``, ``compare``, ``reproduce``,
``sweep-size``, ``ablate``): a paper task's name, ``module:Class`` or ``FILE.csv``, and the
options that build a user's task."""

from __future__ import annotations

import argparse
import sys

from physnet.cli import arguments
from physnet.cli.names import names
from physnet.cli.options import add_option

#: The options of :func:`add_task_options`, by the name ``physnet.tasks.sources`` gives them.
SYSTEM_FLAGS = ("orbits", "t_end", "dt", "noise", "noise_on", "energy", "data_seed")
SERIES_FLAGS = ("time", "state", "derivatives", "group", "window", "order", "force_model")
BOTH_FLAGS = ("val_fraction",)


def task_help() -> str:
    return f"one of {', '.join(names('TASKS'))}; module:Class (a system, class or instance); or FILE.csv (a series)"


def add_task_options(parser: argparse.ArgumentParser, *, seed_flag: bool = True) -> None:
    """The options of a task built from a system or read from a series file.

    ``seed_flag``: add ``--seed`` for the data (``meta`` has its own ``--seed``, which seeds
    the data as for the paper's tasks).
    """
    s = parser.add_argument_group("a system as TASK (module:Class)")
    add_option(s, "orbits")
    add_option(s, "t-end")
    add_option(s, "dt")
    s.add_argument("--noise", type=arguments.nonnegative_float, help="std of Gaussian observation noise (default 0)")
    s.add_argument(
        "--noise-on",
        choices=("both", "states"),
        help="noise on the states and the targets (both, the default) or on the states only (exact targets)",
    )
    add_option(s, "energy")
    if seed_flag:
        add_option(s, "seed", dest="data_seed")
    c = parser.add_argument_group("a series file as TASK (FILE.csv)")
    c.add_argument("--time", metavar="COL", help="the time column (default t)")
    c.add_argument("--state", metavar="COLS", help="state columns, comma-separated (default: all the others)")
    c.add_argument(
        "--derivatives", metavar="COLS", help="their time derivatives, same order (default: Savitzky-Golay estimates)"
    )
    c.add_argument("--group", metavar="COL", help="the column naming each row's trajectory (rows consecutive)")
    add_option(c, "window")
    add_option(c, "order")
    c.add_argument(
        "--force-model",
        action="store_const",
        const=True,
        help="train the Hamiltonian network even on a record the conservation check finds dissipative or driven",
    )
    b = parser.add_argument_group("a system or a series file as TASK")
    b.add_argument(
        "--val-fraction",
        type=arguments.fraction,
        metavar="F",
        help="share held out for validation: whole orbits, whole groups, or the last rows in time (default 0.2)",
    )


def resolve_task_argument(args: argparse.Namespace) -> str:
    """Register the task ``args.task`` names (building a user's task from the options) and
    return its name; refuses options that do not apply, in one line."""
    from physnet.tasks.registry import get_task
    from physnet.tasks.sources import resolve_task

    options = {name: getattr(args, name, None) for name in (*SYSTEM_FLAGS, *SERIES_FLAGS, *BOTH_FLAGS)}
    options["seed"] = options.pop("data_seed")
    name = resolve_task(args.task, options, model=getattr(args, "model", None))
    for note in get_task(name).notes:
        print(note, file=sys.stderr)
    return name


__all__ = ["add_task_options", "resolve_task_argument", "task_help"]
