"""Colour marks: named colours and explicit ranges in OpenCV's HSV (hue 0-179, S and V 0-255)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Hue ranges of named colours; saturation and value must exceed the defaults below.
NAMED_HUES: dict[str, tuple[tuple[int, int], ...]] = {
    "red": ((0, 10), (170, 179)),
    "orange": ((11, 22),),
    "yellow": ((23, 35),),
    "green": ((36, 85),),
    "cyan": ((86, 100),),
    "blue": ((101, 130),),
    "magenta": ((131, 169),),
}
MIN_SATURATION = 90
MIN_VALUE = 60


@dataclass(frozen=True)
class Mark:
    """A coloured mark: a name and one or more HSV boxes ``((h0, h1), (s0, s1), (v0, v1))``."""

    name: str
    boxes: tuple[tuple[tuple[int, int], tuple[int, int], tuple[int, int]], ...]

    def mask(self, hsv: np.ndarray) -> np.ndarray:
        """Boolean mask shaped ``(H, W)`` of pixels inside any box, for ``hsv`` ``(H, W, 3)``."""
        h, s, v = hsv[..., 0], hsv[..., 1], hsv[..., 2]
        out = np.zeros(hsv.shape[:2], dtype=bool)
        for (h0, h1), (s0, s1), (v0, v1) in self.boxes:
            out |= (h >= h0) & (h <= h1) & (s >= s0) & (s <= s1) & (v >= v0) & (v <= v1)
        return out


def parse_mark(text: str) -> Mark:
    """``red`` (a named colour) or ``name=h0-h1:s0-s1:v0-v1`` (an explicit HSV box).

    Raises:
        ValueError: naming the valid colours or the expected syntax.
    """
    text = text.strip()
    if "=" in text:
        name, _, spec = text.partition("=")
        try:
            parts = [tuple(int(v) for v in p.split("-")) for p in spec.split(":")]
            if len(parts) != 3 or any(len(p) != 2 or p[0] > p[1] for p in parts):
                raise ValueError
        except ValueError:
            raise ValueError(
                f"mark {text!r}: expected name=h0-h1:s0-s1:v0-v1 (OpenCV HSV, e.g. tip=100-130:120-255:50-255)"
            ) from None
        return Mark(name.strip(), (tuple(parts),))  # type: ignore[arg-type]
    if text not in NAMED_HUES:
        raise ValueError(
            f"unknown mark colour {text!r}; named colours: {', '.join(NAMED_HUES)} (or name=h0-h1:s0-s1:v0-v1)"
        )
    return Mark(text, tuple((hue, (MIN_SATURATION, 255), (MIN_VALUE, 255)) for hue in NAMED_HUES[text]))
