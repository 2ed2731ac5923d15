"""Options that mean nothing together, refused in one line before any work (before a user's
system is built, a file read or a folder made): an option is never accepted and then ignored."""

from __future__ import annotations

import argparse
import importlib.util

from physnet.errors import UserError


def check_combinations(args: argparse.Namespace) -> None:
    """Refuse the options of ``args`` that do not apply together.

    Raises:
        UserError: naming the options and what to do.
    """
    get = lambda name: getattr(args, name, None)  # noqa: E731
    if get("out"):
        from physnet.io import check_output_path

        check_output_path(args.out)
    _backend(args)
    _tuning(get("tune"), get("lr"), get("preset"), get("tune_grid"), get("tune_seeds"))
    _optimizer(get("optimizer"), get("preset"), get("momentum"), get("decay"), get("initial_scale"))
    if get("noise_on") is not None and not get("noise"):
        raise UserError("--noise-on says where the observation noise goes: give --noise too (it is 0 without)")
    if get("force_model") and get("model") in ("nn", "classifier"):
        raise UserError(
            f"--force-model lets an energy model (hnn, dhnn) train on a series that fails the conservation check; "
            f"--model {get('model')} needs no forcing: drop --force-model"
        )


def _backend(args: argparse.Namespace) -> None:
    backend = getattr(args, "backend", None)
    if getattr(args, "address", None) and backend != "ray":
        raise UserError("--address names a Ray cluster: pass it with --backend ray")
    if backend == "ray":
        if getattr(args, "workers", None) is not None:
            raise UserError("--workers sets the process backend's processes; Ray places its own tasks: drop one")
        if importlib.util.find_spec("ray") is None:
            raise UserError("the ray backend needs Ray: pip install 'physnet[ray]' (or pip install ray)")
        from physnet.study.ray_backend import check_ray_address

        check_ray_address(getattr(args, "address", None))
    if getattr(args, "workers", None) is not None:
        from physnet.study.local_pool import check_workers

        check_workers(args.workers, force=bool(getattr(args, "force", False)))


def _tuning(tune, lr, preset, grid, seeds) -> None:
    """``--tune-grid`` and ``--tune-seeds`` set the tuning; refused where it is off."""
    off = tune == "none" or (lr is not None and tune != "lr") or (preset is not None and tune is None)
    given = [flag for flag, value in (("--tune-grid", grid), ("--tune-seeds", seeds)) if value is not None]
    if off and given:
        why = "--tune none" if tune == "none" else "--lr (a rate given is the rate used)" if lr is not None else (
            "the preset (its rates are fixed; add --tune lr to tune them)"
        )  # fmt: skip
        raise UserError(f"{' and '.join(given)} set the tuning, which {why} turns off: drop them, or tune")


def _optimizer(optimizer, preset, momentum, decay, initial_scale) -> None:
    """Momentum, decay and initial scale apply to the optimizers that read them."""
    kind = optimizer or (None if preset is not None else "adam")  # a preset's optimizer is its own
    if kind is None:
        return
    if momentum is not None and momentum != 0 and kind == "adam":
        raise UserError("--momentum applies to sgd and rmsprop; adam has none: add --optimizer sgd or rmsprop")
    unread = [flag for flag, value in (("--decay", decay), ("--initial-scale", initial_scale)) if value is not None]
    if unread and kind != "rmsprop":
        raise UserError(f"{' and '.join(unread)} apply to rmsprop only: add --optimizer rmsprop, or drop them")


__all__ = ["check_combinations"]
