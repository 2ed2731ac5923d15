"""Every option that more than one command takes, defined once: its flag, type, choices and help
read the same on every command. A command adds one by name (:func:`add_option`) and may change
only its default or whether it is required; the help states a changed default through
``%(default)s``. Options of one command alone stay in that command's module."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from typing import Any

from physnet.cli import arguments
from physnet.cli.names import default, described, names


@dataclass(frozen=True)
class Option:
    """One option: its flags and ``add_argument``'s keywords."""

    flags: tuple[str, ...]
    keywords: dict[str, Any] = field(default_factory=dict)


def _quick() -> str:
    q = lambda name: default("QUICK_COMPARE", name)  # noqa: E731
    m = lambda name: default("QUICK_META", name)  # noqa: E731
    return (
        f"a first look at the task's quick budget: small data, {q('seeds')} seeds of {q('epochs')} epochs for the "
        f"paper's tasks (a system or series file: a fifth of its default budget's steps) and, where the command "
        f"meta-learns, {m('outer_steps')} outer steps of {m('inner_steps')} inner ones; learning rates tuned on "
        f"{default('QUICK_TUNING', 'tune_seeds')} seeds per rate (not {default('STUDY', 'tune_seeds')}); the run says "
        "which up front, "
        "and its report that it is a first look; under --preset only data, seeds and outer steps shrink"
    )


def _options() -> dict[str, Option]:
    models = ", ".join(names("MODELS"))
    methods = ", ".join(names("METHODS"))
    return {
        "out": Option(
            ("--out",),
            {
                "metavar": "DIR",
                "help": "the output folder (created if missing; a folder holding another command's run is refused)",
            },
        ),
        "model": Option(
            ("--model",),
            {
                "choices": names("MODELS"),
                "metavar": "MODEL",
                "help": f"the model, one of {models} (default: the task's first; reproduce: every model the task runs)",
            },
        ),
        "quick": Option(("--quick",), {"action": "store_true", "help": _quick()}),
        "preset": Option(
            ("--preset",),
            {
                "choices": names("REGIMES"),
                "help": "named settings: paper (the reference "
                "codes' regime, every task; with controls and several meta seeds) or reference "
                "(mnist1d); options given explicitly override it",
            },
        ),
        "data": Option(
            ("--data",),
            {
                "metavar": "CSV",
                "help": "clock: a series file (header t,theta,theta_dot,theta_ddot) instead of the shipped data",
            },
        ),
        "force": Option(
            ("--force",),
            {"action": "store_true", "help": "start afresh in a folder holding another run of this command"},
        ),
        "seed": Option(
            ("--seed",),
            {
                "type": arguments.nonnegative_int,
                "help": "the seed: of meta-learning (meta), of "
                "a system's simulated data (a module:Class task), of the initial states (simulate), "
                "or which stored network (forecast) (default: %(default)s)",
            },
        ),
        "meta-seeds": Option(
            ("--meta-seeds",),
            {
                "type": arguments.positive_int,
                "metavar": "M",
                "help": "meta-learning "
                "seeds: meta-learn from seeds 0..M-1 and judge the mix per meta seed and "
                "pooled (compare: the first M files of a folder of activations)",
            },
        ),
        "workers": Option(
            ("--workers",),
            {
                "type": arguments.positive_int,
                "metavar": "N",
                "help": "process backend: "
                "blocks, tuning or Hessians on N processes side by side, one thread each "
                "(default: the machine's cores; 1: one after another here)",
            },
        ),
        "backend": Option(
            ("--backend",),
            {
                "choices": names("BACKENDS"),
                "default": "process",
                "help": "process (default: here) or ray (blocks as Ray tasks)",
            },
        ),
        "address": Option(
            ("--address",),
            {"help": "ray: the cluster to join, e.g. ray://head:10001 or auto (default: start a local Ray instance)"},
        ),
        "no-progress": Option(("--no-progress",), {"action": "store_true", "help": "no progress bars"}),
        "dt": Option(
            ("--dt",),
            {
                "type": arguments.positive_float,
                "help": "the sampling interval: of simulated orbits "
                "(a system's task, simulate), or between a forecast's output times (default: the data's "
                "or the system's)",
            },
        ),
        "orbits": Option(
            ("--orbits",),
            {
                "type": arguments.positive_int,
                "help": "orbits: simulated (a system's task, "
                "simulate), or validation orbits to forecast (default: the task's or system's)",
            },
        ),
        "t-end": Option(
            ("--t-end",),
            {"type": arguments.positive_float, "help": "time per simulated orbit (default: the task's or system's)"},
        ),
        "energy": Option(
            ("--energy",),
            {
                "type": arguments.finite_float,
                "help": "energy shell of the initial states, for samplers that take one (Henon-Heiles: in (0, 1/6))",
            },
        ),
        "method": Option(
            ("--method",),
            {"choices": names("METHODS"), "metavar": "METHOD", "help": f"integrator: {methods} (default: %(default)s)"},
        ),
        "window": Option(
            ("--window",),
            {
                "type": arguments.positive_int,
                "help": "Savitzky-Golay window in samples (odd; default: %(default)s, 11 for a series task)",
            },
        ),
        "order": Option(
            ("--order",), {"type": arguments.nonnegative_int, "help": "Savitzky-Golay polynomial order (default: 3)"}
        ),
    }


