"""Building models from a few choices: task shape, hidden widths, hidden-layer kind."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import torch
from torch import nn

from physnet.activations import DiverseActivation, FixedBank, type_assignment
from physnet.activations.diverse import TypeBank
from physnet.errors import UserError
from physnet.networks.dissipative import DissipativeHamiltonianNetwork
from physnet.networks.mlp import MLP
from physnet.networks.models import Classifier, HamiltonianNetwork, NeuralVectorField, SeparableHamiltonianNetwork

MODEL_KINDS = ("nn", "hnn", "hnn-separable", "dhnn", "dhnn-forced", "classifier")
#: Models trained on the derivative of their network (``grad H``): their activations need a
#: second derivative, so frozen types interpolate cubically for them.
ENERGY_MODELS = ("hnn", "hnn-separable", "dhnn", "dhnn-forced")


def hidden_activation(
    n: int, bank: nn.Module | str, *, fractions: Sequence[float] | None = None, assignment: torch.Tensor | None = None
) -> DiverseActivation:
    """The activation of a hidden layer of ``n`` neurons.

    Args:
        bank: a fixed activation name (a plain layer), or a bank of ``k`` types (learned or
            frozen) for a diverse layer.
        fractions: the share of the neurons each type gets (default even).
        assignment: the type of every neuron, ``(n,)`` (in place of ``fractions``).
    """
    if isinstance(bank, str):
        bank = FixedBank([bank])
    if assignment is None:
        assignment = type_assignment(n, cast(TypeBank, bank).k, fractions)
    elif len(assignment) != n:
        raise UserError(f"assignment has {len(assignment)} entries for a layer of {n} neurons")
    return DiverseActivation(assignment, bank)


def build_model(
    kind: str,
    dim_in: int,
    hidden: Sequence[int],
    banks: Sequence[nn.Module | str] | nn.Module | str,
    *,
    dim_out: int | None = None,
    seeds: Sequence[int] = (0,),
    fractions: Sequence[float] | None = None,
    dtype: torch.dtype = torch.float32,
    device: str | torch.device = "cpu",
    state_names: tuple[str, ...] | None = None,
    init: str = "default",
    output_bias: bool = True,
) -> nn.Module:
    """A model of ``kind`` (``nn``, ``hnn``, ``hnn-separable``, ``dhnn``, ``classifier``).

    Args:
        dim_in: state dimension (``2 n_dof`` for Hamiltonian models) or input width.
        hidden: hidden widths, e.g. ``[100]``.
        banks: one activation per hidden layer (a name or a bank), or one for all.
        dim_out: output width (classifier only; forecasters return ``dim_in``).
        seeds: one seed per ensemble member.
        init: weight initialisation, ``default`` (as ``nn.Linear``) or ``orthogonal``.
        output_bias: give the output layer a bias (a Hamiltonian network's has no use for
            one: a constant does not change ``grad H``). A ``dhnn``'s friction network always
            has one (a constant friction is its bias).
    """
    if kind not in MODEL_KINDS:
        raise UserError(f"unknown model {kind!r}; valid models: {', '.join(MODEL_KINDS)}")
    hidden = list(hidden)
    if not hidden:
        raise UserError("give at least one hidden layer")
    if isinstance(banks, (str, nn.Module)):
        banks = [banks] * len(hidden)
    if len(banks) != len(hidden):
        raise UserError(f"{len(hidden)} hidden layers need {len(hidden)} activation banks, got {len(banks)}")
    banks = [b if isinstance(b, str) else b.to(device) for b in banks]  # frozen tables follow the model

    def mlp(n_in: int, n_out: int, offset: int = 0, bias: bool = output_bias) -> MLP:
        acts = [hidden_activation(n, b, fractions=fractions) for n, b in zip(hidden, banks, strict=True)]
        member_seeds = [s + offset for s in seeds]
        return MLP([n_in, *hidden, n_out], acts, member_seeds, dtype=dtype, device=device, init=init, output_bias=bias)

    if kind == "nn":
        return NeuralVectorField(mlp(dim_in, dim_in), state_names)
    if kind == "hnn":
        return HamiltonianNetwork(mlp(dim_in, 1), state_names)
    if kind in ("dhnn", "dhnn-forced"):
        if dim_in % 2:
            raise UserError(f"a dissipative Hamiltonian state has even dimension, got {dim_in}")
        n = dim_in // 2
        friction = mlp(dim_in, n * (n + 1) // 2, offset=2_000_003, bias=True)
        forcing = mlp(dim_in, n, offset=3_000_017, bias=True) if kind == "dhnn-forced" else None
        return DissipativeHamiltonianNetwork(mlp(dim_in, 1), friction, state_names, forcing)
    if kind == "hnn-separable":
        if dim_in % 2:
            raise UserError(f"a Hamiltonian state has even dimension, got {dim_in}")
        # distinct seeds for the two halves so T and V do not start as copies
        return SeparableHamiltonianNetwork(mlp(dim_in // 2, 1), mlp(dim_in // 2, 1, offset=1_000_003), state_names)
    if dim_out is None:
        raise UserError("a classifier needs dim_out (number of classes)")
    return Classifier(mlp(dim_in, dim_out))
