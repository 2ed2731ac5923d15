"""The dissipative Hamiltonian network ("DHNN"): a learned energy and a learned friction.

    dq/dt = dH/dp,    dp/dt = -dH/dq - R(q, p) dH/dp,    R = L L^T (positive semi-definite)

``H`` is an MLP ``2 n -> 1`` and ``L`` the lower triangle of a second MLP ``2 n -> n (n + 1) /
2``, both with any hidden layers (plain, diverse-learned, diverse-frozen) and trained together
on the vector field, so the whole comparison protocol runs on it. Without forcing the energy
``H`` can only decrease along the model's flow (``dH/dt = -(dH/dp)^T R dH/dp``); the
``discrete-gradient`` integrator keeps that step by step. A conservative record teaches
``R`` near zero; a damped pendulum's ``R`` is its friction rate.

``dhnn-forced`` adds a third network, a generalised force ``F(q, p)`` on the momenta
(``dp/dt = -dH/dq - R dH/dp + F``), for driven systems such as a clock, whose escapement
pumps in the energy that friction takes out; its energy may then rise.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from physnet.errors import UserError
from physnet.networks.energy_gradient import input_gradient
from physnet.networks.mlp import MLP


class DissipativeHamiltonianNetwork(nn.Module):
    """Energy network ``hamiltonian_net`` ``(..., 2 n) -> (..., 1)`` and friction network
    ``friction_net`` ``(..., 2 n) -> (..., n (n + 1) / 2)`` (the entries of ``L``).

    A dissipative system in the ``systems`` sense (``n_dof``, ``energy``, ``dissipation``):
    ``discrete-gradient`` and every non-symplectic integrator roll it out; symplectic ones
    refuse it (it declares no ``hamiltonian``: its flow is not symplectic).
    """

    name = "dhnn"

    def __init__(
        self,
        hamiltonian_net: MLP,
        friction_net: MLP,
        state_names: tuple[str, ...] | None = None,
        forcing_net: MLP | None = None,
    ) -> None:
        super().__init__()
        d = hamiltonian_net.sizes[0]
        n = d // 2
        if d % 2 or hamiltonian_net.sizes[-1] != 1:
            raise UserError(f"the energy network of a dhnn maps 2n inputs to one output, got {hamiltonian_net.sizes}")
        if friction_net.sizes[0] != d or friction_net.sizes[-1] != n * (n + 1) // 2:
            raise UserError(f"a dhnn friction network maps {d} inputs to {n * (n + 1) // 2}, got {friction_net.sizes}")
        if forcing_net is not None and (forcing_net.sizes[0] != d or forcing_net.sizes[-1] != n):
            raise UserError(f"a dhnn forcing network maps {d} inputs to {n}, got {forcing_net.sizes}")
        self.hamiltonian_net, self.friction_net, self.forcing_net = hamiltonian_net, friction_net, forcing_net
        self.name = "dhnn" if forcing_net is None else "dhnn-forced"
        self.n_dof, self.dim = n, d
        self.state_names = state_names or tuple([f"q{i}" for i in range(n)] + [f"p{i}" for i in range(n)])
        self.register_buffer("_rows", torch.tril_indices(n, n)[0], persistent=False)
        self.register_buffer("_cols", torch.tril_indices(n, n)[1], persistent=False)

    @property
    def n_members(self) -> int:
        return self.hamiltonian_net.n_members

    def energy(self, y: Tensor) -> Tensor:
        """The learned ``H`` ``(...)`` for states ``(..., 2 n)``."""
        return self.hamiltonian_net(y).squeeze(-1)

    def dissipation(self, y: Tensor) -> Tensor:
        """``R = L L^T`` ``(..., n, n)`` for states ``(..., 2 n)``."""
        entries = self.friction_net(y)
        lower = entries.new_zeros(*entries.shape[:-1], self.n_dof, self.n_dof)
        lower[..., self._rows, self._cols] = entries
        return lower @ lower.transpose(-1, -2)

    def forcing(self, y: Tensor) -> Tensor | None:
        """The learned generalised force on the momenta ``(..., n)`` (``dhnn-forced``: a driven
        system, e.g. a clock's escapement, which pumps energy in), or None."""
        return None if self.forcing_net is None else self.forcing_net(y)

    def vector_field(self, t: Tensor | None, y: Tensor) -> Tensor:
        create = torch.is_grad_enabled() or y.requires_grad
        with torch.enable_grad():
            y_ = y if y.requires_grad else y.detach().requires_grad_(True)
            (grad,) = torch.autograd.grad(self.energy(y_).sum(), y_, create_graph=create)
        return self._field_from(y, grad)

    def closed_form_field(self, y: Tensor) -> Tensor:
        """:meth:`vector_field` with ``grad H`` in closed form (:mod:`physnet.networks.
        energy_gradient`): the same values to float rounding, one forward-like pass,
        differentiated once by training; states ``(..., 2 n)`` -> same shape."""
        return self._field_from(y, input_gradient(self.hamiltonian_net, y))

    def _field_from(self, y: Tensor, grad: Tensor) -> Tensor:
        dq, dp = grad[..., : self.n_dof], grad[..., self.n_dof :]
        friction = (self.dissipation(y) @ dp.unsqueeze(-1)).squeeze(-1)
        force = self.forcing(y)
        return torch.cat([dp, -dq - friction + (0 if force is None else force)], dim=-1)

    def forward(self, y: Tensor) -> Tensor:
        return self.vector_field(None, y)


__all__ = ["DissipativeHamiltonianNetwork"]
