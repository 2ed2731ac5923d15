"""Box plots of a comparison study."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from physnet.plots.figure import subplots

#: The paper's colours: base blue, type 1 yellow, type 2 orange, mix red.
ARM_COLOURS = {
    "base": "tab:blue",
    "type1": "gold",
    "type2": "darkorange",
    "mix": "tab:red",
    "relu": "tab:gray",
    "tanh": "tab:green",
    "untrained1": "khaki",
    "untrained2": "peachpuff",
    "fit1": "olive",
    "fit2": "saddlebrown",
}


def plot_arm_boxes(
    values: dict[str, np.ndarray], *, metric: str, title: str = "", log: bool | None = None, ax=None
) -> Figure:
    """One box per arm (median, quartiles, whiskers, outliers) with every seed as a dot.

    Args:
        values: ``{arm: (n,) metric values}``.
        log: log scale (default: for MSE metrics spanning more than a decade).
    """
    if ax is None:
        fig, ax = subplots(figsize=(1.3 * len(values) + 2, 4))
    else:
        fig = ax.figure
    names = list(values)
    data = [np.asarray(values[n], dtype=float) for n in names]
    box = ax.boxplot(data, patch_artist=True, showfliers=False)
    ax.set_xticks(range(1, len(names) + 1), names)
    for patch, name in zip(box["boxes"], names, strict=True):
        patch.set_facecolor(ARM_COLOURS.get(name, "tab:purple"))
        patch.set_alpha(0.6)
    rng = np.random.default_rng(0)
    for i, d in enumerate(data, start=1):
        ax.plot(i + rng.uniform(-0.12, 0.12, len(d)), d, "k.", ms=3, alpha=0.6)
    everything = np.concatenate(data) if data else np.array([1.0])
    if log is None:
        log = metric.endswith("mse") and everything.min() > 0 and everything.max() / everything.min() > 10
    if log:
        ax.set_yscale("log")
    ax.set_ylabel(metric)
    ax.set_title(title)
    return fig


def plot_size_sweep(
    values: dict[int, dict[str, np.ndarray]], *, metric: str, title: str = "", xlabel: str = "hidden neurons"
) -> Figure:
    """Box plots per group (along x: hidden sizes, as in the paper's Fig. 4, or meta seeds)
    and arm (colours).

    Args:
        values: ``{group: {arm: (n,) values}}``.
    """
    sizes = sorted(values)
    arms = list(next(iter(values.values())))
    fig, ax = subplots(figsize=(1.6 * len(sizes) * max(1, len(arms) / 3) + 2, 4))
    width = 0.8 / len(arms)
    for a, arm in enumerate(arms):
        positions = [i + (a - (len(arms) - 1) / 2) * width for i in range(len(sizes))]
        box = ax.boxplot(
            [values[s][arm] for s in sizes],
            positions=positions,
            widths=width * 0.9,
            patch_artist=True,
            showfliers=False,
        )
        for patch in box["boxes"]:
            patch.set_facecolor(ARM_COLOURS.get(arm, "tab:purple"))
            patch.set_alpha(0.7)
        ax.plot([], [], "s", color=ARM_COLOURS.get(arm, "tab:purple"), label=arm)
    ax.set_xticks(range(len(sizes)), [str(s) for s in sizes])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(metric)
    if metric.endswith("mse"):
        ax.set_yscale("log")
    ax.legend(ncol=len(arms), fontsize=8)
    ax.set_title(title)
    return fig
