"""physnet: physics-informed neural networks with learned, diverse neuron types.

The package face re-exports the verbs; see the README for a tour. They are imported on first
use, so that ``physnet --help`` answers without loading PyTorch.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

#: Public name -> the module that defines it: the whole path from a system or a series file to
#: a forecast (see the README's API tour).
_EXPORTS = {
    # tasks: the paper's, a system's, a series file's
    "Task": "physnet.tasks",
    "TaskData": "physnet.tasks",
    "ModelSettings": "physnet.task_settings",
    "TASKS": "physnet.tasks",
    "get_task": "physnet.tasks",
    "register_task": "physnet.tasks",
    "system_task": "physnet.task_from_system",
    "series_task": "physnet.task_from_series",
    # neuron types and networks
    "FixedBank": "physnet.activations",
    "LearnedBank": "physnet.activations",
    "FrozenBank": "physnet.activations",
    "freeze": "physnet.activations",
    "save_activations": "physnet.activations",
    "load_activations": "physnet.activations",
    "build_model": "physnet.networks",
    "arm_bank": "physnet.experiments.arms",
    # meta-learning and training
    "MetaConfig": "physnet.training",
    "MetaResult": "physnet.training",
    "meta_config_for": "physnet.training",
    "meta_learn": "physnet.training",
    "TrainConfig": "physnet.training",
    "train": "physnet.training",
    # comparing arms over seeds
    "StudyConfig": "physnet.experiments.study",
    "StudyResult": "physnet.experiments.study",
    "compare": "physnet.experiments.study",
    "load_arm": "physnet.experiments.model_store",
    # forecasting
    "forecast": "physnet.experiments.forecast",
    "METHODS": "physnet.integrators",
    "ConvergenceError": "physnet.integrators",
    "get_method": "physnet.integrators",
    "odeint": "physnet.integrators",
    # simulation
    "SimulationConfig": "physnet.simulation",
    "simulate": "physnet.simulation",
    # analyses and files
    "hidden_layers": "physnet.experiments.study_analysis",
    "prepare_output_dir": "physnet.run_output",
    "write_figure": "physnet.run_output",
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
