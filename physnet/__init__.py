"""physnet: physics-informed neural networks with learned, diverse neuron types.

The package face re-exports the verbs; see the README for a tour. They are imported on first
use, so that ``physnet --help`` answers without loading PyTorch.
"""

from __future__ import annotations

import importlib
from typing import Any

from physnet.version import __version__

#: Public name -> the module that defines it: the whole path from a system or a series file to
#: a forecast (see the README's API tour).
_EXPORTS = {
    # tasks: the paper's, a system's, a series file's
    "Task": "physnet.tasks.spec",
    "TaskData": "physnet.data",
    "ModelSettings": "physnet.tasks.settings",
    "TASKS": "physnet.tasks.registry",
    "get_task": "physnet.tasks.registry",
    "register_task": "physnet.tasks.registry",
    "system_task": "physnet.tasks.from_system",
    "series_task": "physnet.tasks.from_series",
    # neuron types and networks
    "FixedBank": "physnet.activations",
    "LearnedBank": "physnet.activations",
    "FrozenBank": "physnet.activations",
    "freeze": "physnet.activations",
    "save_activations": "physnet.activations",
    "load_activations": "physnet.activations",
    "build_model": "physnet.networks",
    "arm_bank": "physnet.study.arms",
    # meta-learning and training
    "MetaConfig": "physnet.meta",
    "MetaResult": "physnet.meta",
    "meta_config_for": "physnet.meta",
    "meta_learn": "physnet.meta",
    "TrainConfig": "physnet.training",
    "train": "physnet.training",
    # comparing arms over seeds
    "StudyConfig": "physnet.study.run",
    "StudyResult": "physnet.study.run",
    "compare": "physnet.study.run",
    "load_arm": "physnet.study.model_store",
    # forecasting
    "forecast": "physnet.study.model_forecast",
    "load_forecaster": "physnet.study.forecaster",
    "Forecaster": "physnet.study.forecaster",
    "EnsembleForecast": "physnet.study.forecaster",
    "METHODS": "physnet.integrators",
    "ConvergenceError": "physnet.integrators",
    "get_method": "physnet.integrators",
    "odeint": "physnet.integrators",
    # simulation
    "SimulationConfig": "physnet.jobs.simulate",
    "simulate": "physnet.jobs.simulate",
    # analyses and files
    "hidden_layers": "physnet.study.analysis",
    "prepare_output_dir": "physnet.io",
    "write_figure": "physnet.io",
    # errors
    "UserError": "physnet.errors",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'physnet' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
