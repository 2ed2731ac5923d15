"""The ablation map: the two effects of learned diversity against the varied settings."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from physnet.plots.figure import subplots

PANELS = (("learned_vs_base", "learned types vs base"), ("mix_vs_best_pure", "mix vs the better pure type"))


def plot_ablation(effects: list[dict], pooled: list[dict], names: list[str], *, title: str = "") -> Figure:
    """Two panels (learned vs base, mix vs the better pure type): the relative effect per
    setting along x, each meta seed as a dot with its 95 % interval, the pooled effect as a
    black diamond with its interval. Above zero: the first-named arm is better.

    Args:
        effects: rows of ``effects.csv`` (the varied names, ``meta_seed`` and the effect columns).
        pooled: one row per setting, pooled over meta seeds.
        names: the varied settings, in order.
    """
    labels = [", ".join(f"{n}={p[n]}" for n in names) or "default" for p in pooled]
    index = {tuple(p[n] for n in names): i for i, p in enumerate(pooled)}
    seeds = sorted({e["meta_seed"] for e in effects})
    width = max(6.0, 0.9 * len(pooled) + 2)
    fig, axes = subplots(1, 2, figsize=(2 * width, 4.2), squeeze=False)
    for ax, (key, caption) in zip(axes[0], PANELS, strict=True):
        for k, m in enumerate(seeds):
            offset = (k - (len(seeds) - 1) / 2) * 0.5 / max(len(seeds), 1)
            pts = [
                (index[tuple(e[n] for n in names)] + offset, e) for e in effects if e["meta_seed"] == m and e[key] != ""
            ]
            if pts:
                x = np.array([p[0] for p in pts])
                y = np.array([p[1][key + "_rel"] for p in pts])
                err = np.array(
                    [
                        [p[1][key + "_rel"] - p[1][key + "_rel_lo"] for p in pts],
                        [p[1][key + "_rel_hi"] - p[1][key + "_rel"] for p in pts],
                    ]
                )
                ax.errorbar(x, y, yerr=err, fmt="o", ms=4, capsize=2, alpha=0.6, label=f"meta seed {m}")
        if len(seeds) > 1:
            pts = [(i, p) for i, p in enumerate(pooled) if p[key] != ""]
            if pts:
                x = np.array([p[0] for p in pts], dtype=float)
                y = np.array([p[1][key + "_rel"] for p in pts])
                err = np.array(
                    [
                        [p[1][key + "_rel"] - p[1][key + "_rel_lo"] for p in pts],
                        [p[1][key + "_rel_hi"] - p[1][key + "_rel"] for p in pts],
                    ]
                )
                ax.errorbar(x, y, yerr=err, fmt="kD", ms=6, capsize=3, label="pooled")
        ax.axhline(0.0, color="gray", lw=0.8)
        ax.set_xticks(
            range(len(labels)),
            labels,
            rotation=30 if len(labels) > 3 else 0,
            ha="right" if len(labels) > 3 else "center",
            fontsize=8,
        )
        ax.set_ylabel("relative difference of medians\n(above 0: first-named arm better)")
        ax.set_title(caption)
        ax.legend(fontsize=7, loc="best")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


__all__ = ["plot_ablation"]
