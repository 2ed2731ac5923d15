"""Analysis plots: joint density of (metric, r) per arm (the paper's Fig. 8) and Hessian
eigenvalue densities per arm."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from physnet.plots.study import ARM_COLOURS  # noqa: E402


def plot_metric_vs_participation(rows: list[dict], *, metric: str) -> Figure:
    """One panel per arm: hexbin density of (metric, r = R/N) over seeds, points on top."""
    arms = list(dict.fromkeys(r["arm"] for r in rows))
    fig, axes = plt.subplots(1, len(arms), figsize=(3.6 * len(arms), 3.4), squeeze=False, sharex=True, sharey=True)
    for ax, arm in zip(axes[0], arms):
        sub = [r for r in rows if r["arm"] == arm and np.isfinite(r["r"]) and np.isfinite(r["metric"])]
        x = np.array([r["metric"] for r in sub])
        y = np.array([r["r"] for r in sub])
        if len(x) >= 3:
            ax.hexbin(x, y, gridsize=12, cmap="Greys", mincnt=1)
        ax.plot(x, y, ".", color=ARM_COLOURS.get(arm, "tab:purple"), ms=4)
        ax.set_title(arm)
        ax.set_xlabel(metric)
    axes[0][0].set_ylabel("participation r = R / N")
    return fig


def plot_eigenvalue_densities(densities: dict, *, sigma: float | None = None) -> Figure:
    """Hessian eigenvalue density (stochastic Lanczos quadrature, averaged over seeds) per arm."""
    fig, ax = plt.subplots(figsize=(6, 4))
    nodes = np.concatenate([d.nodes.ravel() for ds in densities.values() for d in ds]) if densities else np.zeros(1)
    lo, hi = float(nodes.min()), float(nodes.max())
    span = max(hi - lo, 1e-12)
    grid = np.linspace(lo - 0.05 * span, hi + 0.05 * span, 800)
    width = sigma or span / 200
    for arm, ds in densities.items():
        ax.semilogy(grid, np.mean([d.density(grid, width) for d in ds], axis=0) + 1e-12,
                    color=ARM_COLOURS.get(arm, "tab:purple"), label=arm)
    ax.set_xlabel("Hessian eigenvalue")
    ax.set_ylabel("density")
    ax.legend()
    return fig
