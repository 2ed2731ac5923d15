"""Networks: ensemble-ready MLPs and the paper's models built on them."""

from physnet.networks.build import MODEL_KINDS, build_model, hidden_activation
from physnet.networks.ensemble_linear import EnsembleLinear
from physnet.networks.mlp import MLP
from physnet.networks.models import (
    Classifier,
    Forecaster,
    HamiltonianNetwork,
    SeparableHamiltonianNetwork,
    symplectic_gradient,
)

__all__ = [
    "MLP",
    "MODEL_KINDS",
    "Classifier",
    "EnsembleLinear",
    "Forecaster",
    "HamiltonianNetwork",
    "SeparableHamiltonianNetwork",
    "build_model",
    "hidden_activation",
    "symplectic_gradient",
]
