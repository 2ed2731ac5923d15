"""A function of one variable from its values and exact slopes on G even knots: piecewise
cubic Hermite interpolation inside ``[lo, hi]``, linear extension with the end slopes
outside (as the frozen types).

Why: a learned type is a function of one variable, yet evaluating its sub-network directly
costs ``points x W`` hidden units per call (MNIST-1D at the reference's settings: 200 x 200
pre-activations x 50 units, twice per inner step and again on the way back). On knots the
sub-network runs on ``G x W`` units only; each element costs one gather of a coefficient row
and a Horner evaluation. Gradients reach the sub-network's weights through the knot values
and slopes (the table is a differentiable function of them), and derivatives with respect to
``x`` are the polynomial's own: C1 across knots, with a piecewise-linear second derivative -
what a Hamiltonian network's training (which differentiates the activation) and its unrolled
meta-gradient (once more) need.

Accuracy (exact slopes, spacing ``h``): the value's error is O(h^4 max|f''''|), the first
derivative's O(h^3), the second's O(h^2); in float32 the second derivative also carries
rounding of order ``eps * max|f| / h^2``, which is why finer grids than about 512 knots stop
helping there.
"""

from __future__ import annotations

import torch
from torch import Tensor

DEFAULT_KNOTS = 256


def hermite_table(lo: float, hi: float, values: Tensor, slopes: Tensor) -> Tensor:
    """The coefficient table of the interpolant of ``values`` and ``slopes`` (each ``(G,)``)
    on G even knots over ``[lo, hi]``: shaped ``(5, G + 1)``, rows ``origin, a0, a1, a2, a3``
    with value ``a0 + a1 u + a2 u^2 + a3 u^3`` at ``u = x - origin``; column 0 is the left
    extension, columns 1..G-1 the cells, column G the right extension. Differentiable in
    ``values`` and ``slopes``."""
    g = values.shape[-1]
    h = (hi - lo) / (g - 1)
    f0, f1, d0, d1 = values[:-1], values[1:], slopes[:-1], slopes[1:]
    secant = (f1 - f0) / h
    a2 = (3 * secant - 2 * d0 - d1) / h
    a3 = (d0 + d1 - 2 * secant) / (h * h)
    zero = values.new_zeros(1)
    knots = torch.linspace(lo, hi, g, dtype=values.dtype, device=values.device)
    origin = torch.cat([knots[:1], knots[:-1], knots[-1:]])
    a0 = torch.cat([values[:1], f0, values[-1:]])
    a1 = torch.cat([slopes[:1], d0, slopes[-1:]])
    return torch.stack([origin, a0, a1, torch.cat([zero, a2, zero]), torch.cat([zero, a3, zero])])


def piece_index(x: Tensor, lo: float, hi: float, g: int) -> Tensor:
    """Column of :func:`hermite_table` for each element of ``x`` (0 left of ``lo``, G right of ``hi``)."""
    inv_h = (g - 1) / (hi - lo)
    t = ((x.detach() - lo) * inv_h).floor_().add_(1).clamp_(0, g)
    return t.long().clamp_(0, g)  # NaN maps to a valid column; the output stays NaN through u


def evaluate_table(x: Tensor, table: Tensor, lo: float, hi: float) -> Tensor:
    """The interpolant with coefficient ``table`` (``(5, G + 1)``) at every element of ``x``."""
    g = table.shape[1] - 1
    index = piece_index(x, lo, hi, g).reshape(-1)
    origin, a0, a1, a2, a3 = (row.index_select(0, index).view_as(x) for row in table)
    u = x - origin
    return ((a3 * u + a2) * u + a1) * u + a0


__all__ = ["DEFAULT_KNOTS", "evaluate_table", "hermite_table", "piece_index"]
