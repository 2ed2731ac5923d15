"""Activations: named fixed functions, learned sub-network types, frozen interpolated types,
and the diverse layer that mixes types among a layer's neurons."""

from physnet.activations.banks import (
    DEFAULT_GRID,
    FixedBank,
    FrozenBank,
    InterpolatedActivation,
    LearnedBank,
    activation_grid,
    freeze,
)
from physnet.activations.diverse import DiverseActivation, type_assignment
from physnet.activations.files import load_activations, save_activations
from physnet.activations.fixed import ACTIVATIONS, get_activation

__all__ = [
    "ACTIVATIONS",
    "DEFAULT_GRID",
    "DiverseActivation",
    "FixedBank",
    "FrozenBank",
    "InterpolatedActivation",
    "LearnedBank",
    "activation_grid",
    "freeze",
    "get_activation",
    "load_activations",
    "save_activations",
    "type_assignment",
]
