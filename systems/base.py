"""The protocol every dynamical system follows, and base classes that implement it.

A *system* is any object with

- ``dim``: the state dimension ``d``;
- ``state_names``: ``d`` short names, used for plot labels and CSV headers;
- ``vector_field(t, y)``: the time derivative ``dy/dt`` for states ``y`` shaped
  ``(..., d)``, returned with the same shape, dtype and device. Calling the system,
  ``system(t, y)``, is the same, so a system can be handed straight to ``torchdiffeq``;
- ``energy(y)``: a monitored scalar per state shaped ``(...)`` (the Hamiltonian for
  conservative systems), or ``None`` when the system has none;
- ``sample_initial_states(n, *, generator=None, seed=None)``: ``n`` initial states
  shaped ``(n, d)``.

A *Hamiltonian system* adds

- ``n_dof``: the number of degrees of freedom; the state is ``y = (q, p)`` with
  ``q = y[..., :n_dof]`` and ``p = y[..., n_dof:]``;
- ``hamiltonian(y)``: ``H(q, p)`` shaped ``(...)``;
- ``separable``: ``True`` when ``H = T(p) + V(q)``, which is what the explicit
  symplectic integrators (``leapfrog``, ``symplectic-euler``) need.

Subclass :class:`System` or :class:`HamiltonianSystem` to define a system of your
own; for a Hamiltonian system it is enough to write ``hamiltonian`` and
``sample_initial_states``: the vector field then follows by automatic
differentiation. Learned models (``physnet``'s Hamiltonian networks) follow the same
protocol without inheriting from these classes, which is why the integrators and
generators check the protocol (:func:`is_hamiltonian`) and not the class.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Protocol, runtime_checkable

import torch
from torch import Tensor


@runtime_checkable
class DynamicalSystem(Protocol):
    """Structural type of a dynamical system (see the module docstring)."""

    dim: int
    state_names: tuple[str, ...]

    def vector_field(self, t: Tensor, y: Tensor) -> Tensor: ...

    def energy(self, y: Tensor) -> Tensor | None: ...

    def sample_initial_states(
        self, n: int, *, generator: torch.Generator | None = None, seed: int | None = None
    ) -> Tensor: ...


def is_hamiltonian(system: object) -> bool:
    """True when ``system`` declares a (q, p) split and a Hamiltonian."""
    return isinstance(getattr(system, "n_dof", None), int) and callable(getattr(system, "hamiltonian", None))


def is_dissipative(system: object) -> bool:
    """True when ``system`` declares a (q, p) split, an energy and a dissipation ``R(q, p)``
    (``(..., n_dof, n_dof)``, positive semi-definite): ``dq/dt = dE/dp``, ``dp/dt = -dE/dq -
    R dE/dp``, the structure the ``discrete-gradient`` integrator keeps."""
    return (
        isinstance(getattr(system, "n_dof", None), int)
        and callable(getattr(system, "energy", None))
        and callable(getattr(system, "dissipation", None))
    )


def is_separable(system: object) -> bool:
    """True when ``system`` is Hamiltonian and declares ``H = T(p) + V(q)``."""
    return is_hamiltonian(system) and bool(getattr(system, "separable", False))


def make_generator(generator: torch.Generator | None = None, seed: int | None = None) -> torch.Generator:
    """Return ``generator`` if given, else a new CPU generator seeded with ``seed``.

    Exactly one source of randomness is used; global RNG state is never touched.
    """
    if generator is not None and seed is not None:
        raise ValueError("pass either generator or seed, not both")
    if generator is not None:
        return generator
    if seed is None:
        raise ValueError("pass a seed (int) or a torch.Generator: physnet never draws from global RNG state")
    return torch.Generator().manual_seed(int(seed))


def check_state(y: Tensor, dim: int, what: str = "state") -> None:
    """Raise ValueError unless ``y`` is a floating tensor shaped ``(..., dim)``."""
    if not isinstance(y, Tensor):
        raise TypeError(f"{what} must be a torch.Tensor, got {type(y).__name__}")
    if y.ndim == 0 or y.shape[-1] != dim:
        raise ValueError(f"{what} must be shaped (..., {dim}), got {tuple(y.shape)}")
    if not y.is_floating_point():
        raise TypeError(f"{what} must be floating point, got {y.dtype}")


class System(ABC):
    """Base class for a dynamical system; see the module docstring for the protocol."""

    name: str = "system"
    dim: int
    state_names: tuple[str, ...]

    @abstractmethod
    def vector_field(self, t: Tensor, y: Tensor) -> Tensor:
        """dy/dt for states ``y`` shaped ``(..., d)``; returns ``(..., d)``."""

    def __call__(self, t: Tensor, y: Tensor) -> Tensor:
        return self.vector_field(t, y)

    def energy(self, y: Tensor) -> Tensor | None:
        """Monitored scalar per state, shaped ``(...)``, or None where there is none."""
        return None

    @abstractmethod
    def sample_initial_states(
        self, n: int, *, generator: torch.Generator | None = None, seed: int | None = None
    ) -> Tensor:
        """``n`` initial states shaped ``(n, d)`` (float32 unless stated)."""

    def config(self) -> dict:
        """Parameters that rebuild this system (written into every run's config)."""
        return {"name": self.name}


class HamiltonianSystem(System):
    """A system given by ``H(q, p)``; the vector field is ``(dH/dp, -dH/dq)``.

    Subclasses set ``n_dof`` (and ``separable`` when ``H = T(p) + V(q)``) and write
    :meth:`hamiltonian`. The default :meth:`vector_field` differentiates ``H`` with
    autograd; subclasses override it with the closed form where they have one.
    """

    n_dof: int
    separable: bool = False

    @property
    def dim(self) -> int:  # type: ignore[override]
        return 2 * self.n_dof

    @abstractmethod
    def hamiltonian(self, y: Tensor) -> Tensor:
        """``H(q, p)`` for states shaped ``(..., 2 n_dof)``; returns ``(...)``."""

    def split(self, y: Tensor) -> tuple[Tensor, Tensor]:
        """``(q, p)``, each shaped ``(..., n_dof)``."""
        return y[..., : self.n_dof], y[..., self.n_dof :]

    def energy(self, y: Tensor) -> Tensor:
        return self.hamiltonian(y)

    def vector_field(self, t: Tensor, y: Tensor) -> Tensor:
        return symplectic_gradient(self.hamiltonian, y, self.n_dof, create_graph=y.requires_grad)


def symplectic_gradient(
    hamiltonian: Callable[[Tensor], Tensor], y: Tensor, n_dof: int, *, create_graph: bool | None = None
) -> Tensor:
    """``J grad H = (dH/dp, -dH/dq)`` for states ``(..., 2 n_dof)``, by autograd.

    ``create_graph``: keep the gradient's graph (training on the vector field, Newton
    solves, JVPs); None: when the caller is in grad mode or ``y`` requires grad, so that
    plain rollouts under ``torch.no_grad`` skip it.
    """
    if create_graph is None:
        create_graph = torch.is_grad_enabled() or y.requires_grad
    with torch.enable_grad():
        y_ = y if y.requires_grad else y.detach().requires_grad_(True)
        (dH,) = torch.autograd.grad(hamiltonian(y_).sum(), y_, create_graph=create_graph)
    return torch.cat([dH[..., n_dof:], -dH[..., :n_dof]], dim=-1)
