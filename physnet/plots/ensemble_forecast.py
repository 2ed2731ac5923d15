"""An ensemble forecast's figures: each state against time with the median and central bands
over the truth, the phase portrait with the members' spread, the ensemble's energy drift, and
the reliability of its bands (nominal level against the share of true states inside)."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from physnet.plots.figure import subplots

#: Orbits drawn at most (the CSV holds all of them).
MAX_DRAWN = 4
BAND_ALPHA = {0.5: 0.35, 0.9: 0.18}


def _limits(truth: np.ndarray | None, median: np.ndarray) -> tuple[float, float] | None:
    """Axis limits around the truth (or the median), so that a member that runs away does not
    hide the rest."""
    ref = truth if truth is not None and np.isfinite(truth).any() else median
    if not np.isfinite(ref).any():
        return None
    lo, hi = float(np.nanmin(ref)), float(np.nanmax(ref))
    pad = 0.5 * (hi - lo) or 1.0
    return lo - pad, hi + pad


def plot_band_orbits(
    t: np.ndarray,
    median: np.ndarray,
    bands: dict[float, tuple[np.ndarray, np.ndarray]],
    truth: np.ndarray | None,
    state_names,
    *,
    title: str = "",
) -> Figure:
    """Per state (rows) and orbit (columns, at most :data:`MAX_DRAWN`): the truth or record
    ``(N, T, d)`` in black, the ensemble median ``(N, T, d)`` and each central band
    ``{level: (lower, upper)}`` shaded."""
    n = min(MAX_DRAWN, median.shape[0])
    d = median.shape[-1]
    fig, axes = subplots(d, n, figsize=(3.6 * n + 0.6, 1.9 * d + 0.9), squeeze=False, sharex=True)
    for k in range(d):
        for i in range(n):
            ax = axes[k, i]
            for level in sorted(bands, reverse=True):
                lo, hi = bands[level]
                ax.fill_between(
                    t, lo[i, :, k], hi[i, :, k], color="tab:blue", alpha=BAND_ALPHA.get(level, 0.25), lw=0,
                    label=f"{100 * level:.0f} % band" if (i, k) == (0, 0) else None,
                )  # fmt: skip
            ax.plot(t, median[i, :, k], color="tab:blue", lw=1.2, label="median" if (i, k) == (0, 0) else None)
            if truth is not None:
                ax.plot(t, truth[i, :, k], color="black", lw=1.0, label="truth" if (i, k) == (0, 0) else None)
            limits = _limits(None if truth is None else truth[i, :, k], median[i, :, k])
            if limits is not None:
                ax.set_ylim(*limits)
            if i == 0:
                ax.set_ylabel(state_names[k])
            if k == 0:
                ax.set_title(f"orbit {i}", fontsize=9)
    for i in range(n):
        axes[-1, i].set_xlabel("time")
    axes[0, 0].legend(fontsize=7)
    fig.suptitle(title)
    return fig


def plot_band_phase(
    rollouts: np.ndarray, median: np.ndarray, truth: np.ndarray | None, state_names, *, title: str = ""
) -> Figure:
    """Phase portrait of the first two components (for four, also the second pair): every
    member ``(E, N, T, d)`` faint, the median bold, the truth black, at most
    :data:`MAX_DRAWN` orbits."""
    d = median.shape[-1]
    pairs = [(0, 1)] if d < 4 else [(0, d // 2), (1, d // 2 + 1)]
    n = min(MAX_DRAWN, median.shape[0])
    fig, axes = subplots(1, len(pairs), figsize=(4.6 * len(pairs), 4.2), squeeze=False)
    for ax, (i, j) in zip(axes[0], pairs, strict=True):
        for o in range(n):
            colour = f"C{o}"
            for member in rollouts[:, o]:
                ax.plot(member[:, i], member[:, j], color=colour, lw=0.4, alpha=0.15)
            ax.plot(median[o, :, i], median[o, :, j], color=colour, lw=1.4, label="median" if o == 0 else None)
            if truth is not None:
                ax.plot(truth[o, :, i], truth[o, :, j], "k--", lw=1.0, label="truth" if o == 0 else None)
            ax.plot(median[o, 0, i], median[o, 0, j], "ko", ms=3)
        for axis, k in ((ax.set_xlim, i), (ax.set_ylim, j)):
            limits = _limits(None if truth is None else truth[:n, :, k], median[:n, :, k])
            if limits is not None:
                axis(*limits)
        ax.set_xlabel(state_names[i])
        ax.set_ylabel(state_names[j])
    axes[0][0].legend(fontsize=7)
    fig.suptitle(title + f" ({rollouts.shape[0]} members, faint)")
    return fig


def plot_energy_band(t: np.ndarray, energy: np.ndarray, truth: np.ndarray | None, *, title: str = "") -> Figure:
    """The ensemble's energy ``(E, N, T)`` against time, as drift from each orbit's start:
    median over members and orbits, with the central 90 % of members (orbit 0); the true
    energy's drift ``(N, T)`` in black."""
    fig, ax = subplots(figsize=(6.4, 4))
    drift = energy - energy[..., :1]
    with np.errstate(all="ignore"):
        per_time = np.nanmedian(drift, axis=(0, 1))
        lo, hi = np.nanpercentile(drift[:, 0], [5, 95], axis=0)
    ax.fill_between(t, lo, hi, color="tab:blue", alpha=0.2, lw=0, label="90 % of members (orbit 0)")
    ax.plot(t, per_time, color="tab:blue", lw=1.2, label="median drift")
    if truth is not None:
        ax.plot(t, np.nanmedian(truth - truth[:, :1], axis=0), color="black", lw=1.0, label="truth")
    ax.set_xlabel("time")
    ax.set_ylabel("energy - energy at start")
    ax.legend(fontsize=8)
    fig.suptitle(title)
    return fig


def plot_reliability(record: dict, *, title: str = "") -> Figure:
    """The reliability of the central bands: nominal level against the share of true states
    inside, one line per horizon (a calibrated ensemble lies on the diagonal; below it, the
    bands are too narrow)."""
    fig, ax = subplots(figsize=(4.8, 4.4))
    levels = np.asarray(record["levels"], dtype=float)
    for h, share in enumerate(record["horizons"]):
        observed = [record["coverage"][f"{level:g}"][h] for level in levels]
        values = np.asarray([np.nan if v is None else v for v in observed], dtype=float)
        ax.plot(levels, values, "o-", lw=1.2, ms=3, label=f"at {100 * share:.0f} % of the horizon")
    ax.plot([0, 1], [0, 1], "k:", lw=1, label="calibrated")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("band level (nominal)")
    ax.set_ylabel("share of true states inside")
    ax.legend(fontsize=8)
    fig.suptitle(title + f" ({record['members']} members, {record['orbits']} orbits)")
    return fig


__all__ = ["plot_band_orbits", "plot_band_phase", "plot_energy_band", "plot_reliability"]
