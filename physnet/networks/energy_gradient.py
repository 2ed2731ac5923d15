"""A scalar network's input gradient in closed form: ``dH/dx`` of an MLP ``H`` written as a
forward computation through its layers, so that a Hamiltonian model's vector field costs one
forward-like pass and training differentiates it once (no double backward).

For ``z_l = h_{l-1} W_l + b_l``, ``h_l = sigma_l(z_l)`` and ``H = h_L w + c``::

    dH/dx = ((w^T * sigma_L'(z_L)) W_L^T * ... * sigma_1'(z_1)) W_1^T

The slopes come with the values from the activations' ``value_and_slope``
(:mod:`physnet.activations.slopes`), as plain differentiable code: autograd differentiates the
result in the weights (training) and in ``x`` (a Jacobian) with ``sigma''`` from those
expressions. Equal to ``autograd.grad(H(x).sum(), x)`` to float rounding (tests at 1e-12 in
float64, and gradcheck of a loss through it).
"""

from __future__ import annotations

from typing import cast

import torch
from torch import Tensor

from physnet.activations.diverse import DiverseActivation
from physnet.errors import UserError
from physnet.networks.ensemble_linear import EnsembleLinear
from physnet.networks.mlp import MLP


def value_and_input_gradient(net: MLP, x: Tensor) -> tuple[Tensor, Tensor]:
    """``H(x)`` and ``dH/dx`` of a network with one output: ``x`` ``(E, ..., d)`` for an
    ensemble of ``E`` members (``(..., d)`` for one) -> ``H`` ``(E, ...)`` and the gradient
    shaped like ``x``; differentiable in the weights and in ``x``."""
    if net.sizes[-1] != 1:
        raise UserError(f"an input gradient in closed form needs one output, got sizes {net.sizes}")
    single = net.n_members == 1
    h, lead = net.member_batches(x)
    slopes = []
    layers = [cast(EnsembleLinear, layer) for layer in net.layers]
    for layer, activation in zip(layers[:-1], net.activations, strict=True):
        h, slope = cast(DiverseActivation, activation).value_and_slope(layer(h))
        slopes.append(slope)
    out = layers[-1]
    value = out(h)  # (E, B, 1)
    grad = out.weight.transpose(1, 2)  # (E, 1, n_L): broadcast over the batch
    for layer, slope in zip(reversed(layers[:-1]), reversed(slopes), strict=True):
        grad = torch.bmm(grad * slope, layer.weight.transpose(1, 2))
    value = value.reshape(net.n_members, *lead)
    grad = grad.reshape(net.n_members, *lead, x.shape[-1])
    return (value.squeeze(0), grad.squeeze(0)) if single else (value, grad)


def input_gradient(net: MLP, x: Tensor) -> Tensor:
    """``dH/dx`` of :func:`value_and_input_gradient` alone (shaped like ``x``)."""
    return value_and_input_gradient(net, x)[1]


__all__ = ["input_gradient", "value_and_input_gradient"]
