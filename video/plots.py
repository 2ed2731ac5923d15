"""Diagnostic plots of a tracked video: marks over a frame, theta(t), phase portrait."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from video.pipeline import PhaseSpace
from video.tracking import Tracks


def plot_tracks_on_frame(tracks: Tracks, *, frame: np.ndarray | None = None) -> Figure:
    """Every mark's track drawn over one frame (BGR ``(H, W, 3)``; the first frame by default)."""
    frame = tracks.first_frame if frame is None else frame
    fig = Figure(figsize=(6.4, 4.8))
    ax = fig.subplots()
    if frame is not None:
        ax.imshow(frame[..., ::-1])
    else:
        ax.invert_yaxis()
        ax.set_aspect("equal")
    for name, xy in tracks.positions.items():
        ax.plot(xy[:, 0], xy[:, 1], ".", ms=2, label=f"{name} ({100 * tracks.found_fraction(name):.0f} % found)")
    ax.set_xlabel("x (px)")
    ax.set_ylabel("y (px)")
    ax.legend(loc="upper right", fontsize=8)
    ax.set_title("tracked marks")
    return fig


def plot_angle(ps: PhaseSpace) -> Figure:
    """theta(t) with the estimated period and amplitude decay in the title."""
    fig = Figure(figsize=(8, 3.2))
    ax = fig.subplots()
    ax.plot(ps.t, ps.theta, lw=0.9)
    ax.set_xlabel("t (s)")
    ax.set_ylabel(r"$\theta$ (rad)")
    period = f"period {ps.period:.4g} s" if ps.period else "period: fewer than two cycles"
    decay = f", amplitude decay {ps.decay_rate:.3g} /s" if ps.decay_rate is not None else ""
    ax.set_title(period + decay)
    return fig


def plot_phase_portrait(ps: PhaseSpace) -> Figure:
    """(theta, theta_dot) coloured by time."""
    fig = Figure(figsize=(4.8, 4.4))
    ax = fig.subplots()
    sc = ax.scatter(ps.theta, ps.theta_dot, c=ps.t, s=2, cmap="viridis")
    fig.colorbar(sc, ax=ax, label="t (s)")
    ax.set_xlabel(r"$\theta$ (rad)")
    ax.set_ylabel(r"$\dot\theta$ (rad/s)")
    ax.set_title("phase portrait")
    return fig
