"""What a study's metric is measured against: the validation targets' variance (so that an
MSE reads as ``1 - R^2``) and the targets' own noise floor, where known."""

from __future__ import annotations

from physnet.data import TaskData
from physnet.study.failures import target_variance
from physnet.study.verdict import NOISE_FRACTION


def metric_scale(data: TaskData) -> dict:
    """``{"target_variance", "noise_floor", "noise_fraction"}`` for a regression task (the
    variance of the validation targets averaged over components, so that ``val_mse /
    target_variance = 1 - R^2``; the floor's dictionary or None), or ``{}`` for a classifier."""
    if data.loss not in ("mse", "rollout"):
        return {}
    floor = data.noise_floor
    return {
        "target_variance": target_variance(data.y_val),
        "noise_floor": None if floor is None else floor.to_dict(),
        "noise_fraction": NOISE_FRACTION,
    }


def floor_mse(scale: dict) -> float | None:
    """The noise floor in the metric's units (None where unknown)."""
    floor = (scale or {}).get("noise_floor")
    return None if floor is None else float(floor["mse"])


def unexplained(value: float, scale: dict) -> float | None:
    """``value / target_variance`` (``1 - R^2`` of an MSE), or None without a scale."""
    variance = (scale or {}).get("target_variance")
    return None if not variance else value / variance


__all__ = ["floor_mse", "metric_scale", "unexplained"]
