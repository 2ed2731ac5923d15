"""What a task fixes for one of its models, in one typed record: meta-learning defaults, the
comparison budget at full scale and the quick one, and its own values under named presets;
and the records a user's task gets from its data size (:func:`default_settings`).

Budgets and presets are keyword overrides: ``meta`` ones for
:class:`physnet.training.MetaConfig`, ``compare`` ones for
:class:`physnet.study.StudyConfig`. A preset's recipe for every task lives in
:mod:`physnet.tasks.presets`; a task's record holds only what a reference code fixed
for that task (and the authors' logged numbers to show beside ours).

Names: ``small`` is always the task's small data (a flag of the loaders and of both configs);
``quick`` is always the quick budget, which includes the small data.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from physnet.errors import UserError

#: Meta-learning under the quick budget: small data, 20 outer steps of 50 inner ones.
QUICK_META: Mapping[str, Any] = MappingProxyType({"small": True, "outer_steps": 20, "inner_steps": 50})
#: Comparison under the quick budget: small data, 10 seeds, 40 epochs.
QUICK_COMPARE: Mapping[str, Any] = MappingProxyType({"seeds": 10, "epochs": 40, "small": True})
#: Tuning under the quick budget (without a preset): two seeds per candidate rate instead of five,
#: so that choosing the rates costs about as much as the quick study itself.
QUICK_TUNING: Mapping[str, Any] = MappingProxyType({"tune_seeds": 2})
#: Meta-learning under the quick budget with a preset: the regime's training stays (its short
#: training is the point); data and outer steps shrink.
QUICK_PRESET_META: Mapping[str, Any] = MappingProxyType({"small": True, "outer_steps": 10})
#: ``PHYSNET_SMOKE=1``: every budget shrinks to a smoke test, whatever the options say - for
#: running the documentation's commands in the tests (``tests/test_docs_run.py``), never for results.
SMOKE_ENV = "PHYSNET_SMOKE"
SMOKE_META: Mapping[str, Any] = MappingProxyType({"small": True, "outer_steps": 2, "inner_steps": 3})
SMOKE_COMPARE: Mapping[str, Any] = MappingProxyType(
    {"small": True, "seeds": 4, "epochs": 2, "tune": None, "rollout_steps": 3}
)


def smoke() -> bool:
    """Whether :data:`SMOKE_ENV` asks for smoke-test budgets."""
    import os

    return os.environ.get(SMOKE_ENV, "") not in ("", "0")


def _frozen(values: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(values))


@dataclass(frozen=True)
class PresetValues:
    """A task's own values under one named preset.

    Attributes:
        meta, compare: overrides replacing the preset recipe's values for this task.
        meta_seeds: meta-learning seeds a reproduction runs by default (None: the preset's).
        authors: the authors' logged medians per arm, shown beside ours (None: none logged).
        authors_note: how the authors' numbers were measured, where that differs from ours.
    """

    meta: Mapping[str, Any] = field(default_factory=dict)
    compare: Mapping[str, Any] = field(default_factory=dict)
    meta_seeds: int | None = None
    authors: Mapping[str, float] | None = None
    authors_note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "meta", _frozen(self.meta))
        object.__setattr__(self, "compare", _frozen(self.compare))


@dataclass(frozen=True)
class ModelSettings:
    """Everything a task fixes for one model.

    Attributes:
        meta: meta-learning defaults (``MetaConfig`` overrides).
        compare: the comparison budget at full scale (``StudyConfig`` overrides; default: none,
            ``StudyConfig``'s own defaults).
        quick_meta, quick_compare: the quick budget, replacing the full one's values.
        presets: preset name -> the task's own values under it.
    """

    meta: Mapping[str, Any]
    compare: Mapping[str, Any] = field(default_factory=dict)
    quick_meta: Mapping[str, Any] = field(default_factory=lambda: dict(QUICK_META))
    quick_compare: Mapping[str, Any] = field(default_factory=lambda: dict(QUICK_COMPARE))
    presets: Mapping[str, PresetValues] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("meta", "compare", "quick_meta", "quick_compare", "presets"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))

    @property
    def quick_preset_compare(self) -> dict[str, Any]:
        """The quick budget's comparison values under a preset: seeds and data size only."""
        return {k: v for k, v in self.quick_compare.items() if k in ("seeds", "small")}


#: Training steps a full comparison aims at (epochs follow from the data size), and the
#: bounds the epochs are kept in.
FULL_STEPS = 2000
EPOCH_BOUNDS = (5, 200)


def default_settings(n_train: int, dim_in: int, models: tuple[str, ...]) -> dict[str, ModelSettings]:
    """A settings record per model for ``n_train`` training pairs of dimension ``dim_in``.

    Hidden width 100 (the paper's) or ``25 * dim_in`` if larger; batch 150 or a tenth of
    the data if smaller; epochs so that a full comparison takes about ``FULL_STEPS``
    optimiser steps (within ``EPOCH_BOUNDS``), the quick one a fifth of that (down to one epoch
    on data so large that five would exceed the full budget's steps); meta-learning
    at :class:`~physnet.meta.MetaConfig`'s defaults (2 types around sine, 50 outer x 100 inner
    steps, as for the paper's dynamics tasks).
    """
    if n_train < 1 or dim_in < 1:
        raise UserError(f"a task needs training pairs and inputs, got {n_train} pairs of dimension {dim_in}")
    hidden = (max(100, 25 * dim_in),)
    batch = max(1, min(150, n_train // 10))
    steps_per_epoch = max(1, n_train // batch)
    lo, hi = EPOCH_BOUNDS
    epochs = int(min(hi, max(lo, math.ceil(FULL_STEPS / steps_per_epoch))))
    # the quick budget keeps to its steps on big data: one epoch where five would exceed a full budget
    quick_lo = 1 if steps_per_epoch * lo > FULL_STEPS else lo
    quick_epochs = int(min(hi, max(quick_lo, math.ceil(FULL_STEPS / 5 / steps_per_epoch))))
    meta = {"hidden": list(hidden), "batch_size": batch}  # the rest: MetaConfig's defaults
    compare = {"hidden": hidden, "batch_size": batch, "lr": 1e-2, "epochs": epochs}
    quick = {"seeds": 10, "epochs": quick_epochs, "small": True}
    return {m: ModelSettings(meta=meta, compare=compare, quick_compare=quick) for m in models}


__all__ = [
    "EPOCH_BOUNDS",
    "FULL_STEPS",
    "QUICK_COMPARE",
    "QUICK_META",
    "QUICK_PRESET_META",
    "QUICK_TUNING",
    "SMOKE_COMPARE",
    "SMOKE_ENV",
    "SMOKE_META",
    "default_settings",
    "ModelSettings",
    "PresetValues",
    "smoke",
]
