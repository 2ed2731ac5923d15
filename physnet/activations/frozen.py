"""Frozen activation types: interpolated samples of learned ones."""

from __future__ import annotations

from typing import cast

import numpy as np
import torch
from scipy.interpolate import CubicSpline
from torch import Tensor, nn

from physnet.activations.frozen_function import frozen_layer, piece_columns, traceable
from physnet.activations.grid import DEFAULT_GRID, activation_grid
from physnet.activations.learned import LearnedBank
from physnet.activations.slopes import polynomial_with_slope
from physnet.errors import UserError

INTERPOLATION_KINDS = ("linear", "cubic")
#: The rows of a piecewise-linear table that are not zero: origin, slope (c2) and value (c3).
LINEAR_ROWS = [0, 3, 4]


def fused_rows(table: Tensor, kind: str) -> Tensor:
    """The rows of a ``(5, C)`` table the fused Function reads: all of them, or for linear types
    origin, slope and value (:func:`~physnet.activations.frozen_function.frozen_layer`)."""
    return table[LINEAR_ROWS].contiguous() if kind == "linear" else table


class InterpolatedActivation(nn.Module):
    """A frozen activation: piecewise-polynomial interpolation of samples, extended
    linearly outside the grid with the end slopes.

    ``kind="linear"`` is the paper's recipe; it has no second derivative, so a network
    trained on derivatives of its output (a Hamiltonian network trains on dH/dq and
    dH/dp, so its loss gradient needs d2 act / dx2) gets zero curvature almost
    everywhere. ``kind="cubic"`` is a natural cubic spline: second derivative continuous
    and zero at the ends, so the linear extension keeps it C2 on the whole line.

    Args:
        grid: increasing sample points shaped ``(G,)``.
        values: samples shaped ``(G,)``.
    """

    knots: Tensor
    coeffs: Tensor
    end_values: Tensor
    end_slopes: Tensor
    table: Tensor
    fused_table: Tensor

    def __init__(self, grid: Tensor, values: Tensor, kind: str = "linear") -> None:
        super().__init__()
        if kind not in INTERPOLATION_KINDS:
            raise UserError(f"unknown interpolation {kind!r}; valid: {', '.join(INTERPOLATION_KINDS)}")
        x = np.asarray(grid, dtype=np.float64)
        y = np.asarray(values, dtype=np.float64)
        if x.ndim != 1 or y.shape != x.shape or len(x) < 4:
            raise UserError(f"grid and values must be 1-D of equal length >= 4, got {x.shape}, {y.shape}")
        if not (np.diff(x) > 0).all():
            raise UserError("activation grid must be strictly increasing")
        if not np.isfinite(y).all():
            raise UserError("activation values contain NaN or infinite entries")
        self.kind = kind
        if kind == "cubic":
            spline = CubicSpline(x, y, bc_type="natural")
            coeffs = spline.c  # (4, G-1), highest power first, in powers of (x - x_i)
            slopes = spline(x[[0, -1]], 1)
        else:
            slope = np.diff(y) / np.diff(x)
            coeffs = np.stack([np.zeros_like(slope), np.zeros_like(slope), slope, y[:-1]])
            slopes = slope[[0, -1]]
        self.register_buffer("knots", torch.tensor(x))
        self.register_buffer("coeffs", torch.tensor(coeffs))
        self.register_buffer("end_values", torch.tensor(y[[0, -1]]))
        self.register_buffer("end_slopes", torch.tensor(np.asarray(slopes, dtype=np.float64)))
        # One lookup table of G + 1 pieces: the left extension, the G - 1 interior cells, the
        # right extension; column = (piece origin, c0, c1, c2, c3) with value
        # ((c0 dx + c1) dx + c2) dx + c3 at dx = x - origin. Derived from the buffers above.
        table = np.zeros((len(x) + 1, 5))
        table[0] = [x[0], 0.0, 0.0, slopes[0], y[0]]
        table[1:-1, 0], table[1:-1, 1:] = x[:-1], np.asarray(coeffs).T
        table[-1] = [x[-1], 0.0, 0.0, slopes[1], y[-1]]
        self.register_buffer("table", torch.tensor(table.T.copy()), persistent=False)  # (5, G + 1)
        self.register_buffer("fused_table", fused_rows(self.table, kind), persistent=False)
        step = (x[-1] - x[0]) / (len(x) - 1)
        #: Evenly spaced knots (as from ``freeze``): the piece index is arithmetic, no search.
        self.uniform = bool(np.allclose(np.diff(x), step, rtol=1e-9, atol=0.0))
        self._origin, self._inv_step = float(x[0]), float(1.0 / step)  # Python floats: constants to torch.compile
        self._no_offset = torch.zeros((), dtype=torch.long)  # one type: every element's columns as they are

    def piece_index(self, x: Tensor) -> Tensor:
        """Piece (column of :attr:`table`) of each element of ``x`` (0: left of the grid, G: right)."""
        n = len(self.knots)
        if self.uniform:
            t = ((x.detach() - self._origin) * self._inv_step).floor_().add_(1).clamp_(0, n)
            return t.long().clamp_(0, n)  # NaN maps to a valid row; the output stays NaN through dx
        return torch.searchsorted(self.knots.to(x.dtype), x.detach().contiguous(), right=True)

    def forward(self, x: Tensor) -> Tensor:
        if self.uniform and not traceable(x):  # one autograd Function with hand-written derivatives
            table = self.fused_table.to(x.dtype)
            return frozen_layer(x, table, self._no_offset, self._origin, self._inv_step, len(self.knots))
        index = self.piece_index(x).reshape(-1)
        table = self.table.to(x.dtype)
        if self.kind == "linear":  # c0 = c1 = 0: three gathers instead of five, the same arithmetic
            origin, slope, value = (table[r].index_select(0, index).view_as(x) for r in (0, 3, 4))
            return slope * (x - origin) + value
        # one contiguous gather per coefficient: about twice as fast as gathering rows
        origin, c0, c1, c2, c3 = (c.index_select(0, index).view_as(x) for c in table)
        dx = x - origin
        return ((c0 * dx + c1) * dx + c2) * dx + c3

    def value_and_slope(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """The interpolant and its derivative at every element of ``x`` (plain differentiable
        code: the derivative's own derivative is the polynomial's second, zero for linear types)."""
        index = self.piece_index(x).reshape(-1)
        rows = (c.index_select(0, index).view_as(x) for c in self.table.to(x.dtype))
        return polynomial_with_slope(x, *rows)


class FrozenBank(nn.Module):
    """k frozen interpolated activations sampled on one grid.

    Args:
        grid: sample points shaped ``(G,)``.
        values: each type's samples, shaped ``(k, G)``.
        kind: ``"linear"`` or ``"cubic"`` (see :class:`InterpolatedActivation`).
        metadata: provenance carried along (written to activations files and configs).
        initial: each type's samples before meta-learning, shaped ``(k, G)`` (the controls
            ``untrained1``, ``untrained2``), or None where unknown.
    """

    grid: Tensor
    values: Tensor
    layer_table: Tensor
    fused_table: Tensor

    def __init__(
        self,
        grid: Tensor,
        values: Tensor,
        kind: str = "linear",
        metadata: dict | None = None,
        initial: Tensor | None = None,
    ) -> None:
        super().__init__()
        values = torch.as_tensor(values)
        if values.ndim != 2:
            raise UserError(f"values must be shaped (k, G), got {tuple(values.shape)}")
        if initial is not None and tuple(torch.as_tensor(initial).shape) != tuple(values.shape):
            raise UserError(
                f"initial values {tuple(torch.as_tensor(initial).shape)} do not match values {tuple(values.shape)}"
            )
        self.kind = kind
        self.metadata = dict(metadata or {})
        self.initial = None if initial is None else torch.as_tensor(initial, dtype=torch.float64).clone()
        self.register_buffer("grid", torch.as_tensor(grid, dtype=torch.float64).clone())
        self.register_buffer("values", values.to(torch.float64).clone())
        types = [InterpolatedActivation(self.grid, v, kind) for v in self.values]
        self.functions = nn.ModuleList(types)
        #: Every type in one call (:meth:`apply_layer`): the knots are evenly spaced.
        self.fused_layer = all(f.uniform for f in types)
        self._origin, self._inv_step = types[0]._origin, types[0]._inv_step
        table = torch.cat([f.table for f in types], dim=1)  # (5, k (G + 1)): type j's pieces at j (G + 1)
        self.register_buffer("layer_table", table, persistent=False)
        self.register_buffer("fused_table", fused_rows(table, kind), persistent=False)

    @property
    def k(self) -> int:
        return len(self.functions)

    def apply_type(self, j: int, x: Tensor) -> Tensor:
        return self.functions[j](x)

    def apply_layer(self, x: Tensor, assignment: Tensor) -> Tensor:
        """Every neuron's type at once (``x`` ``(..., N)``, ``assignment`` ``(N,)``): one
        :func:`~physnet.activations.frozen_function.frozen_layer` call (evenly spaced knots only;
        not under ``torch.compile`` or ``torch.func``, see ``frozen_function.traceable``)."""
        offsets = assignment.to(device=x.device, dtype=torch.long) * (len(self.grid) + 1)
        return frozen_layer(x, self.fused_table.to(x.dtype), offsets, self._origin, self._inv_step, len(self.grid))

    def value_and_slope_type(self, j: int, x: Tensor) -> tuple[Tensor, Tensor]:
        """Type ``j``'s value and derivative at every element of ``x``."""
        return cast(InterpolatedActivation, self.functions[j]).value_and_slope(x)

    def value_and_slope_layer(self, x: Tensor, assignment: Tensor) -> tuple[Tensor, Tensor] | None:
        """Every neuron's type's value and derivative (``x`` ``(..., N)``, ``assignment``
        ``(N,)``) from one gather of the layer's table; None where the knots are not evenly
        spaced (the caller goes type by type)."""
        if not self.fused_layer:
            return None
        offsets = (assignment.to(device=x.device) * (len(self.grid) + 1)).to(x.dtype)
        column = piece_columns(x, offsets, self._origin, self._inv_step, len(self.grid)).reshape(-1)
        rows = self.layer_table.to(x.dtype).index_select(1, column).view(5, *x.shape)
        return polynomial_with_slope(x, *rows)

    def select(self, types: list[int]) -> FrozenBank:
        """A bank with only the given types (e.g. ``[0]`` for a type-1-only network)."""
        initial = None if self.initial is None else self.initial[types]
        return FrozenBank(self.grid, self.values[types], self.kind, {**self.metadata, "selected_types": types}, initial)

    def untrained(self) -> FrozenBank:
        """The types as they were before meta-learning (same grid and interpolation).

        Raises:
            ValueError: the bank does not know them (an activations file from before they were kept).
        """
        if self.initial is None:
            raise UserError(
                "these activations do not record the types before meta-learning (an older "
                "activations file); rerun `physnet meta` to get the untrained controls"
            )
        return FrozenBank(self.grid, self.initial, self.kind, {**self.metadata, "untrained": True})

    def describe(self) -> dict:
        return {"kind": "frozen", "interpolation": self.kind, "k": self.k, **{"provenance": self.metadata}}


def freeze(
    bank: LearnedBank,
    kind: str,
    grid: Tensor | None = None,
    metadata: dict | None = None,
    initial: Tensor | None = None,
) -> FrozenBank:
    """Sample a learned bank on ``grid`` (default: the paper's 100 points on [-10, 10])
    and return the frozen, interpolated bank (``initial``: the samples before meta-learning,
    ``(k, G)``, kept for the untrained controls)."""
    grid = activation_grid(*DEFAULT_GRID) if grid is None else grid
    return FrozenBank(grid, bank.sample(grid).to(torch.float64), kind, metadata, initial)
