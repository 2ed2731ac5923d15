"""The inner loop of meta-learning and its meta-gradient, plain or with recomputation.

Meta-losses (:data:`META_LOSSES`):

- ``final``: the training loss on one more batch after the K inner steps (the JAX
  reference's outer step, and our default);
- ``trajectory``: the mean of the K inner training losses along the way (the PyTorch
  reference's ``train_loss[-100:].mean()``). Each of those losses depends on the
  sub-networks directly (through the activations) and, inside the differentiated window,
  through the inner weights as well.

Plain unrolling keeps the graph of all differentiated inner steps alive until the outer
backward pass, so memory grows with K. With recomputation the forward pass runs without a
graph and keeps ``(theta, optimizer state)`` at the start of every segment of M steps; the
backward pass walks the segments last to first, recomputes each with its graph, and carries
the vector-Jacobian product with respect to ``(theta, state)`` across the boundary. The
result is the same meta-gradient (the recomputed values are the same operations on the same
inputs) for about one extra forward pass, with the graph of M steps at a time.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.func import functional_call

from physnet.data import Rollout, TaskData
from physnet.errors import UserError
from physnet.training.functional_optim import FunctionalOptimizer, detached
from physnet.training.losses import member_loss
from physnet.training.rollout import predict
from physnet.training.trainer import TrainingDivergedError

State = dict[str, Tensor]
META_LOSSES = ("final", "trajectory")


def zeros_for_unused(grads, like) -> list[Tensor]:
    """``autograd.grad(..., allow_unused=True)`` results with ``None`` replaced by zeros
    shaped like the matching tensor of ``like``."""
    return [torch.zeros_like(t) if g is None else g for t, g in zip(like, grads, strict=True)]


class _RolledOut(nn.Module):
    """``model`` integrated over a rollout window as one module, so that ``functional_call``
    swaps the weights in once per window instead of once per integrator stage. An energy
    model's field is its ``closed_form_field`` (``grad H`` written through the layers, the
    same values as autograd's to float rounding): every stage is then one forward-like pass,
    and the inner gradient one backward through it, not a double backward (20-30 % less time
    per outer step for hnn and dhnn; ``benchmarks/meta_rollout_cost.py``)."""

    def __init__(self, model: nn.Module, rollout: Rollout) -> None:
        super().__init__()
        self.model, self.rollout = model, rollout

    def forward(self, x: Tensor) -> Tensor:
        return predict(getattr(self.model, "closed_form_field", self.model), x, self.rollout)


def batch_loss(model: nn.Module, theta: State, data: TaskData, idx: Tensor) -> Tensor:
    """The training loss of the network with weights ``theta`` on samples ``idx`` (a scalar)."""
    x = data.x_train[idx]
    if data.rollout is None:
        pred = functional_call(model, theta, (x,))
    else:
        rolled = {f"model.{name}": value for name, value in theta.items()}
        pred = functional_call(_RolledOut(model, data.rollout), rolled, (x,))
    return member_loss(pred, data.y_train[idx], data.loss, 1)[0]


def inner_step(
    model: nn.Module,
    theta: State,
    state: State,
    inner: FunctionalOptimizer,
    data: TaskData,
    idx: Tensor,
    step: int,
    create_graph: bool,
    direct: list[Tensor] | None = None,
) -> tuple[State, State, Tensor, list[Tensor] | None]:
    """One inner optimizer step on batch ``idx``; ``create_graph`` keeps it differentiable
    (with respect to theta, the optimizer state and the activation sub-networks).

    Args:
        direct: tensors (the sub-network weights) to differentiate this step's loss with
            respect to as well, theta held fixed (the trajectory meta-loss's direct term).

    Returns:
        the new theta and state, the loss (a scalar tensor; with its graph when
        ``create_graph``), and the loss's gradient with respect to ``direct`` (or None).

    Raises:
        TrainingDivergedError: the loss was not finite (``step`` names the inner step).
    """
    loss = batch_loss(model, theta, data, idx)
    if not torch.isfinite(loss):
        raise TrainingDivergedError(f"inner loss became {float(loss.detach())} at inner step {step + 1}")
    extra = list(direct or [])
    # allow_unused: an HNN's output bias does not enter dH/dy
    # retain with direct terms: a shared part of the graph (the knot tables) is used again next step
    found = torch.autograd.grad(
        loss,
        list(theta.values()) + extra,
        create_graph=create_graph,
        retain_graph=create_graph or direct is not None,
        allow_unused=True,
    )
    grads = dict(zip(theta, zeros_for_unused(found[: len(theta)], theta.values()), strict=True))
    theta, state = inner.step(theta, grads, state)
    direct_grads = zeros_for_unused(found[len(theta) :], extra) if direct is not None else None
    return theta, state, loss, direct_grads


def _with_constant_gradient(value: Tensor, params: list[Tensor], grads: list[Tensor]) -> Tensor:
    """``value`` plus a term that is zero but whose gradient with respect to ``params`` is the
    constant ``grads``: the direct terms already differentiated join the meta-loss's graph."""
    dot = torch.stack([(p * g.detach()).sum() for p, g in zip(params, grads, strict=True)]).sum()
    return value + (dot - dot.detach())


def inner_loop(
    model: nn.Module,
    theta: State,
    inner_state: State,
    inner: FunctionalOptimizer,
    data: TaskData,
    batches: list[Tensor],
    window: int,
    *,
    meta_loss: str = "final",
    params: list[Tensor] | None = None,
) -> tuple[State, State, Tensor, list[float]]:
    """The inner steps on theta and the outer (meta) loss.

    ``final``: ``len(batches) - 1`` inner steps, then the loss on the last batch.
    ``trajectory``: ``len(batches)`` inner steps; the meta loss is the mean of their losses
    (``params``, the sub-network weights, are then required: the steps outside the window
    are differentiated with respect to them as they go, theta held fixed).

    The graph is kept through the last ``window`` inner steps, so the meta loss is a
    differentiable function of the sub-network weights through them (``window = 0``:
    first order, theta enters the meta loss as a constant).

    Returns:
        the updated theta and optimizer state, the meta loss (a scalar tensor whose gradient
        with respect to the sub-network weights is the meta-gradient), and the inner losses.

    Raises:
        TrainingDivergedError: naming the inner step whose loss was not finite.
    """
    if meta_loss not in META_LOSSES:
        raise UserError(f"unknown meta-loss {meta_loss!r}; valid: {', '.join(META_LOSSES)}")
    trajectory = meta_loss == "trajectory"
    if trajectory and params is None:
        raise UserError("the trajectory meta-loss needs the sub-network parameters")
    params = params or []
    train_batches = batches if trajectory else batches[:-1]
    steps = len(train_batches)
    losses: list[float] = []
    kept: list[Tensor] = []
    direct = [torch.zeros_like(p) for p in params] if trajectory else []
    for i, idx in enumerate(train_batches):
        keep_graph = i >= steps - window
        if not keep_graph or i == steps - window:
            theta, inner_state = detached(theta, True), detached(inner_state)
        theta, inner_state, loss, found = inner_step(
            model,
            theta,
            inner_state,
            inner,
            data,
            idx,
            i,
            keep_graph,
            params if trajectory and not keep_graph else None,
        )
        losses.append(float(loss.detach()))
        if trajectory and keep_graph:
            kept.append(loss)
        elif found is not None:
            direct = [d + g for d, g in zip(direct, found, strict=True)]
    if window == 0:
        theta = detached(theta)
    if trajectory:
        graph_part = torch.stack(kept).sum() if kept else torch.zeros((), dtype=direct[0].dtype)
        rest = sum(v for i, v in enumerate(losses) if i < steps - window)
        value = (graph_part + rest) / steps
        result = _with_constant_gradient(value, params, [d / steps for d in direct])
    else:
        result = batch_loss(model, theta, data, batches[-1])
    if not torch.isfinite(result):
        raise TrainingDivergedError(f"outer loss became {float(result.detach())}")
    return theta, inner_state, result, losses


def _leaves(theta: State, state: State) -> tuple[State, State]:
    """Fresh leaves: theta and the optimizer's moment tensors require grad (not its step count)."""
    return detached(theta, True), {
        k: v.detach().requires_grad_(k != "step" and v.is_floating_point()) for k, v in state.items()
    }


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
    *,
    meta_loss: str = "final",
) -> tuple[State, State, Tensor, list[float], list[Tensor]]:
    """The inner steps and meta loss of :func:`inner_loop`, and the meta-gradient with
    respect to ``params`` (the sub-network weights) through the last ``window`` steps,
    holding the graph of at most ``segment`` steps at a time.

    Returns:
        final theta and state (detached), the meta loss (detached scalar), the inner
        losses, and the meta-gradient per parameter (zeros where it does not enter).
    """
    if segment < 1:
        raise UserError(f"recomputation segment must be >= 1 inner step, got {segment}")
    trajectory = meta_loss == "trajectory"
    train_batches = batches if trajectory else batches[:-1]
    steps = len(train_batches)
    first = steps - window
    starts = list(range(first, steps, segment))
    saved: dict[int, tuple[State, State]] = {}
    losses: list[float] = []
    g_params = [torch.zeros_like(p) for p in params]
    for i, idx in enumerate(train_batches):
        if i in starts:
            saved[i] = (detached(theta), detached(state))
        theta, state = detached(theta, True), detached(state)
        direct = params if trajectory and i < first else None
        theta, state, loss, found = inner_step(model, theta, state, inner, data, idx, i, False, direct)
        losses.append(float(loss.detach()))
        if found is not None:
            g_params = [g + f / steps for g, f in zip(g_params, found, strict=True)]
    state = detached(state)
    end = detached(theta, True)
    theta = detached(theta)
    names = list(end)
    if trajectory:
        value = torch.tensor(sum(losses) / steps)
        g_theta = {n: torch.zeros_like(end[n]) for n in names}
    else:
        value = batch_loss(model, end, data, batches[-1])
        if not torch.isfinite(value):
            raise TrainingDivergedError(f"outer loss became {float(value.detach())}")
        # retain: the knot tables' graph is shared with the segments still to be differentiated
        at_end = torch.autograd.grad(value, [end[n] for n in names] + params, allow_unused=True, retain_graph=True)
        g_theta = dict(zip(names, zeros_for_unused(at_end[: len(names)], end.values()), strict=True))
        g_params = [g + f for g, f in zip(g_params, zeros_for_unused(at_end[len(names) :], params), strict=True)]
    g_state: State = {}  # the meta loss does not see the optimizer state at the end
    for a in reversed(starts):
        segment_steps = (model, inner, data, train_batches, a, min(a + segment, steps))
        g_theta, g_state, g_seg = _segment_vjp(segment_steps, saved.pop(a), g_theta, g_state, params, trajectory, steps)
        g_params = [g if s is None else g + s for g, s in zip(g_params, g_seg, strict=True)]
    return theta, state, value.detach(), losses, g_params


