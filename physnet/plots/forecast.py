"""Forecast plots: truth against model in phase space, error and energy against time."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from physnet.plots.figure import subplots


def plot_forecast_orbits(truth: np.ndarray, model: np.ndarray, state_names, *, title: str = "") -> Figure:
    """Phase-space orbits ``(N, T, d)``: truth solid, model dashed; first two components
    (and, for four components, the second pair too)."""
    d = truth.shape[-1]
    pairs = [(0, 1)] if d < 4 else [(0, d // 2), (1, d // 2 + 1)]
    fig, axes = subplots(1, len(pairs), figsize=(4.6 * len(pairs), 4.2), squeeze=False)
    for ax, (i, j) in zip(axes[0], pairs, strict=True):
        for n in range(len(truth)):
            (line,) = ax.plot(truth[n, :, i], truth[n, :, j], lw=1.2, label="truth" if n == 0 else None)
            ax.plot(
                model[n, :, i], model[n, :, j], "--", color=line.get_color(), lw=1.2, label="model" if n == 0 else None
            )
            ax.plot(truth[n, 0, i], truth[n, 0, j], "ko", ms=3)
        ax.set_xlabel(state_names[i])
        ax.set_ylabel(state_names[j])
    axes[0][0].legend()
    fig.suptitle(title)
    return fig


def plot_forecast_error(t: np.ndarray, error: np.ndarray, *, title: str = "") -> Figure:
    """State error ``(N, T)`` of each forecast against time, log scale, one labelled line per
    orbit; the y-range is set by the errors themselves (the zero at the start is left out)."""
    fig, ax = subplots(figsize=(6, 3.8))
    for n, e in enumerate(np.atleast_2d(error)):
        shown = np.where(np.isfinite(e) & (e > 0), e, np.nan)
        ax.semilogy(t, shown, lw=1, label=f"orbit {n + 1}")
    ax.set_yscale("log")
    positive = error[np.isfinite(error) & (error > 0)]
    if positive.size:
        ax.set_ylim(positive.min() / 2, positive.max() * 2)
    ax.legend(fontsize=8)
    ax.set_xlabel("time")
    ax.set_ylabel("|model - truth|")
    ax.set_title(title)
    return fig


def plot_forecast_energy(t: np.ndarray, truth: np.ndarray, model: np.ndarray, *, title: str = "") -> Figure:
    """The true system's energy ``(N, T)`` along the true orbit (solid) and the forecast (dashed)."""
    fig, ax = subplots(figsize=(6, 3.8))
    for n in range(len(truth)):
        (line,) = ax.plot(t, truth[n], lw=1)
        ax.plot(t, model[n], "--", color=line.get_color(), lw=1)
    ax.set_xlabel("time")
    ax.set_ylabel("energy (solid: truth, dashed: model)")
    ax.set_title(title)
    return fig
