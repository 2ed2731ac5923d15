"""Multilayer perceptron whose hidden layers are plain, diverse-learned or diverse-frozen,
with an optional leading ensemble dimension."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from physnet.errors import UserError
from physnet.networks.ensemble_linear import EnsembleLinear


def member_generators(seeds: Sequence[int]) -> list[torch.Generator]:
    """One generator per ensemble member, seeded independently."""
    return [torch.Generator().manual_seed(int(s)) for s in seeds]


class MLP(nn.Module):
    """``sizes[0] -> sizes[1] -> ... -> sizes[-1]`` with one activation module per hidden layer.

    With ``E = len(seeds)`` members the input is shaped ``(E, ..., in)`` and the output
    ``(E, ..., out)``; with one member (the default) there is no ensemble dimension:
    ``(..., in) -> (..., out)``. Activation modules are shared by all members (they
    act elementwise), which is what meta-learning and the comparison arms need.

    Args:
        sizes: layer widths, input first, output last.
        activations: one module per hidden layer (``len(sizes) - 2`` of them), e.g.
            ``DiverseActivation`` or a wrapper of a fixed function.
        seeds: one seed per member; member ``i``'s initial weights depend only on ``seeds[i]``.
        init: weight initialisation (``default`` or ``orthogonal``, see
            :data:`~physnet.networks.ensemble_linear.INITS`).
        output_bias: whether the output layer has a bias (a Hamiltonian's does not need one:
            a constant does not change ``grad H``).
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activations: Sequence[nn.Module],
        seeds: Sequence[int] = (0,),
        *,
        dtype: torch.dtype = torch.float32,
        device: str | torch.device = "cpu",
        init: str = "default",
        output_bias: bool = True,
    ) -> None:
        super().__init__()
        if len(sizes) < 2 or min(sizes) < 1:
            raise UserError(f"sizes must list at least input and output widths >= 1, got {list(sizes)}")
        if len(activations) != len(sizes) - 2:
            raise UserError(f"{len(sizes) - 2} hidden layers need as many activations, got {len(activations)}")
        if len(seeds) < 1:
            raise UserError("an MLP needs at least one member seed")
        gens = member_generators(seeds)
        self.sizes = list(sizes)
        self.seeds = [int(s) for s in seeds]
        last = len(sizes) - 2
        self.layers = nn.ModuleList(
            EnsembleLinear(a, b, gens, dtype=dtype, device=device, init=init, bias=output_bias or i < last)
            for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True))
        )
        self.activations = nn.ModuleList(activations)

    @property
    def n_members(self) -> int:
        return len(self.seeds)

    def member_batches(self, x: Tensor) -> tuple[Tensor, tuple[int, ...]]:
        """``x`` (``(E, ..., in)``, or ``(..., in)`` for one member) as ``(E, B, in)`` and its
        leading shape ``...`` (to restore the output's)."""
        if self.n_members == 1:
            x = x.unsqueeze(0)
        elif x.shape[0] != self.n_members:
            raise UserError(f"ensemble input must lead with {self.n_members} members, got shape {tuple(x.shape)}")
        return x.reshape(self.n_members, -1, x.shape[-1]), tuple(x.shape[1:-1])

    def forward(self, x: Tensor, *, return_hidden: bool = False):
        """Forward pass; with ``return_hidden`` also the post-activation hidden layers."""
        single = self.n_members == 1
        h, lead = self.member_batches(x)
        hidden = []
        for i, layer in enumerate(self.layers):
            h = layer(h)
            if i < len(self.activations):
                h = self.activations[i](h)
                hidden.append(h)
        out = h.reshape(self.n_members, *lead, h.shape[-1])
        if single:
            out = out.squeeze(0)
            hidden = [z.squeeze(0) for z in hidden]
        return (out, hidden) if return_hidden else out
