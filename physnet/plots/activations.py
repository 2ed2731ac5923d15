"""Activation plots: evolution during meta-learning, learned against base."""

from __future__ import annotations

import matplotlib
import numpy as np
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from physnet.activations import get_activation
from physnet.errors import UserError
from physnet.plots.figure import subplots


def plot_activation_evolution(grid: np.ndarray, snapshots: np.ndarray, *, title: str = "") -> Figure:
    """Each type's activation at every outer step, violet (start) to red (end).

    Args:
        grid: sample points shaped ``(G,)``.
        snapshots: values shaped ``(S+1, k, G)``, step 0 first.
    """
    snapshots = np.asarray(snapshots)
    if snapshots.ndim != 3 or snapshots.shape[-1] != len(grid):
        raise UserError(f"snapshots must be shaped (steps, k, G={len(grid)}), got {snapshots.shape}")
    steps, k, _ = snapshots.shape
    fig, axes = subplots(1, k, figsize=(4.2 * k, 3.8), squeeze=False, sharey=True)
    cmap = matplotlib.colormaps["rainbow"]
    for j, ax in enumerate(axes[0]):
        for s in range(steps):
            ax.plot(grid, snapshots[s, j], color=cmap(s / max(steps - 1, 1)), lw=0.8)
        ax.set_title(f"type {j + 1}")
        ax.set_xlabel("pre-activation a")
    axes[0][0].set_ylabel(r"activation $\sigma_n(a)$")
    sm = ScalarMappable(cmap=cmap, norm=Normalize(0, steps - 1))
    fig.colorbar(sm, ax=axes[0].tolist(), label="outer step")
    fig.suptitle(title)
    return fig


def plot_learned_vs_base(grid: np.ndarray, values: np.ndarray, base: str, *, title: str = "", ax=None) -> Figure:
    """Final learned types ``(k, G)`` against their base function on ``grid`` ``(G,)``."""
    import torch

    if ax is None:
        fig, ax = subplots(figsize=(5.5, 4))
    else:
        fig = ax.figure
    base_values = get_activation(base)(torch.as_tensor(np.asarray(grid, dtype=np.float64))).numpy()
    ax.plot(grid, base_values, "k--", lw=1.2, label=f"base ({base})")
    for j, v in enumerate(np.asarray(values)):
        ax.plot(grid, v, lw=1.5, label=f"type {j + 1}")
    ax.set_xlabel("pre-activation a")
    ax.set_ylabel("activation")
    ax.set_title(title)
    ax.legend()
    return fig


def plot_training_curves(history: dict[str, np.ndarray], *, title: str = "", ax=None) -> Figure:
    """Validation, inner-loop and outer (meta) losses against outer step, log scale."""
    if ax is None:
        fig, ax = subplots(figsize=(6, 4))
    else:
        fig = ax.figure
    steps = np.asarray(history["outer_step"])
    for key, label in (
        ("val_loss", "validation (whole split)"),
        ("train_loss", "inner loop (mean)"),
        ("meta_loss", "outer batch"),
    ):
        values = np.asarray(history[key], dtype=float)
        ok = np.isfinite(values)
        ax.semilogy(steps[ok], values[ok], marker="." if ok.sum() < 60 else None, label=label)
    ax.set_xlabel("outer step")
    ax.set_ylabel("loss")
    ax.set_title(title)
    ax.legend()
    return fig
