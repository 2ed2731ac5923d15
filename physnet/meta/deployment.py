"""Learn what you deploy: how far the frozen, interpolated types are from the types as
meta-learning used them, on the grid and on the pre-activations the network actually saw."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from physnet.activations import DiverseActivation, FrozenBank, LearnedBank

#: Points per grid cell where the two are compared.
PER_CELL = 16


def hidden_preactivations(model: nn.Module, x: Tensor, *, limit: int = 4096) -> dict[int, Tensor]:
    """The pre-activations reaching each type of the model's diverse layers over the first
    ``limit`` rows of ``x``: ``{type j: (n_j,)}``, every layer pooled."""
    seen: dict[int, list[Tensor]] = {}

    def capture(module: DiverseActivation, args) -> None:
        pre = args[0].detach().reshape(-1, module.n_neurons)
        for j in range(module.types.k):
            seen.setdefault(j, []).append(pre[:, module.assignment == j].reshape(-1))

    hooks = [m.register_forward_pre_hook(capture) for m in model.modules() if isinstance(m, DiverseActivation)]
    try:
        with torch.enable_grad():  # a Hamiltonian network differentiates its output in forward
            model(x[:limit])
    finally:
        for h in hooks:
            h.remove()
    return {j: torch.cat(v) for j, v in seen.items()}


def deployment_gap(bank: LearnedBank, frozen: FrozenBank, preactivations: dict[int, Tensor] | None = None) -> dict:
    """Largest ``|learned - frozen|`` per type on a fine grid over the frozen grid's range and
    on the given pre-activations, and the share of those outside the grid.

    Returns:
        ``{"grid": [k], "preactivations": [k] or None, "outside_grid": [k] or None, "range": [k],
        "limits": [lo, hi]}``: ``range`` is each learned type's range (max - min) over the grid,
        the scale the differences read against; ``limits`` the grid's ends.
    """
    grid = frozen.grid
    fine = torch.linspace(float(grid[0]), float(grid[-1]), (len(grid) - 1) * PER_CELL + 1, dtype=torch.float64)
    out: dict = {"grid": [], "preactivations": None, "outside_grid": None, "range": []}
    out["limits"] = [float(grid[0]), float(grid[-1])]
    with torch.no_grad():
        for j in range(bank.k):
            learned = bank.apply_type(j, fine.to(bank.w_in.dtype)).double()
            out["grid"].append(float((learned - frozen.apply_type(j, fine)).abs().max()))
            out["range"].append(float(learned.max() - learned.min()))
        if preactivations:
            out["preactivations"], out["outside_grid"] = [], []
            for j in range(bank.k):
                x = preactivations[j].to(bank.w_in.dtype)
                diff = bank.apply_type(j, x).double() - frozen.apply_type(j, x.double())
                out["preactivations"].append(float(diff.abs().max()) if len(x) else 0.0)
                outside = ((x < float(grid[0])) | (x > float(grid[-1]))).double().mean()
                out["outside_grid"].append(float(outside) if len(x) else 0.0)
    return out


__all__ = ["deployment_gap", "hidden_preactivations"]