#: Every shared option by name (its flag without the dashes).
OPTIONS: dict[str, Option] = _options()


def add_option(parser: argparse.ArgumentParser | argparse._ArgumentGroup, name: str, **changes: Any) -> argparse.Action:
    """Add the shared option ``name`` to ``parser``; ``changes`` may set ``default``,
    ``required`` or ``dest`` only (the help and type are the option's own)."""
    allowed = {"default", "required", "dest"}
    if set(changes) - allowed:
        raise TypeError(f"a command may change only {', '.join(sorted(allowed))} of --{name}")
    option = OPTIONS[name]
    return parser.add_argument(*option.flags, **{**option.keywords, **changes})


def add_setting(
    parser: argparse.ArgumentParser | argparse._ArgumentGroup, table: str, name: str, *, stated_default: bool = False
) -> argparse.Action:
    """Add the option of setting ``name`` of ``table`` (``META``, ``TRAIN`` or ``STUDY``: the
    records of :data:`physnet.cli.names.SETTINGS`) as its field declares it
    (:mod:`physnet.schema`): flag, help, parser, choices, metavar, unit. The option's value is
    None when not given (the task's, the preset's or the record's default then applies), or
    the record's default with ``stated_default``."""
    d = described(table, name)
    keywords: dict[str, Any] = {"dest": name, "default": d["default"] if stated_default else None}
    keywords["help"] = d["help"] + (f" [{d['unit']}]" if d["unit"] else "")
    if d["switch"]:
        keywords["action"] = argparse.BooleanOptionalAction
    if d["type"] is not None:
        keywords["type"] = getattr(arguments, d["type"])
    if d["choices"] is not None:
        keywords["choices"] = names(d["choices"]) if isinstance(d["choices"], str) else tuple(d["choices"])
    if d["metavar"] is not None:
        keywords["metavar"] = d["metavar"]
    return parser.add_argument(d["flag"] or "--" + name.replace("_", "-"), **keywords)


def add_settings(parser: argparse.ArgumentParser | argparse._ArgumentGroup, table: str, *names_: str) -> None:
    """Add the options of several settings of ``table``."""
    for name in names_:
        add_setting(parser, table, name)


def add_options(parser: argparse.ArgumentParser | argparse._ArgumentGroup, *names_: str) -> None:
    """Add several shared options with their own defaults."""
    for name in names_:
        add_option(parser, name)


__all__ = ["OPTIONS", "Option", "add_option", "add_options", "add_setting", "add_settings"]
