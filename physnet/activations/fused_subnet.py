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

from physnet.compiled import GuardedCompiled

__all__ = ["compiled_enabled", "compiled_kernels", "fused_residual", "set_compiled"]


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
_Kernels = dict[str, Callable[..., Any]]
_compiled_cache: _Kernels | None = None
_compile_failed = False
_default_compiled = False  # what a call that does not choose uses (``set_compiled``)


def compiled_kernels() -> _Kernels | None:
    """The ``torch.compile``'d kernels, compiled on first use and kept for the process (a
    cache, not a switch: each bank chooses whether to use them). None where compiling is
    unavailable (no C++ compiler): a one-line warning says so, once."""
    global _compiled_cache, _compile_failed
    if _compiled_cache is not None or _compile_failed:
        return _compiled_cache
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
        _compile_failed = True
        return None
    _compiled_cache = {
        name: GuardedCompiled(kernel, _EAGER[name], "the fused sub-network") for name, kernel in kernels.items()
    }
    return _compiled_cache


def set_compiled(enabled: bool) -> bool:
    """The default for fused sub-networks that do not choose (``fused_residual(...,
    compiled=None)``): compiled kernels (True) or plain tensor code (False, which also drops
    the kernel cache). Returns whether compiled kernels are now the default (False where
    compiling is unavailable)."""
    global _default_compiled, _compiled_cache, _compile_failed
    if not enabled:  # also forget compiled kernels and a failed attempt: the next request compiles afresh
        _compiled_cache, _compile_failed = None, False
    _default_compiled = enabled and compiled_kernels() is not None
    return _default_compiled


def compiled_enabled() -> bool:
    """Whether fused sub-networks that do not choose use compiled kernels."""
    return _default_compiled


def _kernels_for(compiled: bool | None) -> _Kernels:
    use = _default_compiled if compiled is None else compiled
    kernels = compiled_kernels() if use else None
    return _EAGER if kernels is None else kernels


class _ResidualGrad(torch.autograd.Function):
    """``(x, w, b, a, gy) -> (gx, ga, gw, gb)`` (:func:`_first`), differentiable once more."""

    @staticmethod
    def forward(ctx, x, w, b, a, gy, kernels):
        ctx.save_for_backward(x, w, b, a, gy)
        ctx.kernels = kernels
        with torch.no_grad():
            return kernels["first"](x, w, b, a, gy)

    @staticmethod
    def backward(ctx, ux, ua, uw, ub):
        x, w, b, a, gy = ctx.saved_tensors
        ux = torch.zeros_like(x) if ux is None else ux.contiguous()
        ua, uw, ub = (torch.zeros_like(w) if u is None else u.contiguous() for u in (ua, uw, ub))
        # plain code whenever a result must carry a graph (higher derivatives): compiled
        # kernels are traced for inference
        second = _EAGER["second"] if torch.is_grad_enabled() else ctx.kernels["second"]
        dgy, dx, da, dw, db = second(x, w, b, a, gy, ux, ua, uw, ub)
        return dx, dw, db, da, dgy, None


class _Residual(torch.autograd.Function):
    """``(x, w, b, a) -> r(x)`` (:func:`_value`); its backward is :class:`_ResidualGrad`."""

    @staticmethod
    def forward(ctx, x, w, b, a, kernels):
        ctx.save_for_backward(x, w, b, a)
        ctx.kernels = kernels
        with torch.no_grad():
            return kernels["value"](x, w, b, a)

    @staticmethod
    def backward(ctx, gy):
        x, w, b, a = ctx.saved_tensors
        gx, ga, gw, gb = _ResidualGrad.apply(x, w, b, a, gy.contiguous(), ctx.kernels)
        return gx, gw, gb, ga, None


def fused_residual(x: Tensor, w: Tensor, b: Tensor, a: Tensor, *, compiled: bool | None = None) -> Tensor:
    """``sum_w a_w tanh(w_w x + b_w)`` elementwise: ``x`` of any shape, ``w, b, a`` shaped
    ``(W,)`` -> the shape of ``x``. Differentiable twice through the fused kernels (more
    through plain autograd). ``compiled``: use the compiled kernels (where available) or
    plain code; None: the default of :func:`set_compiled`."""
    kernels = _kernels_for(compiled)
    return _Residual.apply(x.reshape(-1).contiguous(), w, b, a, kernels).reshape(x.shape)
