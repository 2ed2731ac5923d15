"""The learned sub-network ``r(x) = sum_w a_w tanh(w_w x + b_w)`` as one autograd Function
with hand-written first and second derivatives, so each pass is one fused loop over the
(points x width) pairs instead of a chain of elementwise kernels over stored
(points x width) tensors.

Why: in the unrolled meta-gradient every inner step evaluates r, its derivative with
respect to x (inside the inner gradient) and then, on the way back, the derivatives of both
with respect to x, the sub-network weights and the incoming gradient. Through plain autograd
each of these is a dozen passes over (points x W) temporaries (2M floats for MNIST-1D at the
reference's settings), and the graph keeps several of them per inner step (5.4 GB for 100
steps). Here a step keeps only its points (and the incoming gradient), and each pass
recomputes the tanh it needs inside one kernel; with ``torch.compile`` those kernels are fused
loops (the point of this module), without it they are plain tensor code (slower than
autograd: only for machines where compiling is unavailable, and for tests).

Layout: ``(W, n)`` - width outer, points contiguous - so both kinds of reduction (over the
width for per-point results, over the points for per-weight results) run along contiguous
memory.

The second-derivative pass (:func:`_second`) is written with differentiable operations, so
higher derivatives (a Hamiltonian network's unrolled meta-gradient) still work through
autograd, uncompiled.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

__all__ = ["fused_residual", "set_compiled", "compiled_enabled"]


def _value(x: Tensor, w: Tensor, b: Tensor, a: Tensor) -> Tensor:
    """``r(x)``: ``x`` shaped ``(n,)``, weights ``(W,)`` -> ``(n,)``."""
    t = torch.tanh(w[:, None] * x + b[:, None])
    return (t * a[:, None]).sum(0)


def _first(x: Tensor, w: Tensor, b: Tensor, a: Tensor, gy: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """Vector-Jacobian product of ``r`` with cotangent ``gy`` (``(n,)``): gradients with
    respect to ``x`` (``(n,)``), ``a``, ``w``, ``b`` (``(W,)`` each)."""
    t = torch.tanh(w[:, None] * x + b[:, None])
    d = 1 - t * t  # tanh'
    gx = gy * (d * (a * w)[:, None]).sum(0)
    ga = (gy * t).sum(1)
    gw = a * (gy * x * d).sum(1)
    gb = a * (gy * d).sum(1)
    return gx, ga, gw, gb


def _second(
    x: Tensor, w: Tensor, b: Tensor, a: Tensor, gy: Tensor, ux: Tensor, ua: Tensor, uw: Tensor, ub: Tensor
) -> tuple[Tensor, Tensor, Tensor, Tensor, Tensor]:
    """Vector-Jacobian product of :func:`_first` with cotangents ``(ux, ua, uw, ub)`` for its
    outputs ``(gx, ga, gw, gb)``: gradients with respect to ``gy, x, a, w, b``.

    With ``c = a (ux w + uw x + ub)`` the scalar being differentiated is
    ``sum_{n,w} gy (c tanh' + ua tanh)``.
    """
    W, A, UA, UW, UB = w[:, None], a[:, None], ua[:, None], uw[:, None], ub[:, None]
    t = torch.tanh(W * x + b[:, None])
    d = 1 - t * t  # tanh'
    dd = -2 * t * d  # tanh''
    c = A * (ux * W + UW * x + UB)
    dgy = (c * d + UA * t).sum(0)
    dx = gy * (c * W * dd + (UW * A + UA * W) * d).sum(0)
    da = (gy * (ux * W + UW * x + UB) * d).sum(1)
    dw = (gy * (ux * A * d + c * x * dd + UA * x * d)).sum(1)
    db = (gy * (c * dd + UA * d)).sum(1)
    return dgy, dx, da, dw, db


_EAGER: dict[str, Callable[..., Any]] = {"value": _value, "first": _first, "second": _second}
_kernels: dict = _EAGER
_compiled = False


def set_compiled(enabled: bool) -> bool:
    """Use ``torch.compile``'d kernels (True) or plain tensor code (False) for every fused
    sub-network from now on. Returns whether compiled kernels are in use: if compiling is
    unavailable here (no C++ compiler), a one-line warning says so and plain code is used.
    """
    global _kernels, _compiled
    if not enabled:
        _kernels, _compiled = _EAGER, False
        return False
    if _compiled:
        return True
    try:
        kernels = {name: torch.compile(fn) for name, fn in _EAGER.items()}
        probe = torch.linspace(-1, 1, 8)
        kernels["value"](probe, probe[:3], probe[:3], probe[:3])  # compiles now, or fails here
    except Exception as err:  # noqa: BLE001 - any compiler failure means: fall back
        warnings.warn(
            f"torch.compile unavailable ({type(err).__name__}: {str(err).splitlines()[0][:120]}); "
            "using the uncompiled sub-network code",
            RuntimeWarning,
            stacklevel=2,
        )
        _kernels, _compiled = _EAGER, False
        return False
    _kernels, _compiled = kernels, True
    return True


def compiled_enabled() -> bool:
    """Whether the fused sub-network uses compiled kernels."""
    return _compiled


def _kernel(name: str):
    # plain code whenever a result must carry a graph (higher derivatives): compiled kernels
    # are traced for inference
    return _EAGER[name] if torch.is_grad_enabled() else _kernels[name]


class _ResidualGrad(torch.autograd.Function):
    """``(x, w, b, a, gy) -> (gx, ga, gw, gb)`` (:func:`_first`), differentiable once more."""

    @staticmethod
    def forward(ctx, x, w, b, a, gy):
        ctx.save_for_backward(x, w, b, a, gy)
        with torch.no_grad():
            return _kernels["first"](x, w, b, a, gy)

    @staticmethod
    def backward(ctx, ux, ua, uw, ub):
        x, w, b, a, gy = ctx.saved_tensors
        ux = torch.zeros_like(x) if ux is None else ux.contiguous()
        ua, uw, ub = (torch.zeros_like(w) if u is None else u.contiguous() for u in (ua, uw, ub))
        dgy, dx, da, dw, db = _kernel("second")(x, w, b, a, gy, ux, ua, uw, ub)
        return dx, dw, db, da, dgy


class _Residual(torch.autograd.Function):
    """``(x, w, b, a) -> r(x)`` (:func:`_value`); its backward is :class:`_ResidualGrad`."""

    @staticmethod
    def forward(ctx, x, w, b, a):
        ctx.save_for_backward(x, w, b, a)
        with torch.no_grad():
            return _kernels["value"](x, w, b, a)

    @staticmethod
    def backward(ctx, gy):
        x, w, b, a = ctx.saved_tensors
        gx, ga, gw, gb = _ResidualGrad.apply(x, w, b, a, gy.contiguous())
        return gx, gw, gb, ga


def fused_residual(x: Tensor, w: Tensor, b: Tensor, a: Tensor) -> Tensor:
    """``sum_w a_w tanh(w_w x + b_w)`` elementwise: ``x`` of any shape, ``w, b, a`` shaped
    ``(W,)`` -> the shape of ``x``. Differentiable twice through the fused kernels (more
    through plain autograd)."""
    return _Residual.apply(x.reshape(-1).contiguous(), w, b, a).reshape(x.shape)
