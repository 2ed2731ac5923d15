"""Where a solver failed: a vector field wrapped so that it remembers the last time and states
it was evaluated at and the first non-finite derivative, and the adaptive solver's bare
``AssertionError: underflow in dt`` turned into a sentence that says when, which orbit and why."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor


class WatchedField:
    """``field(t, y)`` unchanged, remembering the last evaluation and the first non-finite one."""

    def __init__(self, field: Callable[[Tensor, Tensor], Tensor]) -> None:
        self.field = field
        self.t: float | None = None
        self.y: Tensor | None = None
        self.dy: Tensor | None = None
        self.first_bad: tuple[float, int, list[float]] | None = None

    def __call__(self, t: Tensor, y: Tensor) -> Tensor:
        dy = self.field(t, y)
        self.t, self.y, self.dy = float(t), y.detach(), dy.detach() if isinstance(dy, Tensor) else None
        if self.first_bad is None and self.dy is not None and not bool(torch.isfinite(self.dy).all()):
            rows = ~torch.isfinite(self.dy.reshape(-1, self.dy.shape[-1])).all(-1)
            row = int(torch.nonzero(rows)[0])
            self.first_bad = (self.t, row, _state(self.y, row))
        return dy


def _state(y: Tensor | None, row: int) -> list[float]:
    if y is None:
        return []
    flat = y.reshape(-1, y.shape[-1]) if y.ndim > 1 else y.reshape(1, -1)
    return [float(f"{v:.4g}") for v in flat[min(row, len(flat) - 1)].tolist()]


def is_step_underflow(err: BaseException) -> bool:
    """Whether ``err`` is torchdiffeq's adaptive step shrinking to nothing."""
    return isinstance(err, AssertionError) and "underflow in dt" in str(err)


def solver_failure(watch: WatchedField) -> str:
    """One line saying where and why an adaptive solver could not go on."""
    if watch.first_bad is not None:
        t, row, state = watch.first_bad
        return (
            f"the vector field returned NaN or inf at t={t:.4g} for orbit {row} (state {state}); the adaptive "
            "solver cannot step past it: check the vector field there"
        )
    row = 0
    if watch.dy is not None and watch.dy.ndim > 1:
        row = int(watch.dy.reshape(-1, watch.dy.shape[-1]).norm(dim=-1).argmax())
    when = "" if watch.t is None else f" at t={watch.t:.4g}"
    return (
        f"the adaptive solver's step shrank to nothing{when} (orbit {row}, state {_state(watch.y, row)}): the "
        "system is stiff or blowing up there; try a fixed-step method with a small step (--method rk4 --dt ...) "
        "or a looser tolerance, or check the vector field"
    )


__all__ = ["WatchedField", "is_step_underflow", "solver_failure"]
