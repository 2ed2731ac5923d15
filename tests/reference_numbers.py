"""The fixed quick runs whose numbers must not change when the code moves: a meta-learning run
and a comparison study, both in float64, through the public face of ``import physnet`` only
(so this file reads the same before and after a move). ``python tests/reference_numbers.py``
rewrites ``tests/data/reference_numbers.json``; do that only for a change that is meant to
change the numbers, and say so in the commit."""

from __future__ import annotations

import json
from pathlib import Path

import physnet

REFERENCE = Path(__file__).with_name("data") / "reference_numbers.json"


def reference_runs() -> dict[str, list]:
    """Per-step meta-learning values and per-seed study values of the fixed runs."""
    meta = physnet.meta_learn(
        physnet.meta_config_for(
            "van-der-pol",
            small=True,
            outer_steps=3,
            inner_steps=5,
            hidden=(12,),
            width=8,
            dtype="float64",
            outer_lr=3e-2,
            seed=7,
        )
    )
    config = physnet.StudyConfig(
        task="van-der-pol",
        model="nn",
        arms=("base", "type1", "type2", "mix"),
        seeds=3,
        epochs=2,
        hidden=(12,),
        small=True,
        dtype="float64",
    )
    study = physnet.compare(config, meta.frozen)
    numbers: dict[str, list] = {
        "meta_loss": [float(v) for v in meta.history["meta_loss"][1:]],
        "val_loss": [float(v) for v in meta.history["val_loss"][1:]],
        "activations_sum": [float(v) for v in meta.history["activations"].reshape(4, -1).sum(axis=1)],
    }
    numbers.update({f"study_{arm}": [float(v) for v in study.values[arm]] for arm in config.arms})
    return numbers


if __name__ == "__main__":
    REFERENCE.parent.mkdir(exist_ok=True)
    REFERENCE.write_text(json.dumps(reference_runs(), indent=1) + "\n")
    print(f"wrote {REFERENCE}")
