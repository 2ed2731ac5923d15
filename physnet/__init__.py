"""physnet: physics-informed neural networks with learned, diverse neuron types.

The package face re-exports the verbs; see the README for a tour. They are imported on first
use, so that ``physnet --help`` answers without loading PyTorch.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

#: Public name -> the module that defines it.
_EXPORTS = {
    "METHODS": "physnet.integrators",
    "ConvergenceError": "physnet.integrators",
    "get_method": "physnet.integrators",
    "odeint": "physnet.integrators",
}

__all__ = ["METHODS", "ConvergenceError", "__version__", "get_method", "odeint"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'physnet' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
