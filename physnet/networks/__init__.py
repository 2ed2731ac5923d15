"""Networks: ensemble-ready MLPs and the paper's models built on them."""

from physnet.networks.build import MODEL_KINDS, build_model, hidden_activation
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
    "MLP",
    "MODEL_KINDS",
    "Classifier",
    "EnsembleLinear",
    "HamiltonianNetwork",
    "NeuralVectorField",
    "SeparableHamiltonianNetwork",
    "build_model",
    "hidden_activation",
    "symplectic_gradient",
]

#: Names of earlier releases: still importable, with a DeprecationWarning, for one release.
_RENAMED = {"Forecaster": "NeuralVectorField"}


def __getattr__(name: str):
    if name in _RENAMED:
        import warnings

        warnings.warn(
            f"physnet.networks.{name} is now {_RENAMED[name]}; the old name goes in the next release",
            DeprecationWarning,
            stacklevel=2,
        )
        return globals()[_RENAMED[name]]
    raise AttributeError(f"module 'physnet.networks' has no attribute {name!r}")
