"""Reference models a network is measured against: sparse regression of the vector field
(SINDy: a library of candidate terms, :mod:`physnet.references.library`, fitted by sequentially
thresholded least squares, :mod:`physnet.references.sindy`) as an ensemble that rolls out like a
network (:mod:`physnet.references.sparse_field`)."""

from __future__ import annotations
