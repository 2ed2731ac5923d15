"""Old public names kept importable for one release, with a DeprecationWarning naming the new one:
attributes renamed inside a module (:func:`renamed_attributes`) and whole modules moved to the
layered folders of release 0.2 (:data:`MOVED_MODULES`, served by :func:`install_moved_modules`)."""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import warnings
from collections.abc import Callable
from types import ModuleType
from typing import Any

#: Module paths of release 0.1 -> where the module lives now (issue 25: folders that are layers).
MOVED_MODULES = {
    "physnet.arm_names": "physnet.tasks.arm_names",
    "physnet.conservation": "physnet.tasks.conservation",
    "physnet.experiments.ablate": "physnet.jobs.ablate",
    "physnet.experiments.ablation": "physnet.jobs.ablation",
    "physnet.experiments.arms": "physnet.study.arms",
    "physnet.experiments.backends": "physnet.study.backends",
    "physnet.experiments.blocks": "physnet.study.blocks",
    "physnet.experiments.budgets": "physnet.jobs.budgets",
    "physnet.experiments.claims": "physnet.reports.claims",
    "physnet.experiments.defaults": "physnet.tasks.budget",
    "physnet.experiments.effects": "physnet.study.effects",
    "physnet.experiments.failures": "physnet.study.failures",
    "physnet.experiments.forecast": "physnet.study.forecast",
    "physnet.experiments.forecast_report": "physnet.reports.forecast_report",
    "physnet.experiments.forecast_skill": "physnet.study.forecast_skill",
    "physnet.experiments.local_pool": "physnet.study.local_pool",
    "physnet.experiments.meta_folder": "physnet.meta.folder",
    "physnet.experiments.meta_seed_summary": "physnet.reports.meta_seed_summary",
    "physnet.experiments.metric_scale": "physnet.study.metric_scale",
    "physnet.experiments.model_store": "physnet.study.model_store",
    "physnet.experiments.outputs": "physnet.reports.outputs",
    "physnet.experiments.paper_claims": "physnet.reports.paper_claims",
    "physnet.experiments.ray_backend": "physnet.study.ray_backend",
    "physnet.experiments.regimes": "physnet.tasks.presets",
    "physnet.experiments.report": "physnet.reports.task_report",
    "physnet.experiments.reproduce": "physnet.jobs.reproduce",
    "physnet.experiments.reproduce_all": "physnet.jobs.reproduce_all",
    "physnet.experiments.statistics": "physnet.study.statistics",
    "physnet.experiments.study": "physnet.study.run",
    "physnet.experiments.study_analysis": "physnet.study.analysis",
    "physnet.experiments.study_config": "physnet.study.config",
    "physnet.experiments.study_cost": "physnet.study.cost",
    "physnet.experiments.study_folder": "physnet.study.folder",
    "physnet.experiments.study_forecast": "physnet.study.skill",
    "physnet.experiments.study_layout": "physnet.study.layout",
    "physnet.experiments.sweep": "physnet.jobs.sweep",
    "physnet.experiments.timings": "physnet.reports.timings",
    "physnet.experiments.tuning": "physnet.study.tuning",
    "physnet.experiments.verdict": "physnet.study.verdict",
    "physnet.mnist1d_data": "physnet.tasks.mnist1d",
    "physnet.noise_floor": "physnet.tasks.noise_floor",
    "physnet.paper_tasks": "physnet.tasks.paper",
    "physnet.run_output": "physnet.io",
    "physnet.series_derivatives": "physnet.tasks.series_derivatives",
    "physnet.series_file": "physnet.tasks.series_file",
    "physnet.simulation": "physnet.jobs.simulate",
    "physnet.system_import": "physnet.tasks.system_import",
    "physnet.task_data": "physnet.data",
    "physnet.task_defaults": "physnet.tasks.defaults",
    "physnet.task_from_series": "physnet.tasks.from_series",
    "physnet.task_from_system": "physnet.tasks.from_system",
    "physnet.task_settings": "physnet.tasks.settings",
    "physnet.task_sources": "physnet.tasks.sources",
    "physnet.task_spec": "physnet.tasks.spec",
    "physnet.training.deployment": "physnet.meta.deployment",
    "physnet.training.meta": "physnet.meta.learn",
    "physnet.training.meta_config": "physnet.meta.config",
    "physnet.training.meta_records": "physnet.meta.records",
    "physnet.training.meta_run": "physnet.meta.run",
    "physnet.training.outer_step": "physnet.meta.outer_step",
    "physnet.training.unrolled": "physnet.meta.unrolled",
    "physnet.experiments": "physnet.study",
}


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


def lazy_exports(
    module: str,
    namespace: dict[str, Any],
    exports: dict[str, str],
    moved: dict[str, str] | None = None,
    renamed: dict[str, str] | None = None,
):
    """A package ``__getattr__`` importing each public name of ``exports`` (name -> module) on
    first use, each name of ``moved`` (name -> module it moved to) and of ``renamed`` (old name ->
    new name among ``exports``) with a DeprecationWarning: a package face that loads nothing until
    asked (``physnet --help`` without PyTorch)."""
    moved, renamed = moved or {}, renamed or {}

    def __getattr__(name: str) -> Any:
        if name in renamed:
            warnings.warn(
                f"{module}.{name} is now {renamed[name]}; the old name goes in the next release",
                DeprecationWarning,
                stacklevel=2,
            )
            name = renamed[name]
        if name in moved:
            warnings.warn(
                f"{module}.{name} is now {moved[name]}.{name}; the old place goes in the next release",
                DeprecationWarning,
                stacklevel=2,
            )
            return getattr(importlib.import_module(moved[name]), name)
        if name in exports:
            value = getattr(importlib.import_module(exports[name]), name)
            namespace[name] = value
            return value
        raise AttributeError(f"module {module!r} has no attribute {name!r}")

    return __getattr__


class _MovedModuleFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports an old module path as the module at its new place (the same module object, so
    monkeypatching either name patches both), with a DeprecationWarning."""

    def find_spec(self, fullname: str, path: Any = None, target: ModuleType | None = None):
        if fullname not in MOVED_MODULES:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        new = MOVED_MODULES[spec.name]
        warnings.warn(
            f"module {spec.name} is now {new}; the old path goes in the next release", DeprecationWarning, stacklevel=2
        )
        return importlib.import_module(new)

    def exec_module(self, module: ModuleType) -> None:
        """The module is the new one, already executed."""


def install_moved_modules() -> None:
    """Serve the old module paths of :data:`MOVED_MODULES` (idempotent)."""
    if not any(isinstance(f, _MovedModuleFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _MovedModuleFinder())


__all__ = ["MOVED_MODULES", "install_moved_modules", "lazy_exports", "renamed_attributes"]
