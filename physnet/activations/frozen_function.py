"""Frozen (interpolated) types over a whole layer as one autograd Function, with hand-written
first and second derivatives, each pass one fused kernel where ``torch.compile`` works.

Why: a frozen type evaluated through plain autograd is a piece search, five gathers and a
Horner chain per type, split and concatenated over the layer's types, a dozen passes over the
layer's pre-activations; a Hamiltonian network trains on the activation's derivative, so every
training step differentiates that graph twice, and the comparison's learned arms took two to
three times as long as the sine arm. Here the layer is one gather from a table holding every
type (each neuron's columns offset by its type) and one Horner chain; the value, the slope
(first derivative, times the incoming gradient) and the second-derivative pass are each one
kernel, compiled into one loop by ``torch.compile`` (about 2.5x faster than the same code
eager; plain tensor code where compiling is unavailable or switched off). The forward pass
gathers once and keeps ``p'`` and ``p''`` as well, so the first and second derivatives are
plain products (the gather is what costs: indirect loads do not vectorise). Passes that must
carry a graph (a third derivative) go through differentiable plain code.

Layout: ``table`` is ``(5, k (G + 1))``: type ``j``'s :attr:`InterpolatedActivation.table`
(rows origin, c0..c3 of ``((c0 u + c1) u + c2) u + c3`` at ``u = x - origin``; columns the left
extension, the ``G - 1`` cells, the right extension) in columns ``j (G + 1) .. j (G + 1) + G``.
The knots must be evenly spaced (as :func:`~physnet.activations.freeze` samples them), so a
piece is found by arithmetic. The table is a constant: no gradient reaches it.

``torch.func`` transforms and ``torch.compile`` tracing of a whole model cannot see through
this Function; :func:`traceable` tells callers to use their plain-autograd path there.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import torch
from torch import Tensor

__all__ = ["compiled_enabled", "frozen_layer", "piece_columns", "set_compiled", "traceable", "use_compiled"]


def piece_columns(x: Tensor, offsets: Tensor, lo: float, inv_step: float, g: int) -> Tensor:
    """Every element's column in the table: its piece in ``[0, G]`` (0 left of the grid, ``G``
    right of it; NaN maps to piece 0 and stays NaN through ``u``) plus its neuron's offset.

    Written for the compiled loop: the clamps are comparisons (``NaN > 0`` is false, so NaN
    lands in piece 0 without an ``isnan`` test, which does not vectorise) and the offset is added
    in floating point (``offsets`` in ``x``'s dtype; exact: columns are far below 2**24) before
    one conversion to an index;
    ``nan_to_num``, ``clamp`` and 64-bit index arithmetic had cost 1.5x the whole kernel."""
    t = ((x.detach() - lo) * inv_step).floor() + 1
    t = torch.where(t > 0, t, 0.0)
    t = torch.where(t < g, t, float(g))
    return (t + offsets).long()


def _gather(x: Tensor, table: Tensor, offsets: Tensor, lo: float, inv_step: float, g: int) -> list[Tensor]:
    """The table's rows at every element's column, each shaped like ``x``. Compiled: indexed row
    by row with element-shaped columns, so the loop keeps the layer's dimensions and reads
    ``offsets`` as a vector (one flattened ``index_select`` read it through a modulo per element:
    1.6x slower). Eager: one ``index_select`` (row by row is 1.8x slower there)."""
    column = piece_columns(x, offsets, lo, inv_step, g)
    if torch.compiler.is_compiling():
        return [row[column] for row in table]
    return list(table.index_select(1, column.reshape(-1)).view(len(table), *x.shape))


def _value(x: Tensor, table: Tensor, offsets: Tensor, lo: float, inv_step: float, g: int) -> Tensor:
    a = _gather(x, table, offsets, lo, inv_step, g)
    u = x - a[0]
    return ((a[1] * u + a[2]) * u + a[3]) * u + a[4]


def _with_derivatives(
    x: Tensor, table: Tensor, offsets: Tensor, lo: float, inv_step: float, g: int
) -> tuple[Tensor, Tensor, Tensor]:
    """``p(u)``, ``p'(u)`` and ``p''(u)`` from one gather: the backward passes then only multiply."""
    a = _gather(x, table, offsets, lo, inv_step, g)
    u = x - a[0]
    value = ((a[1] * u + a[2]) * u + a[3]) * u + a[4]
    slope = (3 * a[1] * u + 2 * a[2]) * u + a[3]
    return value, slope, 6 * a[1] * u + 2 * a[2]


def _slope(x: Tensor, table: Tensor, offsets: Tensor, gy: Tensor, lo: float, inv_step: float, g: int) -> Tensor:
    """``gy p'(u)``."""
    a = _gather(x, table, offsets, lo, inv_step, g)
    u = x - a[0]
    return gy * ((3 * a[1] * u + 2 * a[2]) * u + a[3])


def _second(
    x: Tensor, table: Tensor, offsets: Tensor, gy: Tensor, up: Tensor, lo: float, inv_step: float, g: int
) -> tuple[Tensor, Tensor]:
    """The vector-Jacobian product of :func:`_slope` with cotangent ``up``: gradients with
    respect to ``x`` (``up gy p''(u)``) and ``gy`` (``up p'(u)``)."""
    a = _gather(x, table, offsets, lo, inv_step, g)
    u = x - a[0]
    return up * gy * (6 * a[1] * u + 2 * a[2]), up * ((3 * a[1] * u + 2 * a[2]) * u + a[3])


def _linear_with_slope(
    x: Tensor, table: Tensor, offsets: Tensor, lo: float, inv_step: float, g: int
) -> tuple[Tensor, Tensor]:
    """``p(u)`` and ``p'(u)`` of a piecewise-linear table ``(3, C)`` (rows origin, slope c2,
    value c3): the cubic chain's arithmetic with c0 = c1 = 0 left out, so the same numbers from
    three gathered rows instead of five, and no second derivative (zero) to store."""
    a = _gather(x, table, offsets, lo, inv_step, g)
    return a[1] * (x - a[0]) + a[2], a[1]


def _linear_with_slope_fused(
    x: Tensor, table: Tensor, offsets: Tensor, lo: float, inv_step: float, g: int
) -> tuple[Tensor, Tensor]:
    """:func:`_linear_with_slope` for ``torch.compile``: the slope as a computed output
    (``* 1.0``, exact), so that the compiled loop writes two values per element instead of
    materialising the gather (returning a view of it was 3x slower)."""
    a = _gather(x, table, offsets, lo, inv_step, g)
    return a[1] * (x - a[0]) + a[2], a[1] * 1.0


_EAGER: dict[str, Callable[..., Any]] = {
    "value": _value,
    "slope": _slope,
    "second": _second,
    "with_derivatives": _with_derivatives,
    "linear_with_slope": _linear_with_slope,
}
_compiled: dict[str, Callable[..., Any]] | None = None
_failed = False
#: Whether compiled kernels are used (``set_compiled``; ``PHYSNET_COMPILE=0`` switches them off).
_enabled = os.environ.get("PHYSNET_COMPILE", "1") != "0"


def _fall_back(err: Exception) -> None:
    """From now on plain code, with one warning line naming the compiler's failure."""
    global _failed
    _failed = True
    warnings.warn(
        f"torch.compile unavailable for the frozen types ({type(err).__name__}: "
        f"{(str(err).splitlines() or [''])[0][:120]}); using plain tensor code (slower)",
        RuntimeWarning,
        stacklevel=4,
    )


class _Guarded:
    """A compiled kernel that falls back to its plain version when compiling fails later (a
    new shape or dtype compiled on a full temporary file system, a missing compiler): the
    work goes on, slower, instead of stopping with the compiler's output."""

    def __init__(self, name: str, compiled: Callable[..., Any]) -> None:
        self.name, self.compiled = name, compiled

    def __call__(self, *args: Any) -> Any:
        if not _failed:
            try:
                return self.compiled(*args)
            except Exception as err:  # noqa: BLE001 - any compiler failure means: fall back
                _fall_back(err)
        return _EAGER[self.name](*args)  # a genuine error (bad shapes) raises here as well


def _kernels() -> dict[str, Callable[..., Any]]:
    """The compiled kernels where enabled and available, compiled on first use (one warning
    line where compiling fails, now or later: plain code from then on), else plain code."""
    global _compiled
    if not _enabled or _failed:
        return _EAGER
    if _compiled is None:
        try:
            kernels = {name: torch.compile(fn, dynamic=True) for name, fn in _EAGER.items()}
            kernels["linear_with_slope"] = torch.compile(_linear_with_slope_fused, dynamic=True)
            probe = torch.linspace(-1.0, 1.0, 8)
            kernels["with_derivatives"](probe, torch.zeros(5, 4), torch.zeros(8), -1.0, 1.0, 3)
        except Exception as err:  # noqa: BLE001 - any compiler failure means: fall back
            _fall_back(err)
            return _EAGER
        _compiled = {name: _Guarded(name, kernel) for name, kernel in kernels.items()}
    return _compiled


def set_compiled(enabled: bool) -> None:
    """Use compiled kernels (where ``torch.compile`` works) or plain tensor code for frozen
    types from now on (the same numbers up to float rounding)."""
    global _enabled
    _enabled = bool(enabled)


def compiled_enabled() -> bool:
    """Whether frozen types use compiled kernels where ``torch.compile`` works."""
    return _enabled


@contextmanager
def use_compiled(enabled: bool | None) -> Iterator[None]:
    """Compiled kernels on or off inside the block (None: as they are), restored after."""
    previous = _enabled
    if enabled is not None:
        set_compiled(enabled)
    try:
        yield
    finally:
        set_compiled(previous)


def traceable(x: Tensor) -> bool:
    """Whether ``x`` is being traced by ``torch.compile`` or a ``torch.func`` transform, which
    this Function does not support (the caller then evaluates through plain autograd)."""
    if torch.compiler.is_compiling():
        return True
    return bool(torch._C._functorch.is_functorch_wrapped_tensor(x))


class _FrozenSlope(torch.autograd.Function):
    """``(x, gy) -> gy p'(u)`` from the forward pass's ``p'`` and ``p''`` (constants here),
    differentiable in ``x`` and ``gy`` once more; beyond that (a third derivative) through
    plain differentiable code."""

    @staticmethod
    def forward(ctx, x, gy, slope, curvature, table, offsets, lo, inv_step, g):
        ctx.save_for_backward(x, gy, slope, curvature, table, offsets)
        ctx.grid = (lo, inv_step, g)
        return gy * slope

    @staticmethod
    def backward(ctx, up):
        x, gy, slope, curvature, table, offsets = ctx.saved_tensors
        if torch.is_grad_enabled():  # the result must carry a graph: differentiable code
            dx, dgy = _second(x, table, offsets, gy, up, *ctx.grid)
        else:
            dx, dgy = up * gy * curvature, up * slope
        return dx, dgy, None, None, None, None, None, None, None


class _Frozen(torch.autograd.Function):
    """``x -> p(u)``, keeping ``p'(u)`` and ``p''(u)`` for :class:`_FrozenSlope` (one gather)."""

    @staticmethod
    def forward(ctx, x, table, offsets, lo, inv_step, g, kernels):
        value, slope, curvature = kernels["with_derivatives"](x, table, offsets, lo, inv_step, g)
        ctx.save_for_backward(x, slope, curvature, table, offsets)
        ctx.grid = (lo, inv_step, g)
        return value

    @staticmethod
    def backward(ctx, gy):
        x, slope, curvature, table, offsets = ctx.saved_tensors
        gx = _FrozenSlope.apply(x, gy.contiguous(), slope, curvature, table, offsets, *ctx.grid)
        return gx, None, None, None, None, None, None


class _FrozenLinear(torch.autograd.Function):
    """``x -> p(u)`` of piecewise-linear types, keeping ``p'(u)``: the gradient is ``gy p'``,
    a product autograd differentiates further (``p'`` is constant on each piece: the second
    derivative is zero almost everywhere, as the cubic path's would be for these tables)."""

    @staticmethod
    def forward(ctx, x, table, offsets, lo, inv_step, g, kernels):
        value, slope = kernels["linear_with_slope"](x, table, offsets, lo, inv_step, g)
        ctx.save_for_backward(x, slope)
        return value

    @staticmethod
    def backward(ctx, gy):
        x, slope = ctx.saved_tensors
        if torch.is_grad_enabled():  # a graph for higher derivatives: zero in x, p' in gy
            return _LinearSlope.apply(x, gy, slope), None, None, None, None, None, None
        return gy * slope, None, None, None, None, None, None


class _LinearSlope(torch.autograd.Function):
    """``(x, gy) -> gy p'`` of piecewise-linear types, differentiable again: ``d/dx = 0``
    (``p'`` is constant on each piece), ``d/dgy = p'``."""

    @staticmethod
    def forward(ctx, x, gy, slope):
        ctx.save_for_backward(slope)
        return gy * slope

    @staticmethod
    def backward(ctx, up):
        (slope,) = ctx.saved_tensors
        return torch.zeros_like(up), up * slope, None


def frozen_layer(x: Tensor, table: Tensor, offsets: Tensor, lo: float, inv_step: float, g: int) -> Tensor:
    """Every element's frozen type: ``x`` shaped ``(..., N)``, ``table`` ``(5, k (G + 1))`` in
    ``x``'s dtype (or, for piecewise-linear types, its rows origin, c2, c3: ``(3, k (G + 1))``),
    ``offsets`` ``(N,)`` int64 (neuron ``i``'s type times ``G + 1``), the grid's first knot
    ``lo``, ``1 / step`` and ``G`` -> the shape of ``x``. Differentiable in ``x`` twice through
    hand-written passes, further through autograd."""
    function = _FrozenLinear if table.shape[0] == 3 else _Frozen
    return function.apply(x.contiguous(), table, offsets.to(x.dtype), float(lo), float(inv_step), int(g), _kernels())
