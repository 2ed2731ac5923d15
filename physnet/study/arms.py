"""The comparison arms: which activation every hidden neuron gets."""

from __future__ import annotations

from torch import nn

from physnet.activations import ACTIVATIONS, FixedBank, FrozenBank
from physnet.activations.sine_fit import fitted_bank
from physnet.errors import UserError
from physnet.tasks.arm_names import ARMS, CLASSIC_ARMS, CONTROL_ARMS, PAPER_ARMS

#: The learned type an arm needs (1-based), or 2 for arms needing both.
_TYPES_NEEDED = {"type1": 1, "type2": 2, "mix": 2, "untrained1": 1, "untrained2": 2, "fit1": 1, "fit2": 2}


def needs_frozen(arm: str) -> bool:
    """Whether ``arm``'s neurons are frozen (interpolated) types: the learned types, the mix
    and the untrained controls (the fitted controls are sine-family functions)."""
    return arm in _TYPES_NEEDED and not arm.startswith("fit")


def check_arms(arms: list[str], frozen: FrozenBank | None) -> None:
    """Refuse unknown arms, and arms that need more learned types than the file holds (or
    the types before meta-learning, which older files lack)."""
    for arm in arms:
        if arm not in ARMS:
            raise UserError(f"unknown arm {arm!r}; valid arms: {', '.join(ARMS)}")
    need = max([_TYPES_NEEDED.get(a, 0) for a in arms], default=0)
    if need and frozen is None:
        raise UserError(f"arms {', '.join(a for a in arms if a in _TYPES_NEEDED)} need an activations file")
    if frozen is not None and frozen.k < need:
        raise UserError(f"the activations file holds {frozen.k} type(s) but the arms need {need}")
    if frozen is not None and frozen.initial is None and any(a.startswith("untrained") for a in arms):
        frozen.untrained()  # raises the one-line explanation


def arm_bank(arm: str, frozen: FrozenBank | None, base: str = "sin") -> nn.Module:
    """The activation bank of ``arm``: the base function, one learned type, both types
    mixed half and half, a classic activation, or a control."""
    if arm == "base":
        return FixedBank([base])
    if arm in ("relu", "tanh"):
        return FixedBank([arm])
    if arm not in _TYPES_NEEDED:
        raise UserError(f"unknown arm {arm!r}; valid arms: {', '.join(ARMS)}")
    if frozen is None:
        raise UserError(f"arm {arm!r} needs an activations file")
    if arm == "mix":
        return frozen.select([0, 1])
    j = int(arm[-1]) - 1
    if arm.startswith("type"):
        return frozen.select([j])
    if arm.startswith("untrained"):
        return frozen.untrained().select([j])
    return fitted_bank(frozen.grid, frozen.values[[j]])[0]


def control_fits(frozen: FrozenBank | None) -> list[dict[str, float]] | None:
    """Each learned type's fit within the sine family (``{a, b, c, rms}``), for reports."""
    if frozen is None:
        return None
    return fitted_bank(frozen.grid, frozen.values)[1]


__all__ = [
    "ACTIVATIONS",
    "ARMS",
    "CLASSIC_ARMS",
    "CONTROL_ARMS",
    "PAPER_ARMS",
    "arm_bank",
    "check_arms",
    "needs_frozen",
    "control_fits",
]
