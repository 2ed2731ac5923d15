"""Figures outside pyplot's global state: importing a plotting module chooses no backend."""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure


def subplots(nrows: int = 1, ncols: int = 1, **kwargs: Any) -> tuple[Figure, Any]:
    """A figure and its axes, as ``pyplot.subplots`` takes them, but not registered with
    pyplot: no backend is chosen or needed (saving renders with Agg) and nothing stays open."""
    figsize = kwargs.pop("figsize", None)
    fig = Figure(figsize=figsize)
    return fig, fig.subplots(nrows, ncols, **kwargs)
