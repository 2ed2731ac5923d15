"""Steps 3-5 of the pipeline: positions -> angle -> smoothed angle and derivatives -> diagnostics."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from video.angles import fill_gaps, fit_circle, longest_finite_run, pivot_angle, remove_trend, two_mark_angle
from video.derivatives import is_evenly_sampled, resample_evenly, savgol_derivatives
from video.oscillation import amplitude_decay, period
from video.tracking import MarkNotFoundError, Tracks

MODES = ("two-mark", "pivot")


@dataclass(frozen=True)
class PhaseSpaceConfig:
    """How positions become a phase-space series.

    Attributes:
        mode: ``two-mark`` (angle of the line from the first mark to the second) or
            ``pivot`` (angle of the first mark about a pivot).
        pivot: ``"auto"`` (least-squares circle through the track) or ``(x, y)`` pixels.
        max_gap: longest run of missing frames filled by interpolation.
        max_missing: largest fraction of frames a mark may be missing from.
        zero: ``"median"`` measures theta from the median angle (the equilibrium; also
            absorbs a rotated camera) or ``"none"`` from the image's vertical.
        detrend: degree of a polynomial trend to remove (the paper: 3), or None.
        window, order: Savitzky-Golay window (odd, samples) and polynomial order.
    """

    mode: str = "two-mark"
    pivot: str | tuple[float, float] = "auto"
    max_gap: int = 5
    max_missing: float = 0.5
    zero: str = "median"
    detrend: int | None = None
    window: int = 23
    order: int = 3

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"unknown angle mode {self.mode!r}; valid: {', '.join(MODES)}")
        if self.zero not in ("median", "none"):
            raise ValueError(f"zero must be 'median' or 'none', got {self.zero!r}")

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class PhaseSpace:
    """An evenly sampled series ``t, theta, theta_dot, theta_ddot`` (each ``(T,)``; s, rad,
    rad/s, rad/s^2) and what was done to get it."""

    t: np.ndarray
    theta: np.ndarray
    theta_dot: np.ndarray
    theta_ddot: np.ndarray
    n_frames: int
    n_filled: int
    resampled: bool
    dt: float
    pivot: tuple[float, float] | None = None
    period: float | None = None
    amplitude: float | None = None
    decay_rate: float | None = None
    notes: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        return {
            "frames": self.n_frames,
            "samples": int(len(self.t)),
            "gaps_filled": self.n_filled,
            "resampled_to_even_grid": self.resampled,
            "dt": self.dt,
            "pivot": self.pivot,
            "period_s": self.period,
            "amplitude_rad": self.amplitude,
            "amplitude_decay_rate_per_s": self.decay_rate,
            "notes": self.notes,
        }


def raw_angle(tracks: Tracks, config: PhaseSpaceConfig) -> tuple[np.ndarray, tuple[float, float] | None]:
    """Per-frame angle (NaN where a mark is missing) and the pivot used (pivot mode)."""
    names = tracks.names
    for name in names:
        frac = tracks.found_fraction(name)
        if frac < 1 - config.max_missing:
            raise MarkNotFoundError(
                f"mark {name!r} found in only {100 * frac:.0f} % of frames; check its colour, --roi or --search-radius"
            )
    if config.mode == "two-mark":
        if len(names) != 2:
            raise ValueError(
                f"two-mark mode needs two marks, got {len(names)} ({', '.join(names)}); "
                "for one marked bob use pivot mode (--mark NAME)"
            )
        return two_mark_angle(tracks.positions[names[0]], tracks.positions[names[1]]), None
    bob = tracks.positions[names[0]]
    if config.pivot == "auto":
        cx, cy, _ = fit_circle(bob)
        pivot = (cx, cy)
    else:
        pivot = (float(config.pivot[0]), float(config.pivot[1]))
    return pivot_angle(bob, pivot), pivot


def phase_space(tracks: Tracks, config: PhaseSpaceConfig = PhaseSpaceConfig()) -> PhaseSpace:
    """Turn tracked positions into an evenly sampled angle series with derivatives.

    Raises:
        MarkNotFoundError: a mark missing from more than ``max_missing`` of the frames.
        ValueError: too few samples for the smoothing window, bad settings.
    """
    t = np.asarray(tracks.t, dtype=np.float64)
    if len(t) < 2 or not (np.diff(t) > 0).all():
        raise ValueError("frame times must be strictly increasing and at least two")
    theta, pivot = raw_angle(tracks, config)
    notes: list[str] = []
    ok = np.isfinite(theta)
    theta[ok] = np.unwrap(theta[ok])
    theta, n_filled, n_left = fill_gaps(t, theta, config.max_gap)
    if n_filled:
        notes.append(f"filled {n_filled} missing frames by cubic interpolation")
    if n_left:
        keep = longest_finite_run(theta)
        notes.append(
            f"{n_left} frames in gaps longer than {config.max_gap} frames; kept the longest clean stretch, "
            f"t = {t[keep][0]:.3f}-{t[keep][-1]:.3f} s"
        )
        t, theta = t[keep], theta[keep]
    resampled = not is_evenly_sampled(t)
    if resampled:
        t, theta = resample_evenly(t, theta)
        notes.append(f"uneven frame times: resampled onto an even grid at the median interval {t[1] - t[0]:.5f} s")
    dt = float(t[1] - t[0]) if len(t) > 1 else float("nan")
    if config.zero == "median":
        theta = theta - np.median(theta)
    theta = remove_trend(t, theta, config.detrend)
    smooth, vel, acc = savgol_derivatives(theta, dt, window=config.window, order=config.order)
    amp, decay = amplitude_decay(t, smooth)
    return PhaseSpace(
        t,
        smooth,
        vel,
        acc,
        n_frames=len(tracks.t),
        n_filled=n_filled,
        resampled=resampled,
        dt=dt,
        pivot=pivot,
        period=period(t, smooth),
        amplitude=amp,
        decay_rate=decay,
        notes=notes,
    )
