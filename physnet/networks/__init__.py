"""Networks: ensemble-ready MLPs and the paper's models built on them."""

from physnet.networks.build import ENERGY_MODELS, MODEL_KINDS, build_model, hidden_activation
from physnet.networks.dissipative import DissipativeHamiltonianNetwork
from physnet.networks.ensemble_linear import EnsembleLinear
from physnet.networks.mlp import MLP
from physnet.networks.models import (
    Classifier,
    HamiltonianNetwork,
    NeuralVectorField,
    SeparableHamiltonianNetwork,
    symplectic_gradient,
)

__all__ = [
    "ENERGY_MODELS",
    "MLP",
    "MODEL_KINDS",
    "Classifier",
    "DissipativeHamiltonianNetwork",
    "EnsembleLinear",
    "HamiltonianNetwork",
    "NeuralVectorField",
    "SeparableHamiltonianNetwork",
    "build_model",
    "hidden_activation",
    "symplectic_gradient",
]
