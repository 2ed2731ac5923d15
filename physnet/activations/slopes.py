"""Every activation's value *and* slope ``sigma'(x)`` in one pass, written as plain
differentiable tensor code, so that a network's input gradient can be computed as a forward
computation (:mod:`physnet.networks.energy_gradient`) and differentiated once more by autograd
(which then needs ``sigma''``, and gets it from these expressions).

Why: a Hamiltonian network's vector field is ``J grad H``. Through ``autograd.grad(...,
create_graph=True)`` each field evaluation builds a backward graph that training
differentiates again (double backward), and a rollout does that at every stage of every step.
With the slopes below the gradient is ``W_1^T diag(sigma'(z_1)) ... W_L^T`` applied to the output
weights: forward-shaped operations that autograd differentiates once.

Every function here equals the derivative autograd takes of the corresponding forward pass
to float rounding (tests/test_energy_gradient.py checks it at 1e-12 in float64, and the
derivative of the slope - ``sigma''`` - against autograd's second derivative):

- fixed functions: the closed forms of :data:`SLOPES` (``softplus`` with PyTorch's threshold,
  ``elu`` with alpha 1, ``gelu`` the exact erf form);
- learned types: ``base'(x) + s sum_w a_w w h'(w x + b)`` evaluated directly, or the Hermite
  interpolant's own derivative on knots (differentiable in the knot table, so in the weights);
- frozen types: the interpolating polynomial's derivative on its piece (linear types: the
  piece's slope, whose derivative is zero).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import Tensor

from physnet.errors import UserError

Slope = Callable[[Tensor], Tensor]


def _relu(x: Tensor) -> Tensor:
    return (x > 0).to(x.dtype)


def _tanh(x: Tensor) -> Tensor:
    t = torch.tanh(x)
    return 1 - t * t


def _sigmoid(x: Tensor) -> Tensor:
    s = torch.sigmoid(x)
    return s * (1 - s)


def _one(x: Tensor) -> Tensor:
    return x * 0.0 + 1.0  # keeps the graph and dtype


def _zero(x: Tensor) -> Tensor:
    return x * 0.0


def _elu(x: Tensor) -> Tensor:
    return torch.where(x > 0, torch.ones_like(x), torch.exp(torch.clamp(x, max=0.0)))


def _softplus(x: Tensor) -> Tensor:
    return torch.where(x > 20, torch.ones_like(x), torch.sigmoid(x))  # PyTorch's softplus is x above 20


def _gelu(x: Tensor) -> Tensor:
    cdf = 0.5 * (1 + torch.erf(x * (1 / math.sqrt(2))))
    return cdf + x * torch.exp(-0.5 * x * x) * (1 / math.sqrt(2 * math.pi))


def _silu(x: Tensor) -> Tensor:
    s = torch.sigmoid(x)
    return s * (1 + x * (1 - s))


#: Name -> derivative of :data:`physnet.activations.fixed.ACTIVATIONS`' function of that name.
SLOPES: dict[str, Slope] = {
    "relu": _relu,
    "ramp": _relu,
    "tanh": _tanh,
    "sin": torch.cos,
    "sigmoid": _sigmoid,
    "identity": _one,
    "zero": _zero,
    "elu": _elu,
    "softplus": _softplus,
    "gelu": _gelu,
    "silu": _silu,
}


def slope_of(name: str) -> Slope:
    """The derivative of the fixed activation ``name``."""
    if name not in SLOPES:
        raise UserError(f"no closed-form slope for activation {name!r}; valid: {', '.join(SLOPES)}")
    return SLOPES[name]


def polynomial_with_slope(x: Tensor, origin: Tensor, c0: Tensor, c1: Tensor, c2: Tensor, c3: Tensor):
    """``((c0 u + c1) u + c2) u + c3`` and its derivative ``(3 c0 u + 2 c1) u + c2`` at
    ``u = x - origin`` (every argument shaped like ``x``) -> two tensors shaped like ``x``."""
    u = x - origin
    return ((c0 * u + c1) * u + c2) * u + c3, (3 * c0 * u + 2 * c1) * u + c2


__all__ = ["SLOPES", "Slope", "polynomial_with_slope", "slope_of"]
