"""Comparison budgets per task: the full protocol, the quick one (about two minutes) and
named presets (``reference``: the settings of the paper's own code)."""

from __future__ import annotations

from physnet.experiments.arms import ARMS

#: (task, model) -> CompareConfig overrides at full budget (50 seeds).
FULL = {
    ("van-der-pol", "nn"): {"hidden": (100,), "epochs": 20, "batch_size": 150, "lr": 1e-2},
    ("henon-heiles", "nn"): {"hidden": (100,), "epochs": 10, "batch_size": 150, "lr": 1e-2},
    ("henon-heiles", "hnn"): {"hidden": (100,), "epochs": 10, "batch_size": 150, "lr": 1e-2},
    ("clock", "hnn"): {"hidden": (100,), "epochs": 50, "batch_size": 150, "lr": 1e-2},
    ("clock", "nn"): {"hidden": (100,), "epochs": 50, "batch_size": 150, "lr": 1e-2},
    ("mnist1d", "classifier"): {"hidden": (100,), "epochs": 30, "batch_size": 200, "lr": 1e-2, "arms": ARMS},
}
#: Quick budget: small data, few seeds and steps (the clock's data is small already, and its
#: every-4th-sample subset leaves too few steps per epoch to learn anything).
QUICK_COMPARE = {"seeds": 10, "epochs": 40, "small": True}
QUICK_COMPARE_BY_TASK = {"clock": {"seeds": 10, "epochs": 40, "small": False}}
QUICK_META = {"small": True, "outer_steps": 20, "inner_steps": 50}


def compare_defaults(task: str, model: str) -> dict:
    return dict(FULL.get((task, model), {"hidden": (100,), "epochs": 20}))


def quick_compare(task: str) -> dict:
    return dict(QUICK_COMPARE_BY_TASK.get(task, QUICK_COMPARE))


#: (task, model) -> preset name -> {"meta": MetaConfig overrides, "compare": CompareConfig overrides}.
#: ``reference`` on MNIST-1D is the paper's PyTorch code: a 40-200-10 inner network, 100 inner
#: steps of RMSprop unrolled into the second-order meta-gradient, outer heavy-ball SGD with
#: gradients clamped to 0.1, 300 outer steps, activations sampled on [-5, 5]; then fresh
#: 40-200-10 networks trained with SGD (lr 0.01, momentum 0.8, batch 200, 100 epochs), 5 runs.
#: Two departures, both unknowns of the reference: its activation is base + 0.2 g(x), ours
#: base + g(x), so its outer lr 0.4 moves our types about 25x further per step (it diverged
#: here within 4 steps: validation loss 1.56 -> 3.55) and the preset uses 0.04; its inner
#: RMSprop learning rate and outer momentum are not recorded, and we use 1e-3 and 0.9.
#: ``compile``: the fused sub-network kernels keep the 100 unrolled steps in about 0.7 GB
#: instead of 5.3 GB at the same speed (benchmarks/meta_reference.py).
PRESETS: dict[tuple[str, str], dict[str, dict[str, dict]]] = {
    ("mnist1d", "classifier"): {
        "reference": {
            "meta": {"hidden": (200,), "mode": "unrolled", "truncate": None, "inner_steps": 100, "outer_steps": 300,
                     "inner_optimizer": "rmsprop", "inner_lr": 1e-3, "outer_optimizer": "sgd", "outer_lr": 0.04,
                     "outer_momentum": 0.9, "outer_grad_clip": 0.1, "batch_size": 200, "reinit_inner": True,
                     "grid": (-5.0, 5.0, 100), "compile": True},
            "compare": {"hidden": (200,), "optimizer": "sgd", "lr": 0.01, "momentum": 0.8, "batch_size": 200,
                        "epochs": 100, "seeds": 5, "arms": ARMS},
        },
    },
}


def preset(task: str, model: str, name: str | None) -> dict[str, dict]:
    """The ``meta`` and ``compare`` overrides of a named preset (empty for ``None``).

    Raises:
        ValueError: the task has no preset of that name (the message lists those it has).
    """
    if name is None:
        return {"meta": {}, "compare": {}}
    known = PRESETS.get((task, model), {})
    if name not in known:
        have = ", ".join(known) or "none"
        raise ValueError(f"task {task!r} ({model}) has no preset {name!r}; its presets: {have}")
    return {"meta": dict(known[name]["meta"]), "compare": dict(known[name]["compare"])}
