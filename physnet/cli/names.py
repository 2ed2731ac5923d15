"""The names the command line offers (tasks, methods, arms, optimisers, presets, ...) and the
defaults its help states, read from ``names.json``, which is generated from the registries and
the settings records themselves: so that ``physnet --help``, ``physnet COMMAND --help`` and
argument errors answer without importing PyTorch, and no default is restated by hand.

``python -m physnet.cli.names`` rewrites the file after a registry changes; a test checks that it
equals what the registries hold.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import json
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

MANIFEST = Path(__file__).with_name("names.json")

#: Each name list: the module and attribute of the registry it comes from (its keys, in order).
REGISTRIES: dict[str, tuple[str, str]] = {
    "TASKS": ("physnet.tasks.registry", "TASKS"),
    "SYSTEMS": ("physnet.jobs.simulate", "SIMULATION_DEFAULTS"),
    "METHODS": ("physnet.integrators", "METHODS"),
    "ACTIVATIONS": ("physnet.activations", "ACTIVATIONS"),
    "SUB_ACTIVATIONS": ("physnet.activations.learned", "SUB_ACTIVATIONS"),
    "SUBNET_INITS": ("physnet.activations.learned", "SUBNET_INITS"),
    "SUBNET_EVALS": ("physnet.activations.learned", "SUBNET_EVALS"),
    "MODES": ("physnet.meta.config", "MODES"),
    "INNER_OPTIMIZERS": ("physnet.training.functional_optim", "INNER_OPTIMIZERS"),
    "OUTER_OPTIMIZERS": ("physnet.meta.learn", "OUTER_OPTIMIZERS"),
    "REINIT_MODES": ("physnet.meta.learn", "REINIT_MODES"),
    "META_LOSSES": ("physnet.meta.unrolled", "META_LOSSES"),
    "OPTIMIZERS": ("physnet.training.trainer", "OPTIMIZERS"),
    "ARMS": ("physnet.study.arms", "ARMS"),
    "PAPER_ARMS": ("physnet.study.arms", "PAPER_ARMS"),
    "BACKENDS": ("physnet.study.backends", "BACKENDS"),
    "REGIMES": ("physnet.tasks.presets", "REGIMES"),
    "VARIABLE": ("physnet.jobs.factorial", "VARIABLE"),
    "TUNABLE": ("physnet.study.tuning", "TUNABLE"),
    "INITS": ("physnet.networks.ensemble_linear", "INITS"),
    "LOSS_KINDS": ("physnet.tasks.rollout_data", "LOSS_KINDS"),
    "ROLLOUT_METHODS": ("physnet.data", "ROLLOUT_METHODS"),
    "BASELINES": ("physnet.study.references", "BASELINES"),
    "MODELS": ("physnet.networks.build", "MODEL_KINDS"),
}


#: Each table of defaults: the module and attribute of the settings it comes from.
DEFAULTS: dict[str, tuple[str, str]] = {
    "META": ("physnet.meta.config", "MetaConfig"),
    "STUDY": ("physnet.study.config", "StudyConfig"),
    "STUDY_TRAINING": ("physnet.study.config", "STUDY_TRAINING"),
    "QUICK_META": ("physnet.tasks.settings", "QUICK_META"),
    "QUICK_COMPARE": ("physnet.tasks.settings", "QUICK_COMPARE"),
    "QUICK_TUNING": ("physnet.tasks.settings", "QUICK_TUNING"),
    "TUNE_GRIDS": ("physnet.study.tuning", "DEFAULT_GRIDS"),
}


#: Each table of settings: the record whose fields declare them (:mod:`physnet.schema`) and the
#: table of ``DEFAULTS`` its help states.
SETTINGS: dict[str, tuple[str, str, str]] = {
    "META": ("physnet.meta.config", "MetaConfig", "META"),
    "TRAIN": ("physnet.training.trainer", "TrainConfig", "STUDY_TRAINING"),
    "STUDY": ("physnet.study.config", "StudyConfig", "STUDY"),
}


def _json_value(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _defaults_of(settings: Any) -> dict[str, Any]:
    """The default values of a class's constructor, a dataclass instance or a mapping, keeping
    those JSON can hold."""
    if isinstance(settings, Mapping):
        values = dict(settings)
    elif isinstance(settings, type):
        values = {k: p.default for k, p in inspect.signature(settings).parameters.items()}
    else:  # a dataclass instance
        values = {f.name: getattr(settings, f.name) for f in dataclasses.fields(settings)}
    return {
        k: _json_value(v) for k, v in values.items() if v is None or isinstance(v, bool | int | float | str | tuple)
    }


def from_registries() -> dict[str, Any]:
    """Every name list and table of defaults, read from the registries (imports them all)."""
    lists: dict[str, Any] = {
        key: [str(name) for name in getattr(importlib.import_module(module), attribute)]
        for key, (module, attribute) in REGISTRIES.items()
    }
    lists["DEFAULTS"] = {
        key: _defaults_of(getattr(importlib.import_module(module), attribute))
        for key, (module, attribute) in DEFAULTS.items()
    }
    lists["SETTINGS"] = {
        key: _described(getattr(importlib.import_module(module), attribute), lists["DEFAULTS"][table])
        for key, (module, attribute, table) in SETTINGS.items()
    }
    return lists


def _described(record: type, defaults: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each described field of ``record`` as the command line builds its option: the
    description with ``{default}`` in its help replaced by the stated default."""
    from physnet.schema import descriptions

    table = {}
    for name, description in descriptions(record).items():
        entry = description.to_dict()
        value = defaults.get(name)
        shown = ",".join(str(v) for v in value) if isinstance(value, list) else str(value)
        entry["help"] = entry["help"].replace("{default}", shown)
        entry["default"] = value
        table[name] = entry
    return table


@lru_cache(maxsize=1)
def _manifest() -> dict[str, Any]:
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


def names(key: str) -> tuple[str, ...]:
    """The names of registry ``key`` (one of ``REGISTRIES``), without importing it."""
    return tuple(_manifest()[key])


def default(table: str, name: str) -> Any:
    """The default of setting ``name`` in ``table`` (one of ``DEFAULTS``), without importing it."""
    return _manifest()["DEFAULTS"][table][name]


def described(table: str, name: str) -> dict[str, Any]:
    """How setting ``name`` of ``table`` (one of ``SETTINGS``) reads on the command line: its
    help, type, choices, metavar, flag, unit and whether it is a switch, without importing it."""
    return dict(_manifest()["SETTINGS"][table][name])


if __name__ == "__main__":  # pragma: no cover
    MANIFEST.write_text(json.dumps(from_registries(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {MANIFEST}")
