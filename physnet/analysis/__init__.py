"""Analyses of trained networks: participation ratio of hidden activity, Hessian statistics."""

from physnet.analysis.hessian import (
    HessianOperator,
    SpectralDensity,
    TraceEstimate,
    hutchinson_trace,
    lanczos,
    spectral_density,
)
from physnet.analysis.participation import participation_ratio

__all__ = [
    "HessianOperator",
    "SpectralDensity",
    "TraceEstimate",
    "hutchinson_trace",
    "lanczos",
    "participation_ratio",
    "spectral_density",
]
