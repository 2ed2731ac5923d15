"""A diverse hidden layer's activation: neurons split into types, each type its own function."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, cast

import torch
from torch import Tensor, nn

from physnet.activations.frozen_function import traceable
from physnet.activations.grid import check_k
from physnet.errors import UserError


def check_fractions(fractions: Sequence[float], k: int, noun: str = "fractions") -> None:
    """Raise ValueError unless ``fractions`` are ``k`` non-negative shares summing to one
    (``noun`` names them in the message)."""
    if len(fractions) != k:
        raise UserError(f"got {len(fractions)} {noun} for k={k} types")
    if min(fractions) < 0 or abs(sum(fractions) - 1.0) > 1e-6:
        shares = [float(f) for f in fractions]
        raise UserError(f"type fractions must be non-negative and sum to one, got {shares} (sum {sum(shares):.6g})")


def type_assignment(n: int, k: int = 2, fractions: Sequence[float] | None = None) -> Tensor:
    """Type of each of ``n`` neurons, shaped ``(n,)``, in contiguous blocks.

    Args:
        n: number of neurons.
        k: number of types (even split by default).
        fractions: share of each type, ``k`` non-negative numbers summing to one;
            counts are rounded by largest remainder, so they always add up to ``n``
            (``n`` need not be divisible by ``k``).
    """
    check_k(k)
    if n < 1:
        raise UserError(f"a layer needs at least one neuron, got {n}")
    if fractions is None:
        fractions = [1.0 / k] * k
    fractions = [float(f) for f in fractions]
    check_fractions(fractions, k)
    exact = [f * n for f in fractions]
    counts = [int(e) for e in exact]
    for j in sorted(range(k), key=lambda j: exact[j] - counts[j], reverse=True)[: n - sum(counts)]:
        counts[j] += 1
    return torch.repeat_interleave(torch.arange(k), torch.tensor(counts))


class TypeBank(Protocol):
    """What a diverse layer needs of a bank of types (:class:`~physnet.activations.FixedBank`,
    :class:`~physnet.activations.LearnedBank`, :class:`~physnet.activations.FrozenBank`)."""

    @property
    def k(self) -> int: ...

    def apply_type(self, j: int, x: Tensor) -> Tensor: ...

    def value_and_slope_type(self, j: int, x: Tensor) -> tuple[Tensor, Tensor]: ...


class DiverseActivation(nn.Module):
    """Applies type ``assignment[i]``'s function of ``bank`` to neuron ``i``.

    Each neuron's output depends only on its own pre-activation and its own type's
    function (the PyTorch reference added ``act_j(0)`` of every other type to every
    neuron). Neurons of one type are gathered and evaluated in one call.

    Args:
        assignment: type per neuron, shaped ``(N,)``, values in ``[0, bank.k)``.
        bank: a module with ``k`` and ``apply_type(j, x)`` (see ``physnet.activations``).
    """

    assignment: Tensor
    order: Tensor
    inverse: Tensor

    def __init__(self, assignment: Tensor, bank: nn.Module) -> None:
        super().__init__()
        assignment = torch.as_tensor(assignment, dtype=torch.long)
        if assignment.ndim != 1 or assignment.numel() == 0:
            raise UserError("assignment must be a non-empty 1-D tensor of type indices")
        k = cast(TypeBank, bank).k
        if int(assignment.min()) < 0 or int(assignment.max()) >= k:
            raise UserError(f"assignment uses types outside [0, {k}) for a bank of {k} types")
        self.bank = bank
        self.register_buffer("assignment", assignment)
        order = torch.argsort(assignment, stable=True)
        self.register_buffer("order", order)
        self.register_buffer("inverse", torch.argsort(order))
        self.counts = torch.bincount(assignment, minlength=k).tolist()
        self.blocks = bool((order == torch.arange(len(order))).all())

    @property
    def types(self) -> TypeBank:
        """The bank, as the protocol it is used through."""
        return cast(TypeBank, self.bank)

    @property
    def n_neurons(self) -> int:
        return self.assignment.numel()

    def forward(self, x: Tensor) -> Tensor:
        """``x`` shaped ``(..., N)`` -> same shape."""
        if x.shape[-1] != self.n_neurons:
            raise UserError(f"expected {self.n_neurons} pre-activations in the last dimension, got {x.shape[-1]}")
        bank = self.types
        if bank.k == 1:
            return bank.apply_type(0, x)
        apply_layer = getattr(bank, "apply_layer", None)
        fused = getattr(bank, "subnet_eval", None) == "knots" or (
            getattr(bank, "fused_layer", False) and not traceable(x)  # frozen types: not under compile or torch.func
        )
        if apply_layer is not None and fused:  # every type in one call
            return apply_layer(x, self.assignment)
        if self.blocks:  # types in contiguous blocks in neuron order: slices, no permutation
            outs = [bank.apply_type(j, g) for j, g in enumerate(x.split(self.counts, dim=-1)) if g.shape[-1] > 0]
            return torch.cat(outs, dim=-1)
        grouped = x.index_select(-1, self.order).split(self.counts, dim=-1)
        outs = [bank.apply_type(j, g) for j, g in enumerate(grouped) if g.shape[-1] > 0]
        return torch.cat(outs, dim=-1).index_select(-1, self.inverse)

    def value_and_slope(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """The activation and its derivative at ``x`` shaped ``(..., N)`` -> two tensors of that
        shape, as plain differentiable code (:mod:`physnet.activations.slopes`): the slope's own
        derivative is the activation's second."""
        bank = self.types
        if bank.k == 1:
            return bank.value_and_slope_type(0, x)
        layer = getattr(bank, "value_and_slope_layer", None)
        both = None if layer is None else layer(x, self.assignment)
        if both is not None:
            return both
        grouped = (x if self.blocks else x.index_select(-1, self.order)).split(self.counts, dim=-1)
        pairs = [bank.value_and_slope_type(j, g) for j, g in enumerate(grouped) if g.shape[-1] > 0]
        both = (torch.cat([v for v, _ in pairs], dim=-1), torch.cat([d for _, d in pairs], dim=-1))
        return both if self.blocks else (both[0].index_select(-1, self.inverse), both[1].index_select(-1, self.inverse))

    def extra_repr(self) -> str:
        return f"n={self.n_neurons}, counts={self.counts}"
