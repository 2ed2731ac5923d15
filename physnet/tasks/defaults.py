"""Settings records for a user's task, from its data size and dimension.

The paper's tasks have hand-set records (:mod:`physnet.tasks.paper`); a task built from a
system or a measured series gets these, which any field of its record can override.
"""

from __future__ import annotations

import math

from physnet.errors import UserError
from physnet.tasks.settings import ModelSettings

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
    as for the paper's dynamics tasks (2 types around sine, 50 outer x 100 inner steps).
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
    meta = {"hidden": list(hidden), "k": 2, "base": "sin", "width": 50, "batch_size": batch}
    meta.update(inner_lr=1e-2, outer_lr=1e-3, inner_steps=100, outer_steps=50)
    compare = {"hidden": hidden, "batch_size": batch, "lr": 1e-2, "epochs": epochs}
    quick = {"seeds": 10, "epochs": quick_epochs, "small": True}
    return {m: ModelSettings(meta=meta, compare=compare, quick_compare=quick) for m in models}


__all__ = ["EPOCH_BOUNDS", "FULL_STEPS", "default_settings"]
