"""Sample points of activations: the paper's recipe for freezing and for snapshots."""

from __future__ import annotations

import torch
from torch import Tensor

from physnet.errors import UserError

#: The paper's sampling recipe for freezing: 100 points on [-10, 10].
DEFAULT_GRID = (-10.0, 10.0, 100)


def activation_grid(lo: float = -10.0, hi: float = 10.0, n: int = 100, *, dtype=torch.float64) -> Tensor:
    """Sample points shaped ``(n,)``, evenly spaced on ``[lo, hi]``."""
    if not (hi > lo and n >= 4):
        raise UserError(f"activation grid needs hi > lo and at least 4 points, got ({lo}, {hi}, {n})")
    return torch.linspace(lo, hi, n, dtype=dtype)


def check_k(k: int) -> None:
    """Raise ValueError unless k is a positive integer (a number of neuron types)."""
    if not isinstance(k, int) or k < 1:
        raise UserError(f"number of neuron types k must be a positive integer, got {k!r}")
