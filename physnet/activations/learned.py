"""Learned activation types: 1-W-1 sub-networks on top of a base function."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import Tensor, nn

from physnet.activations.fixed import get_activation
from physnet.activations.fused_subnet import fused_residual
from physnet.activations.grid import check_k
from physnet.activations.knot_function import interpolate_layer, knot_origin_and_column, stacked_coefficients
from physnet.activations.knots import DEFAULT_KNOTS, hermite_table
from physnet.activations.slopes import polynomial_with_slope, slope_of
from physnet.errors import UserError

#: Hidden nonlinearities of the sub-networks: the paper's PyTorch code used tanh, its JAX code
#: (equinox's MLP default) relu.
SUB_ACTIVATIONS = {"tanh": torch.tanh, "relu": torch.relu}
#: ``zero``: the output layer starts at zero, so every type starts as its base function;
#: ``default``: the frameworks' default (PyTorch's and equinox's Linear): every weight and bias
#: uniform in +-1/sqrt(fan_in), so each type starts as its base plus a random bump.
SUBNET_INITS = ("zero", "default")
#: How a type is evaluated on its inputs: the sub-network at every element (``direct``), or at
#: G knots with cubic Hermite interpolation between them (``knots``, :mod:`physnet.activations.knots`).
SUBNET_EVALS = ("direct", "knots")


def default_subnet_init(base: str) -> str:
    """``zero`` unless the base is the zero function: a zero base with a zero output layer
    is the zero function with zero slope, and nothing in the network would ever move."""
    return "default" if base == "zero" else "zero"


def check_knots(subnet_eval: str, knots: tuple[float, float, int]) -> None:
    """Raise ValueError naming the evaluation option that is not valid."""
    if subnet_eval not in SUBNET_EVALS:
        raise UserError(f"unknown sub-network evaluation {subnet_eval!r}; valid: {', '.join(SUBNET_EVALS)}")
    lo, hi, g = knots
    if not (hi > lo and int(g) == g and g >= 4):
        raise UserError(f"knots need hi > lo and at least 4 of them, got ({lo}, {hi}, {g})")


def check_subnet(sub_activation: str, init: str, residual_scale: float) -> None:
    """Raise ValueError naming the sub-network option that is not valid."""
    if sub_activation not in SUB_ACTIVATIONS:
        raise UserError(f"unknown sub-network activation {sub_activation!r}; valid: {', '.join(SUB_ACTIVATIONS)}")
    if init not in SUBNET_INITS:
        raise UserError(f"unknown sub-network init {init!r}; valid: {', '.join(SUBNET_INITS)}")
    if not (math.isfinite(residual_scale) and residual_scale > 0):
        raise UserError(f"residual scale must be a positive number, got {residual_scale}")


class LearnedBank(nn.Module):
    """k learned activations ``f_j(x) = base(x) + s (sum_w a_jw h(w_jw x + b_jw) + c_j)``:
    1-W-1 sub-networks (W = ``width``, hidden nonlinearity ``h``: tanh or relu) on top of a
    base function, scaled by the residual scale ``s`` (the paper's PyTorch code: 0.2).

    With ``init="zero"`` the output layer ``(a, c)`` starts at zero, so at step 0 every type
    *is* the base function; with ``init="default"`` it starts as the frameworks' default
    draw. The hidden layer ``(w, b)`` is drawn independently for each type, so the types'
    gradients differ from the first step and they do not evolve identically (the JAX
    reference started all types from one key). All types are stored in stacked parameters
    shaped ``(k, W)``; type ``j`` is evaluated on all its neurons in one broadcast call.

    With ``fused = True`` the sub-networks run as one autograd Function with hand-written
    derivatives (:mod:`physnet.activations.fused_subnet`): the same function and gradients
    (to rounding), far less memory per differentiated step, and faster where its kernels
    are compiled (``compiled = True``; None follows ``fused_subnet.set_compiled``).

    Args:
        k: number of types.
        base: name of the base function (sin, identity, ramp/relu, sigmoid, zero, ...).
        width: sub-network width W (the paper's 50).
        generator: randomness for the hidden layers (required for reproducibility).
        sub_activation: ``tanh`` or ``relu``.
        init: ``zero`` or ``default`` (see :data:`SUBNET_INITS`; meta-learning picks
            :func:`default_subnet_init` unless told).
        residual_scale: ``s`` above.
        subnet_eval: ``direct`` (the sub-network at every element) or ``knots`` (at ``knots[2]``
            even knots on ``[knots[0], knots[1]]``, cubic Hermite between them with the
            sub-network's exact slopes, linear with the end slopes outside).
        hidden_scale: hidden weights and biases are uniform in
            ``[-hidden_scale, hidden_scale]`` (1 is the frameworks' default for a layer of
            one input), so that the features bend on the scale of typical pre-activations.
    """

    def __init__(
        self,
        k: int = 2,
        base: str = "sin",
        width: int = 50,
        *,
        generator: torch.Generator,
        sub_activation: str = "tanh",
        init: str = "zero",
        residual_scale: float = 1.0,
        subnet_eval: str = "direct",
        knots: tuple[float, float, int] = (-10.0, 10.0, DEFAULT_KNOTS),
        hidden_scale: float = 1.0,
        dtype: torch.dtype = torch.float32,
        device: str | torch.device = "cpu",
    ) -> None:
        super().__init__()
        check_k(k)
        if width < 1:
            raise UserError(f"sub-network width must be >= 1, got {width}")
        check_subnet(sub_activation, init, residual_scale)
        check_knots(subnet_eval, knots)
        self.subnet_eval, self.knots = subnet_eval, (float(knots[0]), float(knots[1]), int(knots[2]))
        self.base = base
        self._base_fn = get_activation(base)
        self.width = width
        self.sub_activation, self.init, self.residual_scale = sub_activation, init, float(residual_scale)
        self._hidden_fn = SUB_ACTIVATIONS[sub_activation]

        def uniform(shape: tuple[int, ...], bound: float) -> Tensor:
            drawn = (2 * torch.rand(shape, generator=generator, dtype=torch.float64) - 1) * bound
            return drawn.to(dtype=dtype, device=device)

        self.w_in = nn.Parameter(uniform((k, width), hidden_scale))
        self.b_in = nn.Parameter(uniform((k, width), hidden_scale))
        if init == "default":
            self.w_out = nn.Parameter(uniform((k, width), 1 / math.sqrt(width)))
            self.b_out = nn.Parameter(uniform((k,), 1 / math.sqrt(width)))
        else:
            self.w_out = nn.Parameter(torch.zeros(k, width, dtype=dtype, device=device))
            self.b_out = nn.Parameter(torch.zeros(k, dtype=dtype, device=device))
        self.fused = False
        self.compiled: bool | None = None  # fused only: compiled kernels (None: fused_subnet's default)
        self._tables: dict[int, Tensor] | None = None  # knot tables shared within reuse_knot_tables()

    @property
    def k(self) -> int:
        return self.w_in.shape[0]

    def apply_type(self, j: int, x: Tensor) -> Tensor:
        """Type ``j``'s function elementwise on ``x`` (any shape)."""
        if self.subnet_eval == "knots":
            offset = torch.tensor(j * (self.knots[2] + 1), device=x.device)
            return self._base_fn(x) + interpolate_layer(x, self.knot_tables(), offset, self.knots)
        if self.fused:
            if self.sub_activation != "tanh":
                raise UserError("the fused sub-network kernels (compile) support tanh sub-networks only")
            residual = fused_residual(x, self.w_in[j], self.b_in[j], self.w_out[j], compiled=self.compiled)
        else:
            residual = self._hidden_fn(x.unsqueeze(-1) * self.w_in[j] + self.b_in[j]) @ self.w_out[j]  # via (..., W)
        if self.residual_scale == 1.0:
            return self._base_fn(x) + residual + self.b_out[j]
        return self._base_fn(x) + self.residual_scale * (residual + self.b_out[j])

    def apply_layer(self, x: Tensor, assignment: Tensor) -> Tensor:
        """Neuron ``i``'s type ``assignment[i]`` on ``x`` shaped ``(..., N)`` in one call (knots
        only: one gather from the table of every type, :mod:`physnet.activations.knot_function`)."""
        if self.subnet_eval != "knots":
            raise UserError("apply_layer evaluates types on knots only; use apply_type per type")
        table = self.knot_tables()
        offsets = assignment * (self.knots[2] + 1)
        return self._base_fn(x) + interpolate_layer(x, table, offsets, self.knots)

    def value_and_slope_type(self, j: int, x: Tensor) -> tuple[Tensor, Tensor]:
        """Type ``j``'s value and derivative at every element of ``x`` (any shape), differentiable
        in ``x`` and the weights: ``base'(x) + s sum_w a_w w h'(w x + b)``, or on knots the
        interpolant's derivative."""
        if self.subnet_eval == "knots":
            offsets = torch.full((x.shape[-1],), j * (self.knots[2] + 1), device=x.device, dtype=torch.long)
            return self._knots_value_and_slope(x, offsets)
        residual, slope = self._subnet_with_slope(j, x)
        return self._base_fn(x) + residual, slope_of(self.base)(x) + slope

    def value_and_slope_layer(self, x: Tensor, assignment: Tensor) -> tuple[Tensor, Tensor] | None:
        """Every neuron's type's value and derivative in one gather (knots only; None otherwise)."""
        if self.subnet_eval != "knots":
            return None
        return self._knots_value_and_slope(x, assignment.to(x.device) * (self.knots[2] + 1))

    def _knots_value_and_slope(self, x: Tensor, offsets: Tensor) -> tuple[Tensor, Tensor]:
        lo, hi, g = self.knots
        origin, column = knot_origin_and_column(x, lo, hi, g)
        a = self.knot_tables().index_select(1, (column + offsets).reshape(-1)).view(4, *x.shape)
        value, slope = polynomial_with_slope(x, origin, a[3], a[2], a[1], a[0])  # a0 + a1 u + a2 u^2 + a3 u^3
        return self._base_fn(x) + value, slope_of(self.base)(x) + slope

    def knot_tables(self) -> Tensor:
        """Every type's table stacked, ``(4, k (G + 1))`` (:func:`~physnet.activations.
        knot_function.stacked_coefficients`), shared within :meth:`reuse_knot_tables`."""
        cached = None if self._tables is None else self._tables.get(-1)
        if cached is not None and (cached.requires_grad or not torch.is_grad_enabled()):
            return cached
        table = stacked_coefficients([self.knot_table(j) for j in range(self.k)])
        if self._tables is not None:
            self._tables[-1] = table
        return table

    def gradient_targets(self) -> list[Tensor]:
        """What a meta-gradient is taken with respect to first: on knots, within
        :meth:`reuse_knot_tables`, the shared table of every type (its gradient summed over
        the inner steps, then carried to the weights once by :meth:`to_weight_gradients`
        instead of once per inner step); otherwise the parameters themselves."""
        if self.subnet_eval == "knots" and self._tables is not None:
            return [self.knot_tables()]
        return list(self.parameters())

    def to_weight_gradients(self, targets: list[Tensor], grads: list[Tensor]) -> list[Tensor]:
        """The gradients with respect to the parameters from those with respect to
        :meth:`gradient_targets` (one pass through the tables' construction)."""
        params = list(self.parameters())
        if len(targets) == len(params) and all(t is p for t, p in zip(targets, params, strict=True)):
            return grads
        found = torch.autograd.grad(targets, params, grad_outputs=grads, allow_unused=True)
        return [torch.zeros_like(p) if g is None else g for p, g in zip(params, found, strict=True)]

    @contextmanager
    def reuse_knot_tables(self) -> Iterator[None]:
        """Within the block each type's knot table is built once and shared by every call
        (the weights do not change inside an inner loop): one small graph to the weights
        instead of one per inner step; gradients through the shared table add up."""
        self._tables = {}
        try:
            yield
        finally:
            self._tables = None

    def knot_table(self, j: int) -> Tensor:
        """The Hermite table (:func:`~physnet.activations.knots.hermite_table`) of type ``j``'s
        sub-network part ``s (sum_w a h(w x + b) + c)`` on its knots, differentiable in the weights."""
        cached = None if self._tables is None else self._tables.get(j)
        if cached is not None and (cached.requires_grad or not torch.is_grad_enabled()):
            return cached
        table = self._knot_table(j)
        if self._tables is not None:
            self._tables[j] = table
        return table

    def _knot_table(self, j: int) -> Tensor:
        lo, hi, g = self.knots
        x = torch.linspace(lo, hi, g, dtype=self.w_in.dtype, device=self.w_in.device)
        return hermite_table(lo, hi, *self._subnet_with_slope(j, x))

    def _subnet_with_slope(self, j: int, x: Tensor) -> tuple[Tensor, Tensor]:
        """Type ``j``'s sub-network part ``s (sum_w a_w h(w_w x + b_w) + c)`` and its derivative
        ``s sum_w a_w w_w h'(w_w x + b_w)`` at every element of ``x`` (any shape), differentiable
        in ``x`` and the weights."""
        w, b, a = self.w_in[j], self.b_in[j], self.w_out[j]
        z = x.unsqueeze(-1) * w + b  # (..., W)
        if self.sub_activation == "tanh":
            hidden = torch.tanh(z)
            slope_units = 1 - hidden * hidden
        else:
            hidden = torch.relu(z)
            slope_units = (z > 0).to(z.dtype)
        return self.residual_scale * (hidden @ a + self.b_out[j]), self.residual_scale * (slope_units @ (a * w))

    def sample(self, grid: Tensor) -> Tensor:
        """Every type's values on ``grid`` (``(G,)``), shaped ``(k, G)``, detached."""
        with torch.no_grad():
            g = grid.to(dtype=self.w_in.dtype, device=self.w_in.device)
            return torch.stack([self.apply_type(j, g) for j in range(self.k)]).detach()

    def describe(self) -> dict:
        return {
            "kind": "learned",
            "base": self.base,
            "k": self.k,
            "width": self.width,
            "sub_activation": self.sub_activation,
            "init": self.init,
            "residual_scale": self.residual_scale,
            "subnet_eval": self.subnet_eval,
            "knots": list(self.knots),
        }
