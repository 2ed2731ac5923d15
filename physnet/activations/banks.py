"""Activation banks: k elementwise functions, one per neuron type.

A bank is an ``nn.Module`` with ``k`` and ``apply_type(j, x)``, which applies type ``j``'s
function to every entry of ``x`` at once (any shape). Three kinds: fixed named functions,
learned sub-networks (meta-learned), and frozen interpolated functions.
"""

from __future__ import annotations


import numpy as np
import torch
from scipy.interpolate import CubicSpline
from torch import Tensor, nn

from physnet.activations.fixed import get_activation

#: The paper's sampling recipe for freezing: 100 points on [-10, 10].
DEFAULT_GRID = (-10.0, 10.0, 100)
INTERPOLATION_KINDS = ("linear", "cubic")


def activation_grid(lo: float = -10.0, hi: float = 10.0, n: int = 100, *, dtype=torch.float64) -> Tensor:
    """Sample points shaped ``(n,)``, evenly spaced on ``[lo, hi]``."""
    if not (hi > lo and n >= 4):
        raise ValueError(f"activation grid needs hi > lo and at least 4 points, got ({lo}, {hi}, {n})")
    return torch.linspace(lo, hi, n, dtype=dtype)


class FixedBank(nn.Module):
    """k named fixed functions (e.g. ``["sin"]`` for a homogeneous sine layer)."""

    def __init__(self, names: list[str]) -> None:
        super().__init__()
        if not names:
            raise ValueError("a bank needs at least one activation")
        self.names = list(names)
        self._fns = [get_activation(n) for n in names]

    @property
    def k(self) -> int:
        return len(self.names)

    def apply_type(self, j: int, x: Tensor) -> Tensor:
        return self._fns[j](x)

    def describe(self) -> dict:
        return {"kind": "fixed", "names": self.names}


class LearnedBank(nn.Module):
    """k learned activations ``f_j(x) = base(x) + sum_w a_jw tanh(w_jw x + b_jw) + c_j``:
    1-W-1 sub-networks (W = ``width``) on top of a base function.

    The output layer ``(a, c)`` starts at zero, so at step 0 every type *is* the base
    function; the hidden layer ``(w, b)`` is drawn independently for each type, so the
    types' gradients differ from the first step and they do not evolve identically
    (the JAX reference started all types from one key). All types are stored in
    stacked parameters shaped ``(k, W)``; type ``j`` is evaluated on all its neurons in
    one broadcast call.

    Args:
        k: number of types.
        base: name of the base function (sin, identity, ramp/relu, sigmoid, zero, ...).
        width: sub-network width W (the paper's 50).
        generator: randomness for the hidden layers (required for reproducibility).
        hidden_scale: hidden weights and biases are uniform in
            ``[-hidden_scale, hidden_scale]``, so that the tanh features bend on the
            scale of typical pre-activations.
    """

    def __init__(
        self,
        k: int = 2,
        base: str = "sin",
        width: int = 50,
        *,
        generator: torch.Generator,
        hidden_scale: float = 1.0,
        dtype: torch.dtype = torch.float32,
        device: str | torch.device = "cpu",
    ) -> None:
        super().__init__()
        check_k(k)
        if width < 1:
            raise ValueError(f"sub-network width must be >= 1, got {width}")
        self.base = base
        self._base_fn = get_activation(base)
        self.width = width
        u = lambda: (2 * torch.rand(k, width, generator=generator, dtype=torch.float64) - 1) * hidden_scale  # noqa: E731
        self.w_in = nn.Parameter(u().to(dtype=dtype, device=device))
        self.b_in = nn.Parameter(u().to(dtype=dtype, device=device))
        self.w_out = nn.Parameter(torch.zeros(k, width, dtype=dtype, device=device))
        self.b_out = nn.Parameter(torch.zeros(k, dtype=dtype, device=device))

    @property
    def k(self) -> int:
        return self.w_in.shape[0]

    def apply_type(self, j: int, x: Tensor) -> Tensor:
        hidden = torch.tanh(x.unsqueeze(-1) * self.w_in[j] + self.b_in[j])  # (..., W)
        return self._base_fn(x) + hidden @ self.w_out[j] + self.b_out[j]

    def sample(self, grid: Tensor) -> Tensor:
        """Every type's values on ``grid`` (``(G,)``), shaped ``(k, G)``, detached."""
        with torch.no_grad():
            g = grid.to(dtype=self.w_in.dtype, device=self.w_in.device)
            return torch.stack([self.apply_type(j, g) for j in range(self.k)]).detach()

    def describe(self) -> dict:
        return {"kind": "learned", "base": self.base, "k": self.k, "width": self.width}


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

    def __init__(self, grid: Tensor, values: Tensor, kind: str = "linear") -> None:
        super().__init__()
        if kind not in INTERPOLATION_KINDS:
            raise ValueError(f"unknown interpolation {kind!r}; valid: {', '.join(INTERPOLATION_KINDS)}")
        x = np.asarray(grid, dtype=np.float64)
        y = np.asarray(values, dtype=np.float64)
        if x.ndim != 1 or y.shape != x.shape or len(x) < 4:
            raise ValueError(f"grid and values must be 1-D of equal length >= 4, got {x.shape}, {y.shape}")
        if not (np.diff(x) > 0).all():
            raise ValueError("activation grid must be strictly increasing")
        if not np.isfinite(y).all():
            raise ValueError("activation values contain NaN or infinite entries")
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

    def forward(self, x: Tensor) -> Tensor:
        knots = self.knots.to(x.dtype)
        c = self.coeffs.to(x.dtype)
        i = torch.searchsorted(knots, x.detach().contiguous(), right=True).clamp(1, len(knots) - 1) - 1
        dx = x - knots[i]
        inside = ((c[0][i] * dx + c[1][i]) * dx + c[2][i]) * dx + c[3][i]
        ends, slopes = self.end_values.to(x.dtype), self.end_slopes.to(x.dtype)
        left = ends[0] + slopes[0] * (x - knots[0])
        right = ends[1] + slopes[1] * (x - knots[-1])
        return torch.where(x < knots[0], left, torch.where(x > knots[-1], right, inside))


