"""A task's data for a rollout loss: each observed state's target becomes the displacements
of the next ``K`` observed states of its orbit (:mod:`physnet.training.rollout`), so that no
time derivative is needed."""

from __future__ import annotations

from dataclasses import replace

import torch
from torch import Tensor

from physnet.data import Rollout, TaskData
from physnet.errors import UserError
from physnet.tasks.noise_floor import rollout_noise_floor

#: The losses a forecasting study can train on.
LOSS_KINDS = ("derivative", "rollout")
#: Samples ahead a rollout window integrates, by default.
ROLLOUT_STEPS = 10


def window_targets(states: Tensor, groups: Tensor | None, steps: int) -> Tensor:
    """Displacements ``states[i + k] - states[i]``, ``k = 1..steps``, for states ``(M, d)`` in
    time order within each group (``groups`` ``(M,)``; None: one series) -> ``(M, steps d)``,
    NaN where ``i + k`` is past the end or in another group."""
    m, d = states.shape
    out = torch.full((m, steps, d), float("nan"), dtype=states.dtype, device=states.device)
    for k in range(1, min(steps, m - 1) + 1):
        step = states[k:] - states[:-k]
        if groups is not None:
            same = (groups[k:] == groups[:-k]).unsqueeze(-1)
            step = torch.where(same, step, torch.full_like(step, float("nan")))
        out[:-k, k - 1] = step
    return out.reshape(m, steps * d)


def longest_record(states: Tensor, groups: Tensor | None) -> int:
    """Rows of the longest run of consecutive states of one group (one series: all of them)."""
    if groups is None or len(groups) == 0:
        return int(len(states))
    breaks = torch.nonzero(groups[1:] != groups[:-1]).flatten() + 1
    edges = torch.cat([torch.zeros(1, dtype=breaks.dtype), breaks.cpu(), torch.tensor([len(groups)])])
    return int((edges[1:] - edges[:-1]).max())


def rollout_data(data: TaskData, steps: int, method: str = "rk4", continuity: float | None = None) -> TaskData:
    """``data`` with rollout targets (``loss="rollout"``; inputs and forecasts unchanged; the
    noise floor that of the states' displacements, :func:`~physnet.tasks.noise_floor.rollout_noise_floor`);
    ``continuity``: trained by multiple shooting with that weight (:mod:`physnet.training.shooting`).

    Raises:
        UserError: the data are not orbits sampled in time (no ``dt``: a classification task,
            or pairs with no sampling interval), or ``steps`` exceeds the longest training
            record (saying its length).
    """
    rollout_spec = Rollout(steps, 1.0, method, continuity)  # the settings refused before anything is built
    if data.loss != "mse" or data.dt is None:
        source = data.config.get("source") or data.config.get("name") or "these data"
        raise UserError(
            f"--loss rollout needs states sampled along orbits at a known interval; {source} has none "
            "(use --loss derivative)"
        )
    longest = longest_record(data.x_train, data.train_orbit)
    if steps > longest - 1:
        raise UserError(
            f"--rollout-steps {steps}: the longest training record has {longest} rows ({longest - 1} steps); give "
            f"--rollout-steps {max(1, longest - 1)} or fewer"
        )
    y_train = window_targets(data.x_train, data.train_orbit, steps)
    y_val = window_targets(data.x_val, data.val_orbit, steps)
    if not bool(torch.isfinite(y_train).any(-1).any()) or not bool(torch.isfinite(y_val).any(-1).any()):
        raise UserError(f"--rollout-steps {steps}: no orbit of the data is longer than one step; lower it")
    rollout = Rollout(rollout_spec.steps, float(data.dt), method, continuity)
    config = {**data.config, "loss": "rollout", "rollout": rollout.to_dict()}
    floor = rollout_noise_floor(data.noise_floor)
    return replace(
        data, y_train=y_train, y_val=y_val, loss="rollout", rollout=rollout, noise_floor=floor, config=config
    )


def with_loss(data: TaskData, loss: str, steps: int, method: str = "rk4", continuity: float | None = None) -> TaskData:
    """``data`` for a study's ``loss``: unchanged for ``derivative``, :func:`rollout_data` for
    ``rollout`` (by multiple shooting with a ``continuity`` weight)."""
    if loss not in LOSS_KINDS:
        raise UserError(f"unknown --loss {loss!r}; valid: {', '.join(LOSS_KINDS)}")
    return data if loss == "derivative" else rollout_data(data, steps, method, continuity)


__all__ = ["LOSS_KINDS", "ROLLOUT_STEPS", "longest_record", "rollout_data", "window_targets", "with_loss"]
