"""Comparison budgets per task: the full protocol and the quick one (about two minutes); named
presets live in :mod:`physnet.experiments.regimes`."""

from __future__ import annotations

from physnet.experiments.arms import CLASSIC_ARMS
from physnet.experiments.regimes import get_regime

#: (task, model) -> StudyConfig overrides at full budget (50 seeds).
FULL = {
    ("van-der-pol", "nn"): {"hidden": (100,), "epochs": 20, "batch_size": 150, "lr": 1e-2},
    ("henon-heiles", "nn"): {"hidden": (100,), "epochs": 10, "batch_size": 150, "lr": 1e-2},
    ("henon-heiles", "hnn"): {"hidden": (100,), "epochs": 10, "batch_size": 150, "lr": 1e-2},
    ("clock", "hnn"): {"hidden": (100,), "epochs": 50, "batch_size": 150, "lr": 1e-2},
    ("clock", "nn"): {"hidden": (100,), "epochs": 50, "batch_size": 150, "lr": 1e-2},
    ("mnist1d", "classifier"): {"hidden": (100,), "epochs": 30, "batch_size": 200, "lr": 1e-2, "arms": CLASSIC_ARMS},
}
#: Quick budget: small data, few seeds and steps (the clock's data is small already, and its
#: every-4th-sample subset leaves too few steps per epoch to learn anything).
QUICK_COMPARE = {"seeds": 10, "epochs": 40, "small": True}
QUICK_COMPARE_BY_TASK = {"clock": {"seeds": 10, "epochs": 40, "small": False}}
QUICK_META = {"small": True, "outer_steps": 20, "inner_steps": 50}
#: Quick budget under a preset: the regime's training stays (its short training is the point);
#: data, seeds and outer steps shrink.
QUICK_PRESET_META = {"small": True, "outer_steps": 10}


def compare_defaults(task: str, model: str) -> dict:
    return dict(FULL.get((task, model), {"hidden": (100,), "epochs": 20}))


def quick_compare(task: str) -> dict:
    return dict(QUICK_COMPARE_BY_TASK.get(task, QUICK_COMPARE))


def quick_preset(task: str) -> dict:
    """The quick budget's comparison overrides under a preset: seeds and data size only."""
    return {k: v for k, v in quick_compare(task).items() if k in ("seeds", "small")}


def budget(
    task: str,
    model: str,
    *,
    quick: bool = False,
    preset_name: str | None = None,
    meta_overrides: dict | None = None,
    compare_overrides: dict | None = None,
    seeds: int | None = None,
) -> tuple[dict, dict]:
    """The meta-learning and comparison overrides of a run, merged in one order everywhere:
    without a preset, the task's comparison budget, then the quick budget, then the caller's
    overrides; under a preset (a regime) the caller's overrides (the preset's settings) come
    first and quick shrinks only data, seeds and outer steps after them. ``seeds`` last.

    Returns:
        ``(meta, compare)``: keyword overrides for ``meta_config_for`` and ``StudyConfig``.
    """
    if preset_name is None:  # the quick budget replaces the default one
        meta = {**(QUICK_META if quick else {}), **(meta_overrides or {})}
        compare = {
            **compare_defaults(task, model),
            **(quick_compare(task) if quick else {}),
            **(compare_overrides or {}),
        }
    else:  # a regime: quick keeps its training and shrinks only data, seeds and outer steps
        meta = {**(meta_overrides or {}), **(QUICK_PRESET_META if quick else {})}
        compare = {
            **compare_defaults(task, model),
            **(compare_overrides or {}),
            **(quick_preset(task) if quick else {}),
        }
    if seeds is not None:
        compare["seeds"] = seeds
    return meta, compare


def preset(task: str, model: str, name: str | None) -> dict[str, dict]:
    """The ``meta`` and ``compare`` overrides of a named preset (empty for ``None``); see
    :mod:`physnet.experiments.regimes`.

    Raises:
        ValueError: no preset of that name, or one the task does not have.
    """
    if name is None:
        return {"meta": {}, "compare": {}}
    return get_regime(name).settings(task, model)
