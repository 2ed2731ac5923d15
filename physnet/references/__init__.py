"""Reference models a network is measured against: sparse regression of the vector field
(SINDy: a library of candidate terms, :mod:`physnet.references.library`, fitted by sequentially
thresholded least squares, :mod:`physnet.references.sindy`) as an ensemble that rolls out like a
network (:mod:`physnet.references.sparse_field`). A study runs them as its reference arms
(:mod:`physnet.study.references`)."""

from __future__ import annotations

from physnet.references.library import Library, angle_states
from physnet.references.sindy import (
    Pairs,
    Selection,
    bootstrap_fits,
    equations,
    fit_coefficients,
    regression_pairs,
    select_library,
)
from physnet.references.sparse_field import SparseVectorField

__all__ = [
    "Library",
    "Pairs",
    "Selection",
    "SparseVectorField",
    "angle_states",
    "bootstrap_fits",
    "equations",
    "fit_coefficients",
    "regression_pairs",
    "select_library",
]
