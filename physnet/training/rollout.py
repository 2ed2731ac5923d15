"""Training on trajectories: the model is integrated ``K`` steps from observed states and
compared with the states observed next, instead of with estimated time derivatives.

The targets are displacements ``y(t + k dt) - y(t)``, ``k = 1..K``, flattened to ``(M, K d)``
(NaN where a window runs past the end of its orbit or series: those entries are left out of
the loss), so that the loss is the mean squared error of the predicted states and "1 - R^2"
reads against the motion's own variance. Each window starts from an observation: a long or
noisy record is cut into many short shooting windows (no rollout drifts over the whole record).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from physnet.data import Rollout
from physnet.integrators.registry import get_method

Forward = Callable[[Tensor], Tensor]


def rollout_displacements(forward: Forward, x: Tensor, steps: int, dt: float, method: str = "rk4") -> Tensor:
    """``y_k - x`` for ``k = 1..steps`` of the autonomous flow ``dy/dt = forward(y)`` from
    states ``x`` ``(..., d)``, one step of ``dt`` per sample -> ``(..., steps d)``;
    differentiable in the model's parameters (and in ``x``)."""
    step = get_method(method).member_step if method == "rk4" else None  # physnet's own RK4: no per-step checks
    if step is not None:
        states, y = [], x
        for _ in range(steps):
            y = step(None, forward, y, dt)
            states.append(y)
        path = torch.stack(states, dim=-2)
    else:
        from physnet.integrators import odeint

        grid = torch.arange(steps + 1, dtype=x.dtype, device=x.device) * dt
        path = odeint(lambda t, y: forward(y), x, grid, method=method).movedim(0, -2)[..., 1:, :]
    return (path - x.unsqueeze(-2)).flatten(-2)


def predict(forward: Forward, x: Tensor, rollout: Rollout | None) -> Tensor:
    """What a loss compares with its targets: ``forward(x)`` (a vector field, logits), or with
    ``rollout`` the displacements of the model's integrated states ``(..., K d)``."""
    if rollout is None:
        return forward(x)
    return rollout_displacements(forward, x, rollout.steps, rollout.dt, rollout.method)


__all__ = ["predict", "rollout_displacements"]
