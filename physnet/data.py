"""The data of a task: training and validation pairs, with what a forecast needs."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import torch
from torch import Tensor

from physnet.errors import UserError

#: Integrators a rollout loss can use: physnet's own classic Runge-Kutta (the default, with no
#: per-step checks) or an explicit fixed-step method of :mod:`physnet.integrators`.
ROLLOUT_METHODS = ("rk4", "euler", "midpoint", "heun2", "heun3")
#: The fewest samples of a record that a forecast rolls out (a start and two steps to compare).
MIN_FORECAST_SAMPLES = 3


@dataclass(frozen=True)
class Rollout:
    """How a rollout loss integrates the model: ``steps`` samples ahead, one integration step
    of ``dt`` per sample, with ``method`` (one of :data:`ROLLOUT_METHODS`); with ``continuity``
    (a weight >= 0) by multiple shooting (:mod:`physnet.training.shooting`: learned window starts
    joined by a continuity penalty of that weight), else from the observed states.

    Raises:
        UserError: a window shorter than one step, a non-positive ``dt``, an unknown method, a
            continuity weight negative or not finite.
    """

    steps: int
    dt: float
    method: str = "rk4"
    continuity: float | None = None

    def __post_init__(self) -> None:
        if isinstance(self.steps, bool) or int(self.steps) != self.steps or self.steps < 1:
            raise UserError(f"--rollout-steps must be a whole number >= 1, got {self.steps}")
        if not self.dt > 0:
            raise UserError(f"a rollout needs a positive sampling interval, got dt={self.dt}")
        if self.method not in ROLLOUT_METHODS:
            raise UserError(f"unknown rollout method {self.method!r}; valid: {', '.join(ROLLOUT_METHODS)}")
        if self.continuity is not None and not (math.isfinite(self.continuity) and self.continuity >= 0):
            raise UserError(f"--continuity must be a finite number >= 0, got {self.continuity}")

    def to_dict(self) -> dict:
        spec = {"steps": self.steps, "dt": self.dt, "method": self.method}
        return spec if self.continuity is None else {**spec, "continuity": self.continuity}


@dataclass(frozen=True)
class TaskData:
    """Training and validation pairs of a task.

    Attributes:
        x_train, y_train: inputs ``(M, d_in)`` and targets ``(M, d_out)``.
        x_val, y_val: the validation split (always used whole).
        loss: ``"mse"`` (targets are time derivatives), ``"rollout"`` (targets are the
            displacements of the next ``rollout.steps`` observed states, ``(M, K d)``, NaN past
            the end of an orbit; :mod:`physnet.training.rollout`) or ``"cross_entropy"``.
        state_names: names of the input components.
        config: where the data came from (written into run configs).
        val_orbit: orbit index of each validation pair ``(M_val,)`` (pairs of one orbit are
            consecutive in time), or None for one series.
        train_orbit: orbit (or group) index of each training pair ``(M,)``, or None where
            the training pairs are one series in time order (or independent samples).
        dt: sampling interval along orbits (for forecasts), or None.
        system: the true system (for ground-truth rollouts), or None for measured data.
        noise_floor: the targets' own noise (:class:`physnet.tasks.noise_floor.NoiseFloor`) where
            known or estimated, else None.
        rollout: the integration of a ``"rollout"`` loss, else None.
    """

    x_train: Tensor
    y_train: Tensor
    x_val: Tensor
    y_val: Tensor
    loss: str = "mse"
    state_names: tuple[str, ...] = ()
    config: dict = field(default_factory=dict)
    val_orbit: Tensor | None = None
    dt: float | None = None
    system: Any = None
    train_orbit: Tensor | None = None
    noise_floor: Any = None
    rollout: Rollout | None = None

    @property
    def dim_in(self) -> int:
        return self.x_train.shape[-1]

    def to(self, device: str | torch.device, dtype: torch.dtype) -> TaskData:
        """The data on ``device`` in ``dtype`` (class labels keep theirs).

        Raises:
            UserError: a value beyond ``dtype``'s range (float32: about 3.4e38), which would
                turn into infinity there.
        """
        for name in ("x_train", "y_train", "x_val", "y_val"):
            _check_range(getattr(self, name), dtype, name, self.config.get("source", ""))
        cast = lambda t: t.to(device=device, dtype=dtype) if t.is_floating_point() else t.to(device)  # noqa: E731
        return replace(
            self, x_train=cast(self.x_train), y_train=cast(self.y_train), x_val=cast(self.x_val), y_val=cast(self.y_val)
        )


def _check_range(values: torch.Tensor, dtype: torch.dtype, name: str, source: str) -> None:
    if not values.is_floating_point() or not dtype.is_floating_point or values.dtype == dtype:
        return
    limit = torch.finfo(dtype).max
    finite = values[torch.isfinite(values)]
    if finite.numel() and float(finite.abs().max()) > limit:
        where = f" of {source}" if source else ""
        raise UserError(
            f"the data{where} ({name}) hold values up to {float(finite.abs().max()):.3g}, beyond {dtype}'s range "
            f"({limit:.3g}): rescale them, or run in --dtype float64"
        )


__all__ = ["MIN_FORECAST_SAMPLES", "ROLLOUT_METHODS", "Rollout", "TaskData"]
