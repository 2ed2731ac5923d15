"""Old public names kept importable for one release, with a DeprecationWarning naming the new one."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any


def renamed_attributes(module: str, namespace: dict[str, Any], renamed: dict[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` resolving each old name in ``renamed`` to its new one in
    ``namespace`` (the module's ``globals()``), with a DeprecationWarning."""

    def __getattr__(name: str) -> Any:
        if name in renamed:
            warnings.warn(
                f"{module}.{name} is now {renamed[name]}; the old name goes in the next release",
                DeprecationWarning,
                stacklevel=2,
            )
            return namespace[renamed[name]]
        raise AttributeError(f"module {module!r} has no attribute {name!r}")

    return __getattr__


__all__ = ["renamed_attributes"]
