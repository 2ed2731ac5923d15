"""The paper's models: conventional forecaster, Hamiltonian networks, classifier.

Every model wraps :class:`~physnet.networks.mlp.MLP` (so any hidden layer may be plain,
diverse-learned or diverse-frozen, and several seeds may train as one ensemble) and
exposes ``forward(x)``: the quantity the task's loss compares with its targets.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from physnet.errors import UserError
from physnet.networks.energy_gradient import input_gradient
from physnet.networks.mlp import MLP
from systems.base import symplectic_gradient


class NeuralVectorField(nn.Module):
    """Conventional network ("NN" in the paper): state ``(..., d)`` -> time derivative ``(..., d)``.

    A system in the ``systems`` sense (``vector_field``, ``dim``), so every
    non-symplectic integrator rolls it out.
    """

    name = "nn"

    def __init__(self, net: MLP, state_names: tuple[str, ...] | None = None) -> None:
        super().__init__()
        if net.sizes[0] != net.sizes[-1]:
            raise UserError(f"a forecaster maps a state to its derivative: in and out widths differ ({net.sizes})")
        self.net = net
        self.dim = net.sizes[0]
        self.state_names = state_names or tuple(f"y{i}" for i in range(self.dim))

    @property
    def n_members(self) -> int:
        return self.net.n_members

    def forward(self, y: Tensor) -> Tensor:
        return self.net(y)

    def vector_field(self, t: Tensor, y: Tensor) -> Tensor:
        return self.net(y)

    def energy(self, y: Tensor) -> None:
        return None


class _HamiltonianModel(nn.Module):
    """What every Hamiltonian model shares: the vector field ``J grad H`` from its
    ``hamiltonian`` (written by subclasses), the energy, and the (q, p) naming."""

    n_dof: int

    def _name_states(self, state_names: tuple[str, ...] | None) -> None:
        self.dim = 2 * self.n_dof
        self.state_names = state_names or tuple(
            [f"q{i}" for i in range(self.n_dof)] + [f"p{i}" for i in range(self.n_dof)]
        )

    def hamiltonian(self, y: Tensor) -> Tensor:
        """``H`` shaped ``(...)`` for states ``(..., 2 n_dof)`` (written by subclasses)."""
        raise NotImplementedError

    def energy(self, y: Tensor) -> Tensor:
        return self.hamiltonian(y)

    def vector_field(self, t: Tensor | None, y: Tensor) -> Tensor:
        return symplectic_gradient(self.hamiltonian, y, self.n_dof)

    def forward(self, y: Tensor) -> Tensor:
        return self.vector_field(None, y)

    def energy_gradient(self, y: Tensor) -> Tensor:
        """``dH/dy`` in closed form (:mod:`physnet.networks.energy_gradient`; written by subclasses)."""
        raise NotImplementedError

    def closed_form_field(self, y: Tensor) -> Tensor:
        """The vector field ``J grad H`` with ``grad H`` in closed form: the same values as
        :meth:`vector_field` to float rounding, one forward-like pass, differentiated once by
        training (a rollout's every stage); states ``(..., 2 n_dof)`` -> same shape."""
        grad = self.energy_gradient(y)
        return torch.cat([grad[..., self.n_dof :], -grad[..., : self.n_dof]], dim=-1)

    def traceable_forward(self, y: Tensor) -> Tensor:
        """The forward pass through ``torch.func.grad`` (:func:`traceable_symplectic_gradient`),
        for ``torch.compile``; states ``(..., 2 n_dof)`` -> same shape."""
        return traceable_symplectic_gradient(self.hamiltonian, y, self.n_dof)


class HamiltonianNetwork(_HamiltonianModel):
    """Hamiltonian network: an MLP maps ``(q, p)`` to a scalar ``H``; the vector field is
    ``dq/dt = dH/dp``, ``dp/dt = -dH/dq`` by autograd.

    The graph of the gradient is kept (``create_graph``) whenever parameters require
    gradients and grad mode is on, so the loss on the vector field trains ``H``.
    A Hamiltonian system in the ``systems`` sense (``n_dof``, ``hamiltonian``), so
    ``implicit-midpoint`` and every torchdiffeq method apply; not declared separable.
    """

    name = "hnn"
    separable = False

    def __init__(self, net: MLP, state_names: tuple[str, ...] | None = None) -> None:
        super().__init__()
        if net.sizes[0] % 2 or net.sizes[-1] != 1:
            raise UserError(f"a Hamiltonian network maps 2n inputs to one output, got sizes {net.sizes}")
        self.net = net
        self.n_dof = net.sizes[0] // 2
        self._name_states(state_names)

    @property
    def n_members(self) -> int:
        return self.net.n_members

    def hamiltonian(self, y: Tensor) -> Tensor:
        """``H`` shaped ``(...)`` for states ``(..., 2 n_dof)``."""
        return self.net(y).squeeze(-1)

    def energy_gradient(self, y: Tensor) -> Tensor:
        return input_gradient(self.net, y)


class SeparableHamiltonianNetwork(_HamiltonianModel):
    """``H = T(p) + V(q)`` with two MLPs (each ``n_dof -> ... -> 1``); declared separable,
    so ``leapfrog`` and ``symplectic-euler`` apply as well."""

    name = "hnn-separable"
    separable = True

    def __init__(self, kinetic: MLP, potential: MLP, state_names: tuple[str, ...] | None = None) -> None:
        super().__init__()
        if kinetic.sizes[0] != potential.sizes[0] or kinetic.sizes[-1] != 1 or potential.sizes[-1] != 1:
            raise UserError("kinetic and potential networks must map n_dof inputs to one output")
        self.kinetic, self.potential = kinetic, potential
        self.n_dof = kinetic.sizes[0]
        self._name_states(state_names)

    @property
    def n_members(self) -> int:
        return self.kinetic.n_members

    def hamiltonian(self, y: Tensor) -> Tensor:
        q, p = y[..., : self.n_dof], y[..., self.n_dof :]
        return (self.kinetic(p) + self.potential(q)).squeeze(-1)

    def energy_gradient(self, y: Tensor) -> Tensor:
        q, p = y[..., : self.n_dof], y[..., self.n_dof :]
        return torch.cat([input_gradient(self.potential, q), input_gradient(self.kinetic, p)], dim=-1)


def traceable_symplectic_gradient(hamiltonian, y: Tensor, n_dof: int) -> Tensor:
    """:func:`symplectic_gradient` through ``torch.func.grad``, which ``torch.compile`` can
    trace (it cannot trace ``autograd.grad`` inside a forward pass); a loss on the result
    still back-propagates to the network's weights. States ``(..., 2 n_dof)`` -> same shape.
    """
    dH = torch.func.grad(lambda z: hamiltonian(z).sum())(y)
    return torch.cat([dH[..., n_dof:], -dH[..., :n_dof]], dim=-1)


class Classifier(nn.Module):
    """MLP classifier: inputs ``(..., in)`` -> logits ``(..., classes)`` (MNIST-1D: 40 -> 10)."""

    name = "classifier"

    def __init__(self, net: MLP) -> None:
        super().__init__()
        self.net = net

    @property
    def n_members(self) -> int:
        return self.net.n_members

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x)
