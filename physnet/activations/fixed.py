"""Named fixed activations, all from one table, and the bank that applies them by type."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn

from physnet.activations.slopes import slope_of
from physnet.errors import UserError

Activation = Callable[[Tensor], Tensor]


def _zero(x: Tensor) -> Tensor:
    return x * 0.0  # keeps the graph and dtype; a true zero function of x


def _identity(x: Tensor) -> Tensor:
    return x


#: Name -> elementwise function. ``ramp`` is the paper's name for relu.
ACTIVATIONS: dict[str, Activation] = {
    "relu": torch.relu,
    "ramp": torch.relu,
    "tanh": torch.tanh,
    "sin": torch.sin,
    "sigmoid": torch.sigmoid,
    "identity": _identity,
    "zero": _zero,
    "elu": torch.nn.functional.elu,
    "softplus": torch.nn.functional.softplus,
    "gelu": torch.nn.functional.gelu,
    "silu": torch.nn.functional.silu,
}


def get_activation(name: str) -> Activation:
    """The elementwise function called ``name``; a wrong name is a ValueError listing valid ones."""
    if name not in ACTIVATIONS:
        raise UserError(f"unknown activation {name!r}; valid activations: {', '.join(ACTIVATIONS)}")
    return ACTIVATIONS[name]


class FixedBank(nn.Module):
    """k named fixed functions (e.g. ``["sin"]`` for a homogeneous sine layer)."""

    def __init__(self, names: list[str]) -> None:
        super().__init__()
        if not names:
            raise UserError("a bank needs at least one activation")
        self.names = list(names)
        self._fns = [get_activation(n) for n in names]

    @property
    def k(self) -> int:
        return len(self.names)

    def apply_type(self, j: int, x: Tensor) -> Tensor:
        return self._fns[j](x)

    def value_and_slope_type(self, j: int, x: Tensor) -> tuple[Tensor, Tensor]:
        """Type ``j``'s value and derivative at every element of ``x`` (any shape)."""
        return self._fns[j](x), slope_of(self.names[j])(x)

    def describe(self) -> dict:
        return {"kind": "fixed", "names": self.names}
