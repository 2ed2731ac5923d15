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
    "sindy": "tab:cyan",
    "truth": "black",
}


def plot_arm_boxes(
    values: dict[str, np.ndarray],
    *,
    metric: str,
    title: str = "",
    log: bool | None = None,
    ax=None,
    failed: dict[str, np.ndarray] | None = None,
    floor: float | None = None,
    variance: float | None = None,
) -> Figure:
    """One box per arm (median, quartiles, whiskers, outliers) with every seed as a dot;
    failed seeds as red crosses, and seeds whose metric is not finite (diverged) as red
    triangles at the top edge. With ``floor`` (the targets' noise floor) a grey band from
    zero to the floor, the axis reaching down to it; with ``variance`` (the targets') a
    right-hand axis in ``1 - R^2``.

    Args:
        values: ``{arm: (n,) metric values}``.
        log: log scale (default: for MSE metrics spanning more than a decade).
        failed: ``{arm: (n,) bool}``, the seeds whose training failed
            (:mod:`physnet.study.failures`).
    """
    if ax is None:
        fig, ax = subplots(figsize=(1.3 * len(values) + 2, 4))
    else:
        fig = ax.figure
    names = list(values)
    data = [np.asarray(values[n], dtype=float) for n in names]
    finite = [d[np.isfinite(d)] for d in data]
    box = ax.boxplot([f if f.size else np.array([np.nan]) for f in finite], patch_artist=True, showfliers=False)
    ax.set_xticks(range(1, len(names) + 1), names)
    for patch, name in zip(box["boxes"], names, strict=True):
        patch.set_facecolor(ARM_COLOURS.get(name, "tab:purple"))
        patch.set_alpha(0.6)
    everything = np.concatenate(finite) if any(f.size for f in finite) else np.array([1.0])
    if log is None:
        log = metric.endswith("mse") and everything.min() > 0 and everything.max() / everything.min() > 10
    if log:
        ax.set_yscale("log")
    rng = np.random.default_rng(0)
    top = float(everything.max())
    marked = {"failed": False, "off": False}
    for i, (name, d) in enumerate(zip(names, data, strict=True), start=1):
        x = i + rng.uniform(-0.12, 0.12, len(d))
        bad = np.zeros(len(d), dtype=bool) if failed is None or name not in failed else np.asarray(failed[name], bool)
        ok = np.isfinite(d)
        ax.plot(x[ok & ~bad], d[ok & ~bad], "k.", ms=3, alpha=0.6)
        if (ok & bad).any():
            ax.plot(x[ok & bad], d[ok & bad], "x", color="tab:red", ms=5, label=None if marked["failed"] else "failed")
            marked["failed"] = True
        if (~ok).any():
            label = None if marked["off"] else "diverged (off scale)"
            ax.plot(x[~ok], np.full((~ok).sum(), top), "^", color="tab:red", ms=6, label=label)
            marked["off"] = True
    if floor is not None and floor > 0 and np.isfinite(floor):
        low = min(float(everything.min()), floor)
        ax.axhspan(low * 0.5 if log else 0.0, floor, color="0.6", alpha=0.35, label="targets' noise floor")
        ax.axhline(floor, color="0.35", lw=1)
        ax.set_ylim(low * 0.8 if log else 0.0, None)
        marked["floor"] = True
    if any(marked.values()):
        ax.legend(fontsize=8, loc="best")
    if variance:
        right = ax.secondary_yaxis("right", functions=(lambda v: v / variance, lambda r: r * variance))
        right.set_ylabel("1 - R^2 (of the targets' variance)")
    ax.set_ylabel(metric)
    ax.set_title(title)
    return fig


def plot_tuning_curves(
    curves: dict[str, dict], *, metric: str, title: str = "", higher_is_better: bool = False
) -> Figure:
    """Median validation metric on the held-back slice against the learning rate, one line
    per arm (with the quartiles as a band), the chosen rate circled.

    Args:
        curves: ``{arm: {"rates": (R,), "values": (R, seeds), "chosen": rate}}``.
    """
    fig, ax = subplots(figsize=(6, 4))
    positive = True
    for arm, c in curves.items():
        rates = np.asarray(c["rates"], dtype=float)
        values = np.asarray(c["values"], dtype=float)
        worst = -np.inf if higher_is_better else np.inf
        values = np.where(np.isnan(values), worst, values)
        q1, med, q3 = np.percentile(values, [25, 50, 75], axis=1)
        colour = ARM_COLOURS.get(arm, "tab:purple")
        shown = np.isfinite(med)
        ax.plot(rates[shown], med[shown], "o-", color=colour, label=arm)
        band = np.isfinite(q1) & np.isfinite(q3)
        ax.fill_between(rates[band], q1[band], q3[band], color=colour, alpha=0.15)
        best = list(rates).index(c["chosen"]) if c["chosen"] in list(rates) else None
        if best is not None and np.isfinite(med[best]):
            ax.plot([rates[best]], [med[best]], "o", ms=12, mfc="none", mec=colour)
        positive = positive and bool((med[shown] > 0).all())
    ax.set_xscale("log")
    if metric.endswith("mse") and positive:
        ax.set_yscale("log")
    ax.set_xlabel("learning rate")
    ax.set_ylabel(f"{metric} on the held-back slice (median)")
    ax.legend(fontsize=8)
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
