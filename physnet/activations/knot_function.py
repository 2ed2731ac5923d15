"""Several types' knot interpolants over a whole layer as one autograd Function, with
hand-written first and second derivatives.

Why: evaluating a layer type by type through plain autograd (:func:`~physnet.activations.knots.
evaluate_table`) splits the pre-activations, gathers five table rows per type, runs a Horner
chain of six elementwise operations and concatenates the types again; an unrolled
meta-gradient then differentiates that graph twice per inner step (a Hamiltonian network's
three times), so the inner loop is dominated by autograd's small-operation overhead. Here a
whole layer is one gather from a table holding every type (each neuron's column offset by
its type) and one Horner chain, and each derivative is one Function whose backward is
written out: the slope ``p'(u)`` for the inner gradient, and ``p''(u)`` with the
coefficient gradients for the meta-gradient.

Layout: the coefficient table is ``(4, k (G + 1))``: rows ``a0..a3`` of
:func:`~physnet.activations.knots.hermite_table`, type ``j``'s columns at
``j (G + 1) .. j (G + 1) + G``. The cell origins are not read from the table: they are
``lo + h max(0, min(c - 1, G - 1))`` for column ``c`` (the knots), computed per element.

The second-derivative pass (``_InterpolantGrad.backward``) is written with differentiable
operations, so a Hamiltonian network's unrolled meta-gradient (a third derivative of the
interpolant) still goes through autograd.
"""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = ["interpolate_layer", "knot_origin_and_column", "stacked_coefficients"]


def stacked_coefficients(tables: list[Tensor]) -> Tensor:
    """The ``(4, k (G + 1))`` table of :func:`interpolate_layer` from ``k`` tables of
    :func:`~physnet.activations.knots.hermite_table` (each ``(5, G + 1)``; the origin row is dropped)."""
    return torch.stack([t[1:] for t in tables], dim=1).reshape(4, -1)


def knot_origin_and_column(x: Tensor, lo: float, hi: float, g: int) -> tuple[Tensor, Tensor]:
    """For every element of ``x``: the origin of its cubic piece (shaped like ``x``; NaN
    where ``x`` is) and its column in one type's table (int64, in ``[0, G]``: 0 left of
    ``lo``, G right of ``hi``). Not differentiable (the pieces are fixed)."""
    h = (hi - lo) / (g - 1)
    col = ((x.detach() - lo) * (1.0 / h)).floor_().add_(1).clamp_(0, g)
    origin = (col - 1).clamp_(0, g - 1).mul_(h).add_(lo)  # column G (right extension) starts at hi
    return origin, col.long().clamp_(0, g)  # NaN maps to a valid column; the output stays NaN through u


def _gather(table: Tensor, index: Tensor, shape: torch.Size) -> Tensor:
    """Rows of ``table`` (``(4, K)``) at the flat ``index`` -> ``(4, *shape)``."""
    return table.index_select(1, index).view(4, *shape)


def _value(a: Tensor, u: Tensor) -> Tensor:
    return torch.addcmul(a[0], torch.addcmul(a[1], torch.addcmul(a[2], a[3], u), u), u)


def _slope(a: Tensor, u: Tensor) -> Tensor:
    return torch.addcmul(a[1], torch.addcmul(2 * a[2], a[3], u, value=3), u)


def _curvature(a: Tensor, u: Tensor) -> Tensor:
    return torch.addcmul(2 * a[2], a[3], u, value=6)


def _scatter(rows: list[Tensor], index: Tensor, columns: int) -> Tensor:
    """The sums of each row of ``rows`` (4 tensors shaped like ``x``) per table column, ``(4, columns)``."""
    src = torch.stack([r.reshape(-1) for r in rows])
    return src.new_zeros(4, columns).index_add(1, index, src)


def _engine_needs(tensor: Tensor) -> bool:
    """Inside a backward pass: whether the gradient with respect to ``tensor`` will be used
    (an inner step differentiates with respect to the network weights only, so a type
    table's gradient would be computed and dropped)."""
    try:
        node = torch.autograd.graph.get_gradient_edge(tensor).node
        return bool(torch._C._will_engine_execute_node(node))
    except (RuntimeError, AttributeError):  # outside the engine, or an older torch: compute it
        return True


class _InterpolantGrad(torch.autograd.Function):
    """``(x, table, gy) -> (gy p'(u), d<gy, p(u)>/d table)``, differentiable once more.
    ``a`` is the table gathered at ``index`` (from the forward pass; a constant here)."""

    @staticmethod
    def forward(ctx, x, table, gy, index, origin, a, want_table):
        ctx.save_for_backward(x, table, gy, index, origin, a)
        u = x - origin
        gx = gy * _slope(a, u)
        if not want_table:
            return gx, None
        gyu = gy * u
        gyu2 = gyu * u
        return gx, _scatter([gy, gyu, gyu2, gyu2 * u], index, table.shape[1])

    @staticmethod
    def backward(ctx, ux, ut):
        x, table, gy, index, origin, a = ctx.saved_tensors
        higher = torch.is_grad_enabled()  # a Hamiltonian network's meta-gradient: one more derivative
        u = x - origin  # a function of x again where a higher derivative follows
        dx = dgy = dtable = None
        if ux is not None:
            if higher:
                a = _gather(table, index, x.shape)
            dgy = ux * _slope(a, u)
            gyux = gy * ux
            dx = gyux * _curvature(a, u)
            if ctx.needs_input_grad[1] and _engine_needs(table):
                gyuxu = gyux * u
                dtable = _scatter([torch.zeros_like(gyux), gyux, 2 * gyuxu, 3 * gyuxu * u], index, table.shape[1])
        if ut is not None:
            q = _gather(ut, index, x.shape)
            dgy = _value(q, u) if dgy is None else dgy + _value(q, u)
            dxq = gy * _slope(q, u)
            dx = dxq if dx is None else dx + dxq
        return dx, dtable, dgy, None, None, None, None


class _Interpolant(torch.autograd.Function):
    """``(x, table) -> p(u)``; its backward is :class:`_InterpolantGrad`."""

    @staticmethod
    def forward(ctx, x, table, index, origin):
        a = _gather(table, index, x.shape)
        ctx.save_for_backward(x, table, index, origin, a)
        return _value(a, x - origin)

    @staticmethod
    def backward(ctx, gy):
        x, table, index, origin, a = ctx.saved_tensors
        want_table = ctx.needs_input_grad[1] and _engine_needs(table)
        gx, gtable = _InterpolantGrad.apply(x, table, gy.contiguous(), index, origin, a, want_table)
        return gx, gtable, None, None


def interpolate_layer(x: Tensor, table: Tensor, offsets: Tensor, knots: tuple[float, float, int]) -> Tensor:
    """Each element's type interpolant: ``x`` shaped ``(..., N)``, ``table`` ``(4, k (G + 1))``
    (:func:`stacked_coefficients`), ``offsets`` ``(N,)`` int64 (neuron ``i``'s type times
    ``G + 1``), ``knots`` ``(lo, hi, G)`` -> the shape of ``x``. Differentiable in ``x`` and
    ``table`` twice through hand-written passes, further through autograd."""
    lo, hi, g = knots
    x = x.contiguous()
    origin, column = knot_origin_and_column(x, lo, hi, g)
    index = (column + offsets).reshape(-1)
    return _Interpolant.apply(x, table, index, origin)