def _segment_vjp(
    segment_steps: tuple,
    start: tuple[State, State],
    g_theta: State,
    g_state: State,
    params: list[Tensor],
    trajectory: bool,
    steps: int,
) -> tuple[State, State, list[Tensor | None]]:
    """Recompute inner steps ``a..b-1`` from their saved start with a graph and carry the
    cotangents of theta and the optimizer state at step ``b`` back to step ``a``
    (with the segment's own losses' share of a trajectory meta-loss); returns them and the
    segment's contribution to the meta-gradient with respect to ``params`` (None: none)."""
    model, inner, data, train_batches, a, b = segment_steps
    theta_a, state_a = _leaves(*start)
    names = list(theta_a)
    th, st = theta_a, state_a
    outs, cotangents = [], []
    for i in range(a, b):
        th, st, loss, _ = inner_step(model, th, st, inner, data, train_batches[i], i, create_graph=True)
        if trajectory:
            outs.append(loss)
            cotangents.append(torch.full_like(loss, 1.0 / steps))
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
    back = torch.autograd.grad(outs, inputs, cotangents, allow_unused=True, retain_graph=True)
    n_theta, n_state = len(names), len(state_keys)
    new_theta = dict(zip(names, zeros_for_unused(back[:n_theta], theta_a.values()), strict=True))
    state_grads = zeros_for_unused(back[n_theta : n_theta + n_state], [state_a[k] for k in state_keys])
    new_state = dict(zip(state_keys, state_grads, strict=True))
    return new_theta, new_state, list(back[n_theta + n_state :])


__all__ = ["META_LOSSES", "batch_loss", "inner_loop", "inner_step", "recomputed_meta_gradient", "zeros_for_unused"]
