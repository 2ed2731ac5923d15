"""A system named ``module:attribute`` on the command line (``simulate`` and every study
command): imported, built, checked against the systems protocol."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from physnet.errors import UserError
from physnet.tasks.system_contract import build_user_system, check_contract, import_user_module


def check_system(system: Any, label: str = "the system") -> None:
    """Refuse an object that does not follow the systems protocol (one line naming what is missing)."""
    for need in ("dim", "state_names", "vector_field", "sample_initial_states"):
        if not hasattr(system, need):
            raise UserError(f"{label} is not a system: it has no {need!r} (see systems.base)")


def load_system_object(target: str, folder: str | Path | None = None) -> Any:
    """The system ``module:attribute`` names (a class is called with no arguments); the
    current directory (or ``folder``, where the task was first built) is importable, as
    for ``python -m``.

    Raises:
        UserCodeError: the user's module, constructor or methods raised (with their frames).
        UserError: the module or attribute does not exist, the object is not a system, or its
            methods return what the protocol does not allow (:mod:`physnet.tasks.system_contract`).
    """
    module_name, _, attribute = target.partition(":")
    if not module_name or not attribute:
        raise UserError(f"{target!r}: a system is named module:Class (e.g. my_systems:Duffing)")
    where = str(Path(folder) if folder is not None else Path.cwd())
    if where not in sys.path and not (folder is None and "" in sys.path):
        sys.path.insert(0, where)
    module, files = import_user_module(module_name, target)
    try:
        obj = getattr(module, attribute)
    except AttributeError:
        raise UserError(
            f"module {module_name!r} has no {attribute!r} (from {target!r})" + _which_module(module, where)
        ) from None
    system = build_user_system(obj, target, files)
    check_system(system, repr(target))
    check_contract(system, target, files)
    return system


def _which_module(module: Any, folder: str) -> str:
    """Where the module that was imported lives, and, where a file of the same name in the
    user's folder lost to the standard library's module, that this is the cause."""
    file = getattr(module, "__file__", None)
    if not file:
        return ""
    name = module.__name__.split(".")[0]
    yours = Path(folder) / f"{name}.py"
    stdlib = name in getattr(sys, "stdlib_module_names", ()) and Path(file).resolve() != yours.resolve()
    if stdlib and yours.is_file():
        return (
            f": the {name!r} imported is the standard library's ({file}), which takes precedence over your {yours}; "
            f"rename your file (e.g. my_{name}.py) and name it so"
        )
    return f"; the {name!r} imported is {file}"


__all__ = ["check_system", "load_system_object"]
