"""Forecast skill across seeds: the median rollout of each arm with its spread, and the
normalised error against time with the valid-prediction threshold."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from physnet.plots.figure import subplots
from physnet.plots.study import ARM_COLOURS


def _band(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Median and quartiles over the first axis, ignoring lost (NaN) rollouts."""
    with np.errstate(all="ignore"):
        q1, median, q3 = np.nanpercentile(values, [25, 50, 75], axis=0)
    return median, q1, q3


def plot_skill_rollouts(
    t: np.ndarray, truth: np.ndarray, rollouts: dict[str, np.ndarray], state_names, *, title: str = ""
) -> Figure:
    """One orbit's truth ``(T, d)`` against each arm's rollouts ``{arm: (E, T, d)}`` over
    seeds: per state component, the median across seeds as a line and the interquartile
    range as a band."""
    d = truth.shape[-1]
    fig, axes = subplots(d, 1, figsize=(7, 1.9 * d + 0.8), squeeze=False, sharex=True)
    for k, ax in enumerate(axes[:, 0]):
        ax.plot(t, truth[:, k], color="black", lw=1.6, label="truth")
        for arm, rolled in rollouts.items():
            median, q1, q3 = _band(rolled[:, :, k])
            colour = ARM_COLOURS.get(arm)
            ax.plot(t, median, lw=1.1, color=colour, label=f"{arm} (median of {len(rolled)} seeds)")
            ax.fill_between(t, q1, q3, color=colour, alpha=0.2, lw=0)
        lo, hi = float(np.min(truth[:, k])), float(np.max(truth[:, k]))
        pad = 0.5 * (hi - lo) or 1.0
        ax.set_ylim(lo - pad, hi + pad)  # a rollout that runs away does not hide the truth
        ax.set_ylabel(state_names[k])
    axes[0, 0].legend(fontsize=7, ncol=2)
    axes[-1, 0].set_xlabel("time")
    fig.suptitle(title)
    return fig


def plot_skill_error(
    t: np.ndarray, errors: dict[str, np.ndarray], threshold: float, *, title: str = "", cap: float | None = None
) -> Figure:
    """Normalised error ``{arm: (E, N, T)}`` against time: per arm the median over seeds of
    the median over orbits, the interquartile range across seeds as a band, and the
    threshold that ends the valid prediction time; log scale."""
    fig, ax = subplots(figsize=(6.4, 4))
    for arm, error in errors.items():
        per_seed = np.median(error, axis=1)  # (E, T)
        median, q1, q3 = _band(per_seed)
        colour = ARM_COLOURS.get(arm)
        shown = slice(1, None)  # the error is zero at the start
        ax.semilogy(t[shown], median[shown], color=colour, lw=1.2, label=arm)
        ax.fill_between(t[shown], np.maximum(q1[shown], 1e-12), q3[shown], color=colour, alpha=0.2, lw=0)
    ax.axhline(threshold, color="black", ls=":", lw=1, label=f"threshold {threshold:g}")
    if cap is not None:
        ax.set_ylim(top=cap * 1.5)
    ax.set_xlabel("time")
    ax.set_ylabel("|model - truth| / spread of the states")
    ax.legend(fontsize=8)
    ax.set_title(title)
    return fig


__all__ = ["plot_skill_error", "plot_skill_rollouts"]
