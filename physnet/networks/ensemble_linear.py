"""A linear layer holding E independent members: one batched matmul for all of them."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor, nn


class EnsembleLinear(nn.Module):
    """``y[e] = x[e] @ W[e] + b[e]`` for ``E`` members.

    Weights are shaped ``(E, in, out)`` and biases ``(E, 1, out)``. Each member is
    initialised like ``nn.Linear`` (uniform in ``+-1/sqrt(in)``) from its own generator,
    so a member's initial weights depend only on its seed, batched or not.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        generators: Sequence[torch.Generator],
        *,
        dtype: torch.dtype = torch.float32,
        device: str | torch.device = "cpu",
    ) -> None:
        super().__init__()
        bound = 1.0 / math.sqrt(in_features)
        w = [
            (2 * torch.rand(in_features, out_features, generator=g, dtype=torch.float64) - 1) * bound
            for g in generators
        ]
        b = [(2 * torch.rand(1, out_features, generator=g, dtype=torch.float64) - 1) * bound for g in generators]
        self.weight = nn.Parameter(torch.stack(w).to(dtype=dtype, device=device))
        self.bias = nn.Parameter(torch.stack(b).to(dtype=dtype, device=device))

    def forward(self, x: Tensor) -> Tensor:
        """``x`` shaped ``(E, B, in)`` -> ``(E, B, out)``."""
        return torch.baddbmm(self.bias, x, self.weight)

    def extra_repr(self) -> str:
        e, i, o = self.weight.shape
        return f"members={e}, in={i}, out={o}"
