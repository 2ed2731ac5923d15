"""A sparse-regression vector field as an ensemble: ``dy/dt = Theta(y) Xi_e`` for each member
``e`` (one bootstrap fit per seed), with the same interface as physnet's networks (members on
the leading axis, ``vector_field(t, y)``, ``n_members``), so the rollouts, the one-step
evaluation and forecast skill treat it as one more arm."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from physnet.references.library import Library


class SparseVectorField(nn.Module):
    """The fitted field of every member.

    Args:
        library: the candidate terms ``Theta`` (``F`` columns).
        coefficients: ``(E, F, d)``: member ``e``'s coefficient of term ``f`` in component ``i``
            (zero where the term was thresholded away). Kept as a frozen parameter (float64 by
            default), so ``next(model.parameters())`` gives the dtype rollouts use.
    """

    name = "sindy"

    def __init__(self, library: Library, coefficients: Tensor) -> None:
        super().__init__()
        if coefficients.ndim != 3 or coefficients.shape[1:] != (len(library), library.dim):
            raise ValueError(
                f"coefficients must be shaped (E, {len(library)}, {library.dim}), got {tuple(coefficients.shape)}"
            )
        self.library = library
        self.coefficients = nn.Parameter(coefficients, requires_grad=False)
        self.dim = library.dim
        self.state_names = library.state_names

    @property
    def n_members(self) -> int:
        return int(self.coefficients.shape[0])

    def vector_field(self, t: Tensor | None, y: Tensor) -> Tensor:
        """``dy/dt`` for states ``(E, ..., d)`` (member ``e`` at ``y[e]``), or ``(..., d)`` for one member."""
        theta = self.library.features(y.to(self.coefficients.dtype))
        if self.n_members == 1 and (y.ndim < 3 or y.shape[0] != 1):
            return (theta @ self.coefficients[0]).to(y.dtype)
        flat = theta.reshape(self.n_members, -1, theta.shape[-1])  # (E, B, F)
        return torch.bmm(flat, self.coefficients).reshape(*y.shape).to(y.dtype)

    def forward(self, y: Tensor) -> Tensor:
        return self.vector_field(None, y)

    def energy(self, y: Tensor) -> None:
        return None

    def member(self, index: int) -> SparseVectorField:
        """Member ``index`` alone (one network's worth)."""
        return SparseVectorField(self.library, self.coefficients.data[index : index + 1].clone())


__all__ = ["SparseVectorField"]
