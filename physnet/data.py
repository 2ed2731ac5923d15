"""The data of a task: training and validation pairs, with what a forecast needs."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import torch
from torch import Tensor

from physnet.errors import UserError


@dataclass(frozen=True)
class TaskData:
    """Training and validation pairs of a task.

    Attributes:
        x_train, y_train: inputs ``(M, d_in)`` and targets ``(M, d_out)``.
        x_val, y_val: the validation split (always used whole).
        loss: ``"mse"`` (targets are time derivatives) or ``"cross_entropy"``.
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


__all__ = ["TaskData"]
