"""A linear layer holding E independent members: one batched matmul for all of them."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor, nn

from physnet.errors import UserError

#: Weight initialisations: ``default`` as ``nn.Linear`` (uniform in ``+-1/sqrt(in)``),
#: ``orthogonal`` (``nn.init.orthogonal_``, as the Hamiltonian-network literature's code).
INITS = ("default", "orthogonal")


def _weight(in_features: int, out_features: int, g: torch.Generator, init: str) -> Tensor:
    """One member's ``(in, out)`` weight, float64, drawn from ``g``."""
    if init == "orthogonal":  # drawn as nn.Linear's (out, in) matrix, so rows or columns are orthonormal as there
        w = torch.empty(out_features, in_features, dtype=torch.float64)
        return torch.nn.init.orthogonal_(w, generator=g).T.contiguous()
    bound = 1.0 / math.sqrt(in_features)
    return (2 * torch.rand(in_features, out_features, generator=g, dtype=torch.float64) - 1) * bound


class EnsembleLinear(nn.Module):
    """``y[e] = x[e] @ W[e] + b[e]`` for ``E`` members.

    Weights are shaped ``(E, in, out)`` and biases ``(E, 1, out)``. Each member is
    initialised from its own generator (weights by ``init``, see :data:`INITS`; biases
    uniform in ``+-1/sqrt(in)`` as ``nn.Linear``'s), so a member's initial weights depend
    only on its seed, batched or not. ``bias=False``: no bias (``self.bias`` is None).
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        generators: Sequence[torch.Generator],
        *,
        dtype: torch.dtype = torch.float32,
        device: str | torch.device = "cpu",
        init: str = "default",
        bias: bool = True,
    ) -> None:
        super().__init__()
        if init not in INITS:
            raise UserError(f"unknown init {init!r}; valid: {', '.join(INITS)}")
        bound = 1.0 / math.sqrt(in_features)
        w = [_weight(in_features, out_features, g, init) for g in generators]
        self.weight = nn.Parameter(torch.stack(w).to(dtype=dtype, device=device))
        self.bias: nn.Parameter | None = None
        if bias:
            b = [(2 * torch.rand(1, out_features, generator=g, dtype=torch.float64) - 1) * bound for g in generators]
            self.bias = nn.Parameter(torch.stack(b).to(dtype=dtype, device=device))

    def forward(self, x: Tensor) -> Tensor:
        """``x`` shaped ``(E, B, in)`` -> ``(E, B, out)``."""
        if self.bias is None:
            return torch.bmm(x, self.weight)
        return torch.baddbmm(self.bias, x, self.weight)

    def extra_repr(self) -> str:
        e, i, o = self.weight.shape
        return f"members={e}, in={i}, out={o}"
