"""A user's file named like a module of Python's standard library (``json.py``, ``random.py``)
in a folder on the import path replaces that module for everything imported after it, and the
error that follows names the victim, not the cause ("module 'json' has no attribute ..."). When a
command fails, this names the cause."""

from __future__ import annotations

import sys
import sysconfig
from pathlib import Path

_STDLIB = {Path(sysconfig.get_paths()[key]).resolve() for key in ("stdlib", "platstdlib")}


def shadowed_stdlib_modules() -> list[str]:
    """``name (file)`` of every imported module that has a standard-library name but was loaded
    from outside the standard library."""
    names: frozenset[str] = getattr(sys, "stdlib_module_names", frozenset())
    found = []
    for name in sorted(names):
        module = sys.modules.get(name)
        file = getattr(module, "__file__", None)
        if module is None or not file:
            continue
        path = Path(file).resolve()
        if not any(root in path.parents for root in _STDLIB):
            found.append(f"{name} ({path})")
    return found


def shadowing_note() -> str | None:
    """One line naming the files that replaced standard modules, or None."""
    found = shadowed_stdlib_modules()
    if not found:
        return None
    return (
        f"note: {', '.join(found)} replaced Python's own module of that name (a file of yours on the import "
        "path?); rename it - errors after that are likely its effect"
    )


__all__ = ["shadowed_stdlib_modules", "shadowing_note"]