class FrozenBank(nn.Module):
    """k frozen interpolated activations sampled on one grid.

    Args:
        grid: sample points shaped ``(G,)``.
        values: each type's samples, shaped ``(k, G)``.
        kind: ``"linear"`` or ``"cubic"`` (see :class:`InterpolatedActivation`).
        metadata: provenance carried along (written to activations files and configs).
    """

    def __init__(self, grid: Tensor, values: Tensor, kind: str = "linear", metadata: dict | None = None) -> None:
        super().__init__()
        values = torch.as_tensor(values)
        if values.ndim != 2:
            raise ValueError(f"values must be shaped (k, G), got {tuple(values.shape)}")
        self.kind = kind
        self.metadata = dict(metadata or {})
        self.register_buffer("grid", torch.as_tensor(grid, dtype=torch.float64).clone())
        self.register_buffer("values", values.to(torch.float64).clone())
        self.functions = nn.ModuleList(InterpolatedActivation(self.grid, v, kind) for v in self.values)

    @property
    def k(self) -> int:
        return len(self.functions)

    def apply_type(self, j: int, x: Tensor) -> Tensor:
        return self.functions[j](x)

    def select(self, types: list[int]) -> "FrozenBank":
        """A bank with only the given types (e.g. ``[0]`` for a type-1-only network)."""
        return FrozenBank(self.grid, self.values[types], self.kind, {**self.metadata, "selected_types": types})

    def describe(self) -> dict:
        return {"kind": "frozen", "interpolation": self.kind, "k": self.k, **{"provenance": self.metadata}}


def freeze(bank: LearnedBank, kind: str, grid: Tensor | None = None, metadata: dict | None = None) -> FrozenBank:
    """Sample a learned bank on ``grid`` (default: the paper's 100 points on [-10, 10])
    and return the frozen, interpolated bank."""
    grid = activation_grid(*DEFAULT_GRID) if grid is None else grid
    return FrozenBank(grid, bank.sample(grid).to(torch.float64), kind, metadata)


def check_k(k: int) -> None:
    if not isinstance(k, int) or k < 1:
        raise ValueError(f"number of neuron types k must be a positive integer, got {k!r}")


__all__ = [
    "DEFAULT_GRID",
    "FixedBank",
    "FrozenBank",
    "INTERPOLATION_KINDS",
    "InterpolatedActivation",
    "LearnedBank",
    "activation_grid",
    "check_k",
    "freeze",
]
