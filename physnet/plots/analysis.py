"""Analysis plots: joint density of (metric, r) per arm (the paper's Fig. 8) and Hessian
eigenvalue densities per arm."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from physnet.plots.figure import subplots
from physnet.plots.study import ARM_COLOURS


def density_levels(x: np.ndarray, y: np.ndarray, shares: tuple[float, ...] = (0.9, 0.5)):
    """A Gaussian KDE of the points ``(x, y)`` (each ``(n,)``) and the density levels whose
    contours enclose about ``shares`` of them (highest-density regions); ``None`` when the points
    are too few or lie on a line (no two-dimensional density)."""
    from scipy.stats import gaussian_kde

    if len(x) < 4 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return None
    try:
        kde = gaussian_kde(np.vstack([x, y]))
    except np.linalg.LinAlgError:  # points on a line
        return None
    at_points = kde(np.vstack([x, y]))
    levels = sorted({float(np.quantile(at_points, 1 - share)) for share in shares})
    return kde, levels


def plot_metric_vs_participation(rows: list[dict], *, metric: str) -> Figure:
    """The paper's Fig. 8: per arm, the joint density of (metric, r = R/N) over seeds as
    Gaussian-KDE contours enclosing about 90 % and 50 % of the seeds, the seeds as points,
    arms overlaid in one panel with a legend."""
    arms = list(dict.fromkeys(r["arm"] for r in rows))
    fig, ax = subplots(figsize=(6.4, 4.6))
    points = {}
    for arm in arms:
        sub = [r for r in rows if r["arm"] == arm and np.isfinite(r["r"]) and np.isfinite(r["metric"])]
        points[arm] = (np.array([r["metric"] for r in sub]), np.array([r["r"] for r in sub]))
    every_x = np.concatenate([x for x, _ in points.values()]) if points else np.zeros(1)
    every_y = np.concatenate([y for _, y in points.values()]) if points else np.zeros(1)
    pad_x, pad_y = 0.1 * (np.ptp(every_x) or 1.0), 0.1 * (np.ptp(every_y) or 1.0)
    gx, gy = np.meshgrid(
        np.linspace(every_x.min() - pad_x, every_x.max() + pad_x, 120),
        np.linspace(every_y.min() - pad_y, every_y.max() + pad_y, 120),
    )
    for arm, (x, y) in points.items():
        colour = ARM_COLOURS.get(arm, "tab:purple")
        ax.plot(x, y, ".", color=colour, ms=4, alpha=0.7, label=f"{arm} ({len(x)} seeds)")
        density = density_levels(x, y)
        if density is not None:
            kde, levels = density
            z = kde(np.vstack([gx.ravel(), gy.ravel()])).reshape(gx.shape)
            ax.contour(gx, gy, z, levels=levels, colors=[colour], linewidths=[0.8, 1.6][-len(levels) :])
    ax.set_xlabel(metric)
    ax.set_ylabel("participation r = R / N")
    ax.set_title("contours: about 90 % (thin) and 50 % (thick) of the seeds")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    return fig


def plot_eigenvalue_densities(densities: dict, *, sigma: float | None = None) -> Figure:
    """Hessian eigenvalue density (stochastic Lanczos quadrature, averaged over seeds) per arm."""
    fig, ax = subplots(figsize=(6, 4))
    nodes = np.concatenate([d.nodes.ravel() for ds in densities.values() for d in ds]) if densities else np.zeros(1)
    lo, hi = float(nodes.min()), float(nodes.max())
    span = max(hi - lo, 1e-12)
    grid = np.linspace(lo - 0.05 * span, hi + 0.05 * span, 800)
    width = sigma or span / 200
    for arm, ds in densities.items():
        ax.semilogy(
            grid,
            np.mean([d.density(grid, width) for d in ds], axis=0) + 1e-12,
            color=ARM_COLOURS.get(arm, "tab:purple"),
            label=arm,
        )
    ax.set_xlabel("Hessian eigenvalue")
    ax.set_ylabel("density")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)  # beside, never on, the curves
    return fig
