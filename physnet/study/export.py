"""A forecaster's networks for plain PyTorch: ``torch.export`` programs that load with
``torch.export.load(path).module()`` and run without physnet.

- A conventional model (``nn``): its vector field, states ``(E, N, d)`` -> time derivatives
  ``(E, N, d)`` for the E members forecasting (any N).
- A Hamiltonian one (``hnn``, ``hnn-separable``): its energy, states ``(E, N, d)`` -> ``H``
  ``(E, N)``; the vector field is ``dq/dt = dH/dp, dp/dt = -dH/dq`` by
  ``torch.autograd.grad`` of the loaded program. The field itself does not export: it is a
  gradient taken inside the network, and ``torch.export`` cannot trace the frozen types'
  hand-written derivative there (``NotImplementedError: Cannot access storage of
  TensorWrapper``, torch 2.13).
- A dissipative one (``dhnn``, ``dhnn-forced``): not exported - its field needs the energy's
  gradient and the friction together; forecast it with physnet.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import nn

from physnet.activations.frozen_function import use_compiled
from physnet.errors import UserError
from physnet.study.forecaster import Forecaster


class _Members(nn.Module):
    """The ``members`` of a stored ensemble as one module: states ``(E, N, d)`` of those members
    to their vector field ``(E, N, d)`` or energy ``(E, N)`` (``energy``)."""

    members: torch.Tensor

    def __init__(self, model: Any, members: list[int], energy: bool) -> None:
        super().__init__()
        self.model = model
        self.n_members = int(model.n_members)
        self.energy = energy
        self.register_buffer("members", torch.tensor(members, dtype=torch.long))

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        full = y.new_zeros((self.n_members, *y.shape[1:])).index_copy(0, self.members, y)
        if self.energy:
            return self.model.hamiltonian(full).index_select(0, self.members)
        return self.model.vector_field(torch.zeros((), dtype=y.dtype), full).index_select(0, self.members)


def export_forecaster(forecaster: Forecaster, path: Path) -> str:
    """Write the forecaster's networks to ``path`` (see the module) and say what was written.

    Raises:
        UserError: a dissipative model (no export), or a path that is not ``*.pt2``.
    """
    if path.suffix != ".pt2":
        raise UserError(f"--export writes a torch.export program: give a file ending in .pt2, got {path.name}")
    kind = forecaster.kind
    members = list(forecaster.members)
    if kind == "nn":
        module = _Members(forecaster.model, members, energy=False)
        what = "the vector field: states (E, N, d) -> derivatives (E, N, d)"
    elif kind.startswith("hnn"):
        module = _Members(forecaster.model, members, energy=True)
        what = "the energy H: states (E, N, d) -> (E, N); the field by torch.autograd.grad (dq/dt = dH/dp, ...)"
    else:
        raise UserError(
            f"a {kind} model does not export: its field is the energy's gradient with a learned friction; forecast "
            "it with physnet (nn and hnn models export)"
        )
    example = torch.zeros(len(members), 2, forecaster.dim, dtype=forecaster.dtype)
    with torch.no_grad(), use_compiled(False):
        program = torch.export.export(module, (example,), dynamic_shapes={"y": {1: torch.export.Dim("n")}})
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.export.save(program, str(path))
    return f"exported {len(members)} member(s) to {path}: {what} (load: torch.export.load(path).module())"


__all__ = ["export_forecaster"]
