"""A user's system checked before any work: its module imported and its class built with
their errors reported as theirs (the exception in one line, then only the frames of the user's
own files), then the protocol's methods called on a few sampled states and what came back
checked - shapes, dtype, tensor-ness, finiteness - one line per violation saying what was
expected and what came back. The protocol: ``docs/your-own.md`` (``systems.base``)."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import traceback
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import torch

from physnet.errors import UserCodeError, UserError

#: Where the protocol is described, for every message.
PROTOCOL = "see the systems protocol in docs/your-own.md"
#: States sampled for the check.
CHECK_STATES = 8


def user_frames(err: BaseException, files: set[str]) -> list[str]:
    """``file:line in function`` of every traceback frame of ``err`` inside ``files``."""
    frames = traceback.extract_tb(err.__traceback__)
    return [f"{f.filename}:{f.lineno} in {f.name}" for f in frames if str(Path(f.filename).resolve()) in files]


def module_files(module_name: str) -> set[str]:
    """The user's file(s) of ``module_name``: the module's own source (resolved path)."""
    try:
        spec = importlib.util.find_spec(module_name)
    except (ImportError, ValueError):
        return set()
    if spec is None or not spec.origin or spec.origin in ("built-in", "frozen"):
        return set()
    return {str(Path(spec.origin).resolve())}


def import_user_module(module_name: str, target: str) -> tuple[ModuleType, set[str]]:
    """Import the module of ``target`` (``module:Class``), its errors reported as the user's."""
    files = module_files(module_name)
    try:
        return importlib.import_module(module_name), files
    except SyntaxError as err:
        where = [f"{err.filename}:{err.lineno}"] if err.filename else []
        raise UserCodeError(f"{target}: {module_name} has a syntax error: {err.msg}", where) from err
    except ModuleNotFoundError as err:
        if err.name == module_name or module_name.startswith(f"{err.name}."):
            raise UserError(f"cannot import {module_name!r} for {target!r}: {err}") from None
        raise UserCodeError(f"{target}: importing {module_name} failed: {err}", user_frames(err, files)) from err
    except Exception as err:  # noqa: BLE001 - whatever their module raises is theirs
        message = f"{target}: importing {module_name} raised {type(err).__name__}: {err}"
        raise UserCodeError(message, user_frames(err, files)) from err


def build_user_system(obj: Any, target: str, files: set[str]) -> Any:
    """``obj()`` for a class (else ``obj``), its constructor's errors reported as the user's."""
    if not inspect.isclass(obj):
        return obj
    try:
        return obj()
    except Exception as err:  # noqa: BLE001
        frames = user_frames(err, files)
        if isinstance(err, TypeError) and not frames:  # the call itself: arguments it needs
            raise UserError(
                f"{target!r}: cannot build the system without arguments ({err}); name an instance"
            ) from None
        raise UserCodeError(f"{target}: building {obj.__name__} raised {type(err).__name__}: {err}", frames) from err


def call_user(method: Callable[..., Any], name: str, target: str, files: set[str], *args: Any, **kwargs: Any) -> Any:
    """``method(*args, **kwargs)`` with its exceptions reported as the user's."""
    try:
        return method(*args, **kwargs)
    except Exception as err:  # noqa: BLE001
        message = f"{target}: {name} raised {type(err).__name__}: {err}"
        raise UserCodeError(message, user_frames(err, files)) from err


def check_contract(system: Any, target: str, files: set[str]) -> None:
    """Call the protocol's methods on :data:`CHECK_STATES` sampled states and refuse, in one
    line each, whatever does not come back as the protocol says."""
    n, dim = CHECK_STATES, system.dim
    if not isinstance(dim, int) or dim < 1:
        raise UserError(f"{target}: dim must be a positive integer, got {dim!r} ({PROTOCOL})")
    if len(tuple(system.state_names)) != dim:
        raise UserError(f"{target}: state_names has {len(tuple(system.state_names))} names for dim {dim} ({PROTOCOL})")
    states = call_user(system.sample_initial_states, "sample_initial_states", target, files, n, seed=0)
    _expect_tensor(states, "sample_initial_states", f"({n}, {dim})", target, shape=(n, dim), what=f"for n={n}")
    derivative = call_user(
        system.vector_field, "vector_field", target, files, torch.zeros((), dtype=states.dtype), states
    )
    shape = tuple(states.shape)
    _expect_tensor(derivative, "vector_field", str(shape), target, shape=shape, what=f"for states of shape {shape}")
    for name in ("hamiltonian", "energy"):
        method = getattr(system, name, None)
        if not callable(method):
            continue
        value = call_user(method, name, target, files, states)
        if value is None and name == "energy":
            continue  # the protocol's "no energy"
        _expect_tensor(
            value, name, f"({n},): one number per state", target, shape=(n,), what=f"for states of shape {shape}"
        )


def _expect_tensor(value: Any, name: str, expected: str, target: str, *, shape: tuple, what: str) -> None:
    if not isinstance(value, torch.Tensor):
        raise UserError(
            f"{target}: `{name}` returned a {type(value).__name__} {what}; expected a torch.Tensor shaped {expected} "
            f"({PROTOCOL})"
        )
    if tuple(value.shape) != shape:
        raise UserError(
            f"{target}: `{name}` returned shape {tuple(value.shape)} {what}; expected {expected} ({PROTOCOL})"
        )
    if not value.is_floating_point():
        raise UserError(
            f"{target}: `{name}` returned {value.dtype} values {what}; expected floating point ({PROTOCOL})"
        )
    if not bool(torch.isfinite(value).all()):
        raise UserError(f"{target}: `{name}` returned NaN or infinite values {what} (sampled states, seed 0)")


__all__ = [
    "CHECK_STATES",
    "PROTOCOL",
    "build_user_system",
    "call_user",
    "check_contract",
    "import_user_module",
    "module_files",
    "user_frames",
]
