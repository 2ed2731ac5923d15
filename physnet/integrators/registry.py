"""The table of integration methods: one name, one entry, one place to look it up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from torch import Tensor

from physnet.errors import UserError
from physnet.integrators.member_steps import discrete_gradient_member, implicit_midpoint_member, rk4_member


@dataclass(frozen=True)
class Method:
    """An integration method.

    Attributes:
        name: the name used in the API and the CLI.
        order: global order of accuracy (error ~ h^order).
        adaptive: step size chosen from ``rtol``/``atol`` (otherwise one step per
            output interval).
        symplectic: preserves the symplectic form; needs a Hamiltonian (q, p) split.
        needs_separable: valid only for ``H = T(p) + V(q)``.
        dissipative: keeps the structure of a dissipative Hamiltonian system (energy never
            increases); needs ``n_dof``, ``energy`` and ``dissipation``.
        torchdiffeq_name: the torchdiffeq solver behind it, or None for physnet's own.
        member_step: ``(system, f, y, h) -> y1``, one step of many trajectories each of which
            may fail alone (:mod:`physnet.integrators.member_steps`): what forecast skill and
            the rollout loss step with; None where they do not take the method.
    """

    name: str
    order: int
    adaptive: bool = False
    symplectic: bool = False
    needs_separable: bool = False
    dissipative: bool = False
    torchdiffeq_name: str | None = None
    member_step: Callable[..., Tensor] | None = None


METHODS: dict[str, Method] = {
    m.name: m
    for m in (
        Method("euler", 1, torchdiffeq_name="euler"),
        Method("midpoint", 2, torchdiffeq_name="midpoint"),
        Method("heun2", 2, torchdiffeq_name="heun2"),
        Method("heun3", 3, torchdiffeq_name="heun3"),
        Method("rk4", 4, torchdiffeq_name="rk4", member_step=rk4_member),
        Method("symplectic-euler", 1, symplectic=True, needs_separable=True),
        Method("leapfrog", 2, symplectic=True, needs_separable=True),
        Method("implicit-midpoint", 2, symplectic=True, member_step=implicit_midpoint_member),
        Method("discrete-gradient", 2, dissipative=True, member_step=discrete_gradient_member),
        Method("fehlberg2", 2, adaptive=True, torchdiffeq_name="fehlberg2"),
        Method("adaptive-heun", 2, adaptive=True, torchdiffeq_name="adaptive_heun"),
        Method("bosh3", 3, adaptive=True, torchdiffeq_name="bosh3"),
        Method("dopri5", 5, adaptive=True, torchdiffeq_name="dopri5"),
        Method("dopri8", 8, adaptive=True, torchdiffeq_name="dopri8"),
    )
}


def member_steps() -> dict[str, Callable[..., Tensor]]:
    """The methods that step many trajectories at once (forecast skill), name -> ``member_step``."""
    return {name: m.member_step for name, m in METHODS.items() if m.member_step is not None}


def get_method(name: str) -> Method:
    """Look a method up by name (underscores accepted for hyphens).

    Raises:
        ValueError: listing the valid names.
    """
    key = str(name).strip().lower().replace("_", "-")
    if key not in METHODS:
        raise UserError(f"unknown integration method {name!r}; valid methods: {', '.join(METHODS)}")
    return METHODS[key]
