"""One entry point for every integration method, in the spirit of ``torchdiffeq.odeint``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
import torchdiffeq
from torch import Tensor

from physnet.errors import UserError
from physnet.integrators.discrete_gradient import discrete_gradient_step
from physnet.integrators.implicit_midpoint import implicit_midpoint_step
from physnet.integrators.registry import Method, get_method
from physnet.integrators.symplectic import leapfrog_step, symplectic_euler_step
from systems import is_dissipative, is_hamiltonian, is_separable, per_orbit_rms_norm
from systems.solver_watch import WatchedField, is_step_underflow, solver_failure


def _vector_field(func: Any) -> Callable[[Tensor, Tensor], Tensor]:
    vf = getattr(func, "vector_field", None)
    if callable(vf):
        return vf
    if callable(func):
        return func
    raise TypeError(f"func must be a system with vector_field(t, y) or a callable f(t, y), got {type(func).__name__}")


def check_method_fits(method: Method, func: Any) -> None:
    """Refuse symplectic methods for systems without a (q, p) split, and explicit
    symplectic methods for Hamiltonians not declared separable (ValueError)."""
    label = getattr(func, "name", type(func).__name__)
    if method.symplectic and not is_hamiltonian(func):
        raise UserError(
            f"method {method.name!r} is symplectic and needs a Hamiltonian system with a (q, p) split; "
            f"{label!r} has none (use rk4 or dopri5)"
        )
    if method.dissipative and not is_dissipative(func):
        raise UserError(
            f"method {method.name!r} keeps a dissipative Hamiltonian structure and needs a system with n_dof, "
            f"energy and dissipation; {label!r} has none (use rk4 or dopri5)"
        )
    if method.needs_separable and not is_separable(func):
        raise UserError(
            f"method {method.name!r} needs a separable Hamiltonian H = T(p) + V(q); {label!r} is not declared "
            "separable (use implicit-midpoint)"
        )


def odeint(
    func: Any,
    y0: Tensor,
    t: Tensor,
    *,
    method: str = "dopri5",
    rtol: float = 1e-7,
    atol: float = 1e-9,
    options: dict | None = None,
) -> Tensor:
    """Integrate ``dy/dt = f(t, y)`` and return the states at times ``t``.

    Args:
        func: a system (anything with ``vector_field(t, y)``; Hamiltonian ones with
            ``n_dof``, ``hamiltonian`` and, for explicit symplectic methods,
            ``separable = True``) or a plain callable ``f(t, y)``.
        y0: initial states shaped ``(..., d)``, usually ``(N, d)`` for N orbits.
        t: output times shaped ``(T,)``, strictly monotone. Fixed-step methods take
            exactly one step per interval of ``t``; adaptive ones choose their steps
            so that every orbit meets ``rtol``/``atol`` on its own.
        method: a name from :data:`physnet.integrators.METHODS` (``euler``,
            ``symplectic-euler``, ``leapfrog``, ``implicit-midpoint``, ``discrete-gradient``
            (dissipative systems: ``n_dof``, ``energy``, ``dissipation``), ``rk4``,
            ``dopri5``, ...).

    Advanced:
        options: for ``implicit-midpoint``: ``solver`` (``"fixed-point"`` or ``"newton"``),
            ``tol``, ``max_iters``; for ``discrete-gradient``: ``tol``, ``max_iters``; for
            torchdiffeq methods: passed to torchdiffeq (e.g. ``step_size``).

    Returns:
        states shaped ``(T, ..., d)``, dtype and device of ``y0``.

    Raises:
        ValueError: unknown method (listing valid ones), a method that does not fit
            the system, a bad time grid or non-finite initial states.
    """
    m = get_method(method)
    check_method_fits(m, func)
    f = _vector_field(func)
    if not isinstance(y0, Tensor) or not y0.is_floating_point():
        raise TypeError("y0 must be a floating-point torch.Tensor")
    if not torch.isfinite(y0).all():
        raise UserError("initial state contains NaN or infinite values")
    t = torch.as_tensor(t, dtype=y0.dtype, device=y0.device)
    if t.ndim != 1 or t.numel() < 2:
        raise UserError(f"t must be a 1-D grid of at least 2 times, got shape {tuple(t.shape)}")
    dt = t[1:] - t[:-1]
    if not ((dt > 0).all() or (dt < 0).all()):
        raise UserError("time grid t must be strictly increasing (or strictly decreasing)")
    options = dict(options or {})
    if m.torchdiffeq_name is not None:
        if m.adaptive:
            options.setdefault("norm", per_orbit_rms_norm)
        watch = WatchedField(f)
        try:
            return torchdiffeq.odeint(watch, y0, t, rtol=rtol, atol=atol, method=m.torchdiffeq_name, options=options)
        except AssertionError as err:  # nothing of the solver's internals reaches the user
            if not is_step_underflow(err):
                raise
            raise UserError(solver_failure(watch)) from None
    if m.dissipative:
        out = [y0]
        for k in range(len(t) - 1):
            out.append(discrete_gradient_step(func, t[k], out[-1], t[k + 1] - t[k], **options))
        return torch.stack(out)
    return _integrate_fixed(m, f, y0, t, getattr(func, "n_dof", None), options)


def _integrate_fixed(
    m: Method, f: Callable[[Tensor, Tensor], Tensor], y0: Tensor, t: Tensor, n_dof: int | None, options: dict
) -> Tensor:
    if m.name in ("leapfrog", "symplectic-euler") and n_dof is None:
        raise UserError(f"{m.name} splits the state into (q, p): it needs a vector field with n_dof")
    dof = 0 if n_dof is None else n_dof  # read by the splitting methods only
    out = [y0]
    y, force = y0, None
    for k in range(len(t) - 1):
        h = t[k + 1] - t[k]
        if m.name == "leapfrog":
            y, force = leapfrog_step(f, t[k], y, h, dof, force)
        elif m.name == "symplectic-euler":
            y = symplectic_euler_step(f, t[k], y, h, dof)
        elif m.name == "implicit-midpoint":
            y = implicit_midpoint_step(f, t[k], y, h, **options)
        else:  # pragma: no cover - registry and dispatch out of step
            raise AssertionError(f"no stepper for {m.name}")
        out.append(y)
    return torch.stack(out)
