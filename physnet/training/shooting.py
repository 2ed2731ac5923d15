"""Multiple shooting: training on rollouts whose start states are learned.

A plain rollout window starts from an observed state, so the observation noise of every start
enters every prediction of its window. Here each record is cut into consecutive segments of
``K`` steps; segment ``j`` starts from a state ``s_j`` of its own - a parameter of each ensemble
member, initialised from the observation there - and the loss of member ``e`` is::

    mean over segments and samples k = 0..K of |x_hat_j(k) - x_obs(start_j + k)|^2
      + w * mean over consecutive segments of |x_hat_j(K) - s_{j+1}|^2

(``x_hat_j(0) = s_j``: the start is fitted to its observation like every other sample; the
continuity term, weight ``w`` (``--continuity``), ties each segment's end to the next one's
start, so that the segments join into one trajectory per record as training goes on). Only the
network's weights are kept after training; validation uses plain windows from observed states,
so ``val_mse`` reads as with ``--loss rollout``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from physnet.data import TaskData
from physnet.errors import UserError


@dataclass(frozen=True)
class Segments:
    """The shooting segments of a training split.

    Attributes:
        rows: the first row of each segment ``(J,)``.
        observed: the observed states at rows ``start .. start + K`` ``(J, K + 1, d)`` (NaN past
            the end of the segment's record).
        following: the segment that starts where each one ends, in its record ``(J,)`` (-1: none).
    """

    rows: Tensor
    observed: Tensor
    following: Tensor


def segment_starts(groups: Tensor | None, rows: int, steps: int) -> tuple[list[int], list[int], list[int]]:
    """Where the segments of ``steps`` steps over ``rows`` states in time order start (``groups``
    ``(rows,)`` tells records apart; None: one record), the end of each one's record, and the
    segment that follows each in its record (-1: none); a record of one row has none."""
    if groups is None or len(groups) == 0:
        edges = [0, rows]
    else:
        edges = [0, *(torch.nonzero(groups[1:] != groups[:-1]).flatten() + 1).tolist(), rows]
    starts: list[int] = []
    ends: list[int] = []
    following: list[int] = []
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        here = range(a, b - 1, steps)
        for i, start in enumerate(here):
            starts.append(start)
            ends.append(b)
            following.append(len(starts) if i + 1 < len(here) else -1)
    return starts, ends, following


def shooting_segments(states: Tensor, groups: Tensor | None, steps: int) -> Segments:
    """Consecutive segments of ``steps`` steps over each record of ``states`` ``(M, d)`` in time
    order (:func:`segment_starts`); a record's last segment may be shorter (its missing samples
    NaN).

    Raises:
        UserError: no record has two rows.
    """
    m = len(states)
    rows, ends, following = segment_starts(groups, m, steps)
    if not rows:
        raise UserError("multiple shooting needs records of at least two rows")
    device = states.device
    index = torch.tensor(rows, device=device).unsqueeze(1) + torch.arange(steps + 1, device=device)  # (J, K + 1)
    inside = index < torch.tensor(ends, device=device).unsqueeze(1)
    observed = states[index.clamp(max=m - 1)]
    observed = torch.where(inside.unsqueeze(-1), observed, torch.full_like(observed, float("nan")))
    return Segments(torch.tensor(rows, device=device), observed, torch.tensor(following, device=device))


def shooting_loss(
    path: Tensor, starts: Tensor, observed: Tensor, following: Tensor, all_starts: Tensor, weight: float
) -> Tensor:
    """Each member's loss ``(E,)`` on a batch of ``B`` segments: ``path`` ``(E, B, K, d)`` (the
    states after steps 1..K from ``starts`` ``(E, B, d)``), ``observed`` ``(B, K + 1, d)``,
    ``following`` ``(B,)`` (-1: none), ``all_starts`` ``(E, J, d)`` (every segment's start), ``weight``
    the continuity weight."""
    predicted = torch.cat([starts.unsqueeze(-2), path], dim=-2)  # (E, B, K + 1, d)
    seen = torch.isfinite(observed)
    diff = torch.where(seen, predicted - torch.nan_to_num(observed), torch.zeros_like(predicted))
    misfit = (diff**2).flatten(1).sum(-1) / seen.sum().clamp(min=1)
    joined = following >= 0
    if weight == 0 or not bool(joined.any()):
        return misfit
    gap = path[:, joined, -1] - all_starts[:, following[joined]]
    return misfit + weight * (gap**2).flatten(1).mean(-1)


class ShootingBatches:
    """The segments of ``data``'s training split and each member's learned starts
    ``(E, J, d)`` (initialised from the observations), for :func:`~physnet.training.train`."""

    def __init__(self, data: TaskData, members: int) -> None:
        rollout = data.rollout
        if rollout is None or rollout.continuity is None:
            raise UserError("multiple shooting needs rollout data with a continuity weight (--shooting)")
        self.rollout, self.weight = rollout, float(rollout.continuity)
        self.segments = shooting_segments(data.x_train, data.train_orbit, rollout.steps)
        first = self.segments.observed[:, 0]
        self.starts = nn.Parameter(first.unsqueeze(0).repeat(members, 1, 1))
        self.members = members

    @property
    def count(self) -> int:
        """Segments ``J``."""
        return len(self.segments.rows)

    def losses(self, displacements: Callable[[Tensor], Tensor], idx: Tensor) -> Tensor:
        """Each member's loss ``(E,)`` on segments ``idx`` ``(B,)``: ``displacements`` maps states
        (``(E, B, d)``; ``(B, d)`` for one member) to the rollout's ``(..., K d)``
        (:func:`~physnet.training.rollout.rollout_displacements` of the model's field)."""
        idx = idx.to(self.starts.device)
        starts = self.starts[:, idx]  # (E, B, d)
        x = starts[0] if self.members == 1 else starts
        path = displacements(x).unflatten(-1, (self.rollout.steps, x.shape[-1])) + x.unsqueeze(-2)
        path = path.unsqueeze(0) if self.members == 1 else path
        seg = self.segments
        return shooting_loss(path, starts, seg.observed[idx], seg.following[idx], self.starts, self.weight)


__all__ = ["Segments", "ShootingBatches", "segment_starts", "shooting_loss", "shooting_segments"]
