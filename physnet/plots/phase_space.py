"""Phase-space portraits coloured by time, and energy-error traces."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from physnet.errors import UserError
from physnet.plots.figure import subplots


def _panels(dim: int, n_dof: int | None) -> list[tuple[int, int]]:
    """Pairs of state components to draw against each other."""
    if dim == 2:
        return [(0, 1)]
    if n_dof is not None and 2 * n_dof == dim:
        pairs = [(i, n_dof + i) for i in range(n_dof)]
        return ([(0, 1)] if n_dof >= 2 else []) + pairs
    return [(i, i + 1) for i in range(0, dim - 1, 2)]


def plot_phase_space(
    t: np.ndarray,
    states: np.ndarray,
    state_names: Sequence[str],
    *,
    n_dof: int | None = None,
    title: str = "",
    max_orbits: int = 20,
) -> Figure:
    """Orbits in phase space, each line coloured by time (violet early, yellow late).

    Args:
        t: times shaped ``(T,)``.
        states: orbits shaped ``(N, T, d)``.
        state_names: ``d`` axis labels.
        n_dof: for Hamiltonian states ``(q, p)``, draws ``(q_i, p_i)`` panels and, with
            two or more degrees of freedom, the configuration plane ``(q_1, q_2)``.
        max_orbits: draw at most this many orbits (the first ones).
    """
    states = np.asarray(states)
    if states.ndim != 3 or states.shape[1] != len(t):
        raise UserError(f"states must be shaped (N, T={len(t)}, d), got {states.shape}")
    panels = _panels(states.shape[-1], n_dof)
    fig, axes = subplots(1, len(panels), figsize=(4.6 * len(panels), 4.2), squeeze=False)
    norm = Normalize(float(t[0]), float(t[-1]))
    shown = states[:max_orbits]
    for ax, (i, j) in zip(axes[0], panels, strict=True):
        for orbit in shown:
            pts = orbit[:, [i, j]].reshape(-1, 1, 2)
            segs = np.concatenate([pts[:-1], pts[1:]], axis=1)
            lc = LineCollection(list(segs), cmap="viridis", norm=norm, linewidths=0.8)
            lc.set_array(np.asarray(t[:-1]))
            ax.add_collection(lc)
            ax.plot(orbit[0, i], orbit[0, j], "o", ms=3, color="k")
        ax.autoscale()
        ax.set_xlabel(state_names[i])
        ax.set_ylabel(state_names[j])
    fig.colorbar(lc, ax=axes[0].tolist(), label="time")
    extra = f" (first {max_orbits} of {len(states)} orbits)" if len(states) > max_orbits else ""
    fig.suptitle(title + extra)
    return fig


def plot_energy_error(t: np.ndarray, energy: np.ndarray, *, title: str = "", ax=None) -> Figure:
    """Relative energy error ``(E(t) - E(0)) / |E(0)|`` of each orbit against time.

    Args:
        t: times shaped ``(T,)``.
        energy: energies shaped ``(N, T)``.
    """
    energy = np.asarray(energy)
    if ax is None:
        fig, ax = subplots(figsize=(6, 3.8))
    else:
        fig = ax.figure
    scale = np.maximum(np.abs(energy[:, :1]), 1e-300)
    ax.plot(t, ((energy - energy[:, :1]) / scale).T, lw=0.8)
    ax.set_xlabel("time")
    ax.set_ylabel("relative energy change")
    ax.set_title(title)
    return fig
