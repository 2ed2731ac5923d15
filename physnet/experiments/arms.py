"""The comparison arms: which activation every hidden neuron gets."""

from __future__ import annotations

from torch import nn

from physnet.activations import ACTIVATIONS, FixedBank, FrozenBank

#: The paper's arms first, then the classic ones.
ARMS = ("base", "type1", "type2", "mix", "relu", "tanh")
PAPER_ARMS = ("base", "type1", "type2", "mix")


def check_arms(arms: list[str], frozen: FrozenBank | None) -> None:
    """Refuse unknown arms, and arms that need more learned types than the file holds."""
    for arm in arms:
        if arm not in ARMS:
            raise ValueError(f"unknown arm {arm!r}; valid arms: {', '.join(ARMS)}")
    need = max([{"type1": 1, "type2": 2, "mix": 2}.get(a, 0) for a in arms], default=0)
    if need and frozen is None:
        raise ValueError(f"arms {', '.join(a for a in arms if a in ('type1', 'type2', 'mix'))} need an activations file")
    if frozen is not None and frozen.k < need:
        raise ValueError(f"the activations file holds {frozen.k} type(s) but the arms need {need}")


def arm_bank(arm: str, frozen: FrozenBank | None, base: str = "sin") -> nn.Module:
    """The activation bank of ``arm``: the base function, one learned type, both types
    mixed half and half, or a classic activation."""
    if arm == "base":
        return FixedBank([base])
    if arm in ("relu", "tanh"):
        return FixedBank([arm])
    if arm == "type1":
        return frozen.select([0])
    if arm == "type2":
        return frozen.select([1])
    if arm == "mix":
        return frozen.select([0, 1])
    raise ValueError(f"unknown arm {arm!r}; valid arms: {', '.join(ARMS)}")


__all__ = ["ACTIVATIONS", "ARMS", "PAPER_ARMS", "arm_bank", "check_arms"]
