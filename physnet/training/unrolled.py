"""The unrolled meta-gradient with recomputation: store the inner state only every M
inner steps and rebuild one segment's graph at a time on the way back.

Plain unrolling keeps the graph of all K differentiated inner steps alive until the outer
backward pass, so memory grows with K. Here the forward pass runs without a graph and
keeps ``(theta, optimizer state)`` at the start of every segment of M steps; the backward
pass walks the segments last to first, recomputes each with its graph, and carries the
vector-Jacobian product with respect to ``(theta, state)`` across the boundary. The
result is the same meta-gradient (the recomputed values are the same operations on the
same inputs) for about one extra forward pass, with the graph of M steps at a time.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.func import functional_call

from physnet.tasks import TaskData
from physnet.training.functional_optim import FunctionalOptimizer, detached
from physnet.training.losses import member_loss
from physnet.training.trainer import TrainingDivergedError

State = dict[str, Tensor]


def zeros_for_unused(grads, like) -> list[Tensor]:
    """``autograd.grad(..., allow_unused=True)`` results with ``None`` replaced by zeros
    shaped like the matching tensor of ``like``."""
    return [torch.zeros_like(t) if g is None else g for t, g in zip(like, grads)]


def batch_loss(model: nn.Module, theta: State, data: TaskData, idx: Tensor) -> Tensor:
    """The training loss of the network with weights ``theta`` on samples ``idx`` (a scalar)."""
    return member_loss(functional_call(model, theta, (data.x_train[idx],)), data.y_train[idx], data.loss, 1)[0]


def inner_step(model: nn.Module, theta: State, state: State, inner: FunctionalOptimizer, data: TaskData,
               idx: Tensor, step: int, create_graph: bool) -> tuple[State, State, float]:
    """One inner optimizer step on batch ``idx``; ``create_graph`` keeps it differentiable
    (with respect to theta, the optimizer state and the activation sub-networks).

    Raises:
        TrainingDivergedError: the loss was not finite (``step`` names the inner step).
    """
    loss = batch_loss(model, theta, data, idx)
    if not torch.isfinite(loss):
        raise TrainingDivergedError(f"inner loss became {float(loss.detach())} at inner step {step + 1}")
    # allow_unused: an HNN's output bias does not enter dH/dy
    grads = torch.autograd.grad(loss, list(theta.values()), create_graph=create_graph, allow_unused=True)
    grads = dict(zip(theta, zeros_for_unused(grads, theta.values())))
    theta, state = inner.step(theta, grads, state)
    return theta, state, float(loss.detach())


def _leaves(theta: State, state: State) -> tuple[State, State]:
    """Fresh leaves: theta and the optimizer's moment tensors require grad (not its step count)."""
    return detached(theta, True), {k: v.detach().requires_grad_(k != "step" and v.is_floating_point())
                                   for k, v in state.items()}


def recomputed_meta_gradient(
    model: nn.Module,
    theta: State,
    state: State,
    inner: FunctionalOptimizer,
    data: TaskData,
    batches: list[Tensor],
    window: int,
    params: list[Tensor],
    segment: int,
) -> tuple[State, State, Tensor, list[float], list[Tensor]]:
    """``len(batches) - 1`` inner steps, the meta loss on the last batch, and its gradient
    with respect to ``params`` (the sub-network weights) through the last ``window`` steps,
    holding the graph of at most ``segment`` steps at a time.

    Returns:
        final theta and state (detached), the meta loss (detached scalar), the inner
        losses, and the meta-gradient per parameter (zeros where it does not enter).
    """
    if segment < 1:
        raise ValueError(f"recomputation segment must be >= 1 inner step, got {segment}")
    steps = len(batches) - 1
    first = steps - window
    starts = list(range(first, steps, segment))
    saved: dict[int, tuple[State, State]] = {}
    losses: list[float] = []
    for i, idx in enumerate(batches[:-1]):
        if i in starts:
            saved[i] = (detached(theta), detached(state))
        theta, state = detached(theta, True), detached(state)
        theta, state, loss = inner_step(model, theta, state, inner, data, idx, i, create_graph=False)
        losses.append(loss)
    state = detached(state)
    end = detached(theta, True)
    theta = detached(theta)
    meta_loss = batch_loss(model, end, data, batches[-1])
    if not torch.isfinite(meta_loss):
        raise TrainingDivergedError(f"outer loss became {float(meta_loss.detach())}")
    names = list(end)
    found = torch.autograd.grad(meta_loss, [end[n] for n in names] + params, allow_unused=True)
    g_theta = dict(zip(names, zeros_for_unused(found, end.values())))
    g_params = zeros_for_unused(found[len(names):], params)
    g_state: State = {}  # the meta loss does not see the optimizer state
    for a in reversed(starts):
        b = min(a + segment, steps)
        theta_a, state_a = _leaves(*saved.pop(a))
        th, st = theta_a, state_a
        for i in range(a, b):
            th, st, _ = inner_step(model, th, st, inner, data, batches[i], i, create_graph=True)
        outs, cotangents = [], []
        for n in names:
            if th[n].requires_grad:
                outs.append(th[n])
                cotangents.append(g_theta[n])
        for k, v in st.items():
            if k in g_state and v.requires_grad:
                outs.append(v)
                cotangents.append(g_state[k])
        state_keys = [k for k, v in state_a.items() if v.requires_grad]
        inputs = [theta_a[n] for n in names] + [state_a[k] for k in state_keys] + params
        back = torch.autograd.grad(outs, inputs, cotangents, allow_unused=True)
        g_theta = dict(zip(names, zeros_for_unused(back, theta_a.values())))
        g_state = dict(zip(state_keys, zeros_for_unused(back[len(names):], [state_a[k] for k in state_keys])))
        for j, g in enumerate(back[len(names) + len(state_keys):]):
            if g is not None:
                g_params[j] = g_params[j] + g
    return theta, state, meta_loss.detach(), losses, g_params


__all__ = ["batch_loss", "inner_step", "recomputed_meta_gradient", "zeros_for_unused"]
