"""A dissipative Hamiltonian network's energy: the learned ``H`` along the forecast against the
true energy, and each arm's learned friction against the system's."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from physnet.plots.figure import subplots
from physnet.plots.study import ARM_COLOURS


def plot_dissipation(
    t: np.ndarray,
    truth: np.ndarray | None,
    energies: dict[str, np.ndarray],
    friction: dict[str, np.ndarray],
    true_damping: float | None,
    *,
    title: str = "",
) -> Figure:
    """Left: energy against time ``t`` ``(T,)``: the truth ``(T,)`` where known and, per arm, the
    median over seeds of the learned ``H`` ``{arm: (E, T)}``. Right: each arm's learned friction
    per seed ``{arm: (E,)}`` with the true rate as a line."""
    fig, (left, right) = subplots(1, 2, figsize=(10, 3.8))
    if truth is not None:
        left.plot(t, truth, color="black", lw=1.6, label="true energy")
    for arm, h in energies.items():
        with np.errstate(all="ignore"):
            median = np.nanmedian(h, axis=0)
        left.plot(t, median, color=ARM_COLOURS.get(arm), lw=1.1, label=f"{arm}: learned H (median)")
    left.set_xlabel("time")
    left.set_ylabel("energy (first orbit)")
    left.legend(fontsize=7)
    names = list(friction)
    right.boxplot([friction[a] for a in names], tick_labels=names)
    if true_damping is not None:
        right.axhline(true_damping, color="black", ls=":", lw=1, label=f"true {true_damping:g}")
        right.legend(fontsize=7)
    right.set_ylabel("learned friction rate")
    fig.suptitle(title)
    return fig


__all__ = ["plot_dissipation"]
