"""The candidate terms of a sparse regression: monomials of the states up to a degree and,
for angle states, their sines and cosines at a few harmonics.

The columns come in a fixed order - Fourier terms first, then the monomials graded by degree
(constant, linear, quadratic, ...) - so that the library of a lower degree is a prefix of a
higher one's: a least-squares problem compressed once at the highest degree (its QR factor)
serves every lower degree by taking the leading block (:mod:`physnet.references.sindy`).
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass

import torch
from torch import Tensor

from physnet.errors import UserError

#: State names read as angles (Fourier terms are offered for them), each optionally numbered or
#: subscripted: ``theta``, ``theta1``, ``phi_2`` (not ``theta_dot``).
ANGLE_NAMES = ("theta", "phi", "psi", "angle")
_ANGLE = re.compile(rf"^({'|'.join(ANGLE_NAMES)})_?\d*$", re.IGNORECASE)


def angle_states(state_names: tuple[str, ...]) -> tuple[int, ...]:
    """Indices of the states whose names mark them as angles (:data:`ANGLE_NAMES`)."""
    return tuple(i for i, name in enumerate(state_names) if _ANGLE.match(name))


def monomial_exponents(dim: int, degree: int) -> list[tuple[int, ...]]:
    """Exponent tuples of every monomial of ``dim`` variables up to ``degree``, graded by degree
    (within a degree in the order of ``itertools.combinations_with_replacement``)."""
    out = []
    for total in range(degree + 1):
        for combo in itertools.combinations_with_replacement(range(dim), total):
            out.append(tuple(combo.count(i) for i in range(dim)))
    return out


def n_terms(dim: int, degree: int, n_angles: int = 0, harmonics: int = 0) -> int:
    """Columns of the library: ``C(dim + degree, degree)`` monomials and ``2 n_angles harmonics``
    Fourier terms."""
    return len(monomial_exponents(dim, degree)) + 2 * n_angles * harmonics


@dataclass(frozen=True)
class Library:
    """Candidate terms of a vector field.

    Attributes:
        state_names: the ``d`` states' names (for the equations' text).
        degree: highest total degree of the monomials (0 keeps only the constant).
        angles: indices of the states given Fourier terms; harmonics: their frequencies ``1..harmonics``.
    """

    state_names: tuple[str, ...]
    degree: int
    angles: tuple[int, ...] = ()
    harmonics: int = 0

    def __post_init__(self) -> None:
        if isinstance(self.degree, bool) or int(self.degree) != self.degree or self.degree < 0:
            raise UserError(f"a library degree is a whole number >= 0, got {self.degree}")
        if any(not 0 <= a < len(self.state_names) for a in self.angles):
            raise UserError(f"angle states {self.angles} outside the {len(self.state_names)} states")

    @property
    def dim(self) -> int:
        return len(self.state_names)

    def exponents(self) -> list[tuple[int, ...]]:
        return monomial_exponents(self.dim, self.degree)

    def fourier_terms(self) -> list[tuple[str, int, int]]:
        """``(function, state index, harmonic)`` per Fourier column, in column order."""
        return [(fn, a, k) for k in range(1, self.harmonics + 1) for a in self.angles for fn in ("sin", "cos")]

    def __len__(self) -> int:
        return n_terms(self.dim, self.degree, len(self.angles), self.harmonics)

    def names(self) -> list[str]:
        """Each column's term as text: ``sin(theta)``, ``1``, ``x``, ``x^2 v``."""
        out = [f"{fn}({'' if k == 1 else f'{k} '}{self.state_names[a]})" for fn, a, k in self.fourier_terms()]
        for powers in self.exponents():
            factors = [n if p == 1 else f"{n}^{p}" for n, p in zip(self.state_names, powers, strict=True) if p]
            out.append(" ".join(factors) or "1")
        return out

    @functools.cached_property
    def _exponents(self) -> Tensor:
        return torch.tensor(self.exponents(), dtype=torch.long)  # (F, d)

    def features(self, y: Tensor) -> Tensor:
        """The library evaluated at states ``(..., d)`` -> ``(..., len(self))`` (dtype of ``y``)."""
        columns = []
        if self.harmonics and self.angles:
            angles = y[..., list(self.angles)]  # (..., A)
            phase = torch.cat([k * angles for k in range(1, self.harmonics + 1)], dim=-1)  # (..., K A)
            columns.append(torch.stack([phase.sin(), phase.cos()], dim=-1).flatten(-2))  # (..., K A 2)
        powers = [torch.ones_like(y), y]
        for _ in range(2, self.degree + 1):
            powers.append(powers[-1] * y)
        table = torch.stack(powers[: self.degree + 1], dim=-1)  # (..., d, degree + 1)
        exponents = self._exponents.to(y.device)
        # each monomial is the product over the states of the chosen power of each
        picked = table[..., torch.arange(self.dim, device=y.device), exponents]  # (..., F, d)
        columns.append(picked.prod(dim=-1))
        return torch.cat(columns, dim=-1)

    def to_dict(self) -> dict:
        return {
            "state_names": list(self.state_names),
            "degree": int(self.degree),
            "angles": list(self.angles),
            "harmonics": int(self.harmonics),
        }

    @classmethod
    def from_dict(cls, d: dict) -> Library:
        return cls(tuple(d["state_names"]), int(d["degree"]), tuple(d.get("angles", ())), int(d.get("harmonics", 0)))

    def describe(self) -> str:
        """``polynomial of degree 3`` or ``polynomial of degree 3 with sin/cos of theta (harmonics 1-2)``."""
        text = f"polynomial of degree {self.degree}"
        if self.harmonics and self.angles:
            names = ", ".join(self.state_names[a] for a in self.angles)
            text += (
                f" with sin/cos of {names} (harmonics 1-{self.harmonics})"
                if self.harmonics > 1
                else (f" with sin/cos of {names}")
            )
        return text


__all__ = ["ANGLE_NAMES", "Library", "angle_states", "monomial_exponents", "n_terms"]
