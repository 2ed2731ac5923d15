"""A run's budget: the task's settings record (:mod:`physnet.tasks.settings`), the quick budget,
a named preset (:mod:`physnet.tasks.presets`) and the caller's overrides, merged in one
order everywhere."""

from __future__ import annotations

from physnet.tasks.presets import get_regime
from physnet.tasks.registry import get_task
from physnet.tasks.settings import QUICK_PRESET_META, SMOKE_COMPARE, SMOKE_META, smoke

#: Without a preset every arm's learning rate is tuned (a preset's reference code fixed its rates).
DEFAULT_TUNING = {"tune": "lr"}


def compare_defaults(task: str, model: str) -> dict:
    """The task's comparison budget for ``model`` at full scale (``StudyConfig`` overrides)."""
    return dict(get_task(task).model_settings(model).compare)


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
    without a preset, tuning of every arm's rate (:data:`DEFAULT_TUNING`), the task's
    comparison budget, then the quick budget, then the caller's overrides; under a preset (a
    regime) the caller's overrides (the preset's settings) come first and quick shrinks only
    data, seeds and outer steps after them. ``seeds`` last.

    Returns:
        ``(meta, compare)``: keyword overrides for ``meta_config_for`` and ``StudyConfig``.
    """
    settings = get_task(task).model_settings(model)
    if preset_name is None:  # the quick budget replaces the default one; every arm's rate is tuned
        meta = {**(settings.quick_meta if quick else {}), **(meta_overrides or {})}
        compare = {
            **DEFAULT_TUNING,
            **settings.compare,
            **(settings.quick_compare if quick else {}),
            **(compare_overrides or {}),
        }
        if "lr" in (compare_overrides or {}) and "tune" not in (compare_overrides or {}):
            compare["tune"] = None  # a rate given is a rate used
    else:  # a regime: quick keeps its training and shrinks only data, seeds and outer steps
        meta = {**(meta_overrides or {}), **(QUICK_PRESET_META if quick else {})}
        compare = {**settings.compare, **(compare_overrides or {}), **(settings.quick_preset_compare if quick else {})}
    if seeds is not None:
        compare["seeds"] = seeds
    if smoke():
        meta, compare = {**meta, **SMOKE_META}, {**compare, **SMOKE_COMPARE}
    return meta, compare


def preset(task: str, model: str, name: str | None) -> dict[str, dict]:
    """The ``meta`` and ``compare`` overrides of a named preset (empty for ``None``); see
    :mod:`physnet.tasks.presets`.

    Raises:
        ValueError: no preset of that name, or one the task does not have.
    """
    if name is None:
        return {"meta": {}, "compare": {}}
    return get_regime(name).settings(task, model)
