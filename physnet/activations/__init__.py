"""Activations: named fixed functions, learned sub-network types, frozen interpolated types,
and the diverse layer that mixes types among a layer's neurons.

A *bank* is a module with ``k`` types and ``apply_type(j, x)``, which applies type ``j``'s
function to every entry of ``x`` at once: :class:`FixedBank` (named functions),
:class:`LearnedBank` (meta-learned sub-networks), :class:`FrozenBank` (interpolated samples).
"""

from physnet.activations.diverse import DiverseActivation, type_assignment
from physnet.activations.files import load_activations, save_activations
from physnet.activations.fixed import ACTIVATIONS, FixedBank, get_activation
from physnet.activations.frozen import INTERPOLATION_KINDS, FrozenBank, InterpolatedActivation, freeze
from physnet.activations.grid import DEFAULT_GRID, activation_grid
from physnet.activations.learned import LearnedBank

__all__ = [
    "ACTIVATIONS",
    "DEFAULT_GRID",
    "INTERPOLATION_KINDS",
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
