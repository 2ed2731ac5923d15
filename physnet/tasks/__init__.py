"""Tasks: where a study's data come from and what each model of it is trained with.

The registry (:mod:`physnet.tasks.registry`) knows every task by name; the paper's four
(:mod:`physnet.tasks.paper`, MNIST-1D in :mod:`physnet.tasks.mnist1d`) are registered at import,
a user's from a system (:mod:`physnet.tasks.from_system`) or a series file
(:mod:`physnet.tasks.from_series`) when asked. A task's settings record
(:mod:`physnet.tasks.settings`) holds its recipes; the presets (:mod:`physnet.tasks.presets`) and
budgets (:mod:`physnet.tasks.budget`) merge them with a caller's overrides. Names are imported on
first use.
"""

from __future__ import annotations

from physnet.lazy_exports import lazy_exports

_EXPORTS = {
    "TASKS": "physnet.tasks.registry",
    "find_task": "physnet.tasks.registry",
    "get_task": "physnet.tasks.registry",
    "register_task": "physnet.tasks.registry",
    "load_clock": "physnet.tasks.paper",
    "load_henon_heiles": "physnet.tasks.paper",
    "load_mnist1d_task": "physnet.tasks.paper",
    "load_van_der_pol": "physnet.tasks.paper",
    "Task": "physnet.tasks.spec",
    "TaskData": "physnet.data",
    "ModelSettings": "physnet.tasks.settings",
    "PresetValues": "physnet.tasks.settings",
    "system_task": "physnet.tasks.from_system",
    "series_task": "physnet.tasks.from_series",
}
__all__ = sorted(_EXPORTS)
__getattr__ = lazy_exports(__name__, globals(), _EXPORTS)
