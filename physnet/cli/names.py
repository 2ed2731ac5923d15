"""The names the command line offers (tasks, methods, arms, optimisers, presets, ...), read from
``names.json``, which is generated from the registries themselves: so that ``physnet --help``,
``physnet COMMAND --help`` and argument errors answer without importing PyTorch.

``python -m physnet.cli.names`` rewrites the file after a registry changes; a test checks that it
equals what the registries hold.
"""

from __future__ import annotations

import importlib
import json
from functools import lru_cache
from pathlib import Path

MANIFEST = Path(__file__).with_name("names.json")

#: Each name list: the module and attribute of the registry it comes from (its keys, in order).
REGISTRIES: dict[str, tuple[str, str]] = {
    "TASKS": ("physnet.tasks", "TASKS"),
    "SYSTEMS": ("physnet.simulation", "SIMULATION_DEFAULTS"),
    "METHODS": ("physnet.integrators", "METHODS"),
    "ACTIVATIONS": ("physnet.activations", "ACTIVATIONS"),
    "SUB_ACTIVATIONS": ("physnet.activations.learned", "SUB_ACTIVATIONS"),
    "SUBNET_INITS": ("physnet.activations.learned", "SUBNET_INITS"),
    "SUBNET_EVALS": ("physnet.activations.learned", "SUBNET_EVALS"),
    "MODES": ("physnet.training", "MODES"),
    "INNER_OPTIMIZERS": ("physnet.training.functional_optim", "INNER_OPTIMIZERS"),
    "OUTER_OPTIMIZERS": ("physnet.training.meta", "OUTER_OPTIMIZERS"),
    "REINIT_MODES": ("physnet.training.meta", "REINIT_MODES"),
    "META_LOSSES": ("physnet.training.unrolled", "META_LOSSES"),
    "OPTIMIZERS": ("physnet.training.trainer", "OPTIMIZERS"),
    "ARMS": ("physnet.experiments.arms", "ARMS"),
    "PAPER_ARMS": ("physnet.experiments.arms", "PAPER_ARMS"),
    "BACKENDS": ("physnet.experiments.backends", "BACKENDS"),
    "REGIMES": ("physnet.experiments.regimes", "REGIMES"),
    "VARIABLE": ("physnet.experiments.ablation", "VARIABLE"),
}


def from_registries() -> dict[str, list[str]]:
    """Every name list, read from the registries (imports them all)."""
    return {
        key: [str(name) for name in getattr(importlib.import_module(module), attribute)]
        for key, (module, attribute) in REGISTRIES.items()
    }


@lru_cache(maxsize=1)
def _manifest() -> dict[str, list[str]]:
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


def names(key: str) -> tuple[str, ...]:
    """The names of registry ``key`` (one of ``REGISTRIES``), without importing it."""
    return tuple(_manifest()[key])


if __name__ == "__main__":  # pragma: no cover
    MANIFEST.write_text(json.dumps(from_registries(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {MANIFEST}")
