"""A package face that loads nothing until asked: each public name is imported from its module
on first use, so that ``physnet --help`` answers without importing PyTorch."""

from __future__ import annotations

import importlib
from typing import Any


def lazy_exports(module: str, namespace: dict[str, Any], exports: dict[str, str]):
    """A package ``__getattr__`` importing each public name of ``exports`` (name -> the module
    that defines it) on first use and keeping it in ``namespace`` (the package's ``globals()``)."""

    def __getattr__(name: str) -> Any:
        if name in exports:
            value = getattr(importlib.import_module(exports[name]), name)
            namespace[name] = value
            return value
        raise AttributeError(f"module {module!r} has no attribute {name!r}")

    return __getattr__


__all__ = ["lazy_exports"]
