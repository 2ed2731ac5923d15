"""Options that mean nothing together, refused in one line before any work (before a user's
system is built, a file read or a folder made): an option is never accepted and then ignored."""

from __future__ import annotations

import argparse
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from physnet.errors import UserError


@dataclass(frozen=True)
class Needs:
    """An option that means something only in a context: ``dest`` (given, and not ``neutral``)
    needs ``applies(args)``; otherwise ``message`` is the refusal. ``off`` is an argument list
    that makes the option meaningless, for the test that walks every rule on every command."""

    dest: str
    applies: Callable[[argparse.Namespace], bool]
    message: str
    off: tuple[str, ...] = ()
    neutral: tuple[Any, ...] = (None,)


def _get(args: argparse.Namespace, name: str) -> Any:
    return getattr(args, name, None)


def _tuning_on(args: argparse.Namespace) -> bool:
    tune, lr, preset = _get(args, "tune"), _get(args, "lr"), _get(args, "preset")
    return not (tune == "none" or (lr is not None and tune != "lr") or (preset is not None and tune is None))


def _optimizer(args: argparse.Namespace) -> str | None:
    """The optimizer a study trains with, where the command line decides it (None: a preset's)."""
    return _get(args, "optimizer") or (None if _get(args, "preset") is not None else "adam")


#: Every option that means something only in a context, with its refusal.
RULES = (
    Needs("tune_grid", _tuning_on, "--tune-grid sets the tuning, which is off here (--tune none, --lr, or a preset "
          "without --tune lr): drop it, or tune", ("--tune", "none")),
    Needs("tune_seeds", _tuning_on, "--tune-seeds sets the tuning, which is off here (--tune none, --lr, or a preset "
          "without --tune lr): drop it, or tune", ("--tune", "none")),
    Needs("momentum", lambda a: _optimizer(a) in (None, "sgd", "rmsprop"), "--momentum applies to sgd and rmsprop; "
          "adam has none: add --optimizer sgd or rmsprop", (), (None, 0.0)),
    Needs("decay", lambda a: _optimizer(a) in (None, "rmsprop"), "--decay applies to rmsprop only: add --optimizer "
          "rmsprop, or drop it", ("--optimizer", "sgd")),
    Needs("initial_scale", lambda a: _optimizer(a) in (None, "rmsprop"), "--initial-scale applies to rmsprop only: "
          "add --optimizer rmsprop, or drop it", ("--optimizer", "sgd")),
    Needs("noise_on", lambda a: bool(_get(a, "noise")), "--noise-on says where the observation noise goes: give "
          "--noise too (it is 0 without)"),
    Needs("force_model", lambda a: _get(a, "model") not in ("nn", "classifier"), "--force-model lets an energy model "
          "(hnn, dhnn) train on a series that fails the conservation check; --model nn needs no forcing: drop it",
          ("--model", "nn"), (None, False)),
    Needs("rollout_steps", lambda a: _get(a, "loss") == "rollout", "--rollout-steps sets the rollout loss's windows: "
          "add --loss rollout, or drop it"),
    Needs("rollout_method", lambda a: _get(a, "loss") == "rollout", "--rollout-method integrates the rollout loss's "
          "windows: add --loss rollout, or drop it"),
    Needs("shooting", lambda a: _get(a, "loss") == "rollout", "--shooting learns the rollout loss's window starts: "
          "add --loss rollout, or drop it", neutral=(None, False)),
    Needs("continuity", lambda a: bool(_get(a, "shooting")), "--continuity weighs multiple shooting's joins: add "
          "--shooting (and --loss rollout), or drop it"),
    Needs("sindy_degree", lambda a: _get(a, "baselines") is None or "sindy" in _get(a, "baselines"), "--sindy-degree "
          "sets the sparse regression, which --baselines leaves out: add sindy to --baselines, or drop it",
          ("--baselines", "truth")),
    Needs("address", lambda a: _get(a, "backend") == "ray",
          "--address names a Ray cluster: pass it with --backend ray"),
)  # fmt: skip


def check_combinations(args: argparse.Namespace) -> None:
    """Refuse the options of ``args`` that do not apply together.

    Raises:
        UserError: naming the options and what to do.
    """
    if _get(args, "out"):
        from physnet.io import check_output_path

        check_output_path(args.out)
    for rule in RULES:
        if _get(args, rule.dest) not in rule.neutral and not rule.applies(args):
            raise UserError(rule.message)
    _backend(args)


def _backend(args: argparse.Namespace) -> None:
    if getattr(args, "backend", None) == "ray":
        if getattr(args, "workers", None) is not None:
            raise UserError("--workers sets the process backend's processes; Ray places its own tasks: drop one")
        if importlib.util.find_spec("ray") is None:
            raise UserError("the ray backend needs Ray: pip install 'physnet[ray]' (or pip install ray)")
        from physnet.study.ray_backend import check_ray_address

        check_ray_address(getattr(args, "address", None))
    if getattr(args, "workers", None) is not None:
        from physnet.study.local_pool import check_workers

        check_workers(args.workers, force=bool(getattr(args, "force", False)))


__all__ = ["RULES", "Needs", "check_combinations"]
