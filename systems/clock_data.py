"""The real pendulum-clock series shipped with the package, and a reader for any such CSV."""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

#: Header every series file carries (seconds, radians, rad/s, rad/s^2).
SERIES_HEADER = ("t", "theta", "theta_dot", "theta_ddot")


@dataclass(frozen=True)
class PendulumSeries:
    """An angle series sampled in time; every array shaped ``(T,)``."""

    t: np.ndarray
    theta: np.ndarray
    theta_dot: np.ndarray
    theta_ddot: np.ndarray

    def __len__(self) -> int:
        return len(self.t)

    @property
    def states(self) -> np.ndarray:
        """``(theta, theta_dot)`` shaped ``(T, 2)``: the network input."""
        return np.stack([self.theta, self.theta_dot], axis=-1)

    @property
    def derivatives(self) -> np.ndarray:
        """``(theta_dot, theta_ddot)`` shaped ``(T, 2)``: the network target."""
        return np.stack([self.theta_dot, self.theta_ddot], axis=-1)

    def split(self, train_fraction: float = 0.8) -> tuple[PendulumSeries, PendulumSeries]:
        """The published split: the first ``train_fraction`` of rows for training,
        the rest for validation, in time order (no shuffling, no overlap)."""
        if not 0 < train_fraction < 1:
            raise ValueError(f"train_fraction must lie in (0, 1), got {train_fraction}")
        k = int(math.floor(train_fraction * len(self)))
        if k == 0 or k == len(self):
            raise ValueError(f"series of {len(self)} rows is too short to split at {train_fraction}")
        cut = lambda a, s: a[s]  # noqa: E731
        first, last = slice(0, k), slice(k, None)
        return (
            PendulumSeries(*(cut(a, first) for a in (self.t, self.theta, self.theta_dot, self.theta_ddot))),
            PendulumSeries(*(cut(a, last) for a in (self.t, self.theta, self.theta_dot, self.theta_ddot))),
        )


def shipped_clock_path() -> Path:
    """Path of the real pendulum-clock CSV shipped inside the package."""
    return Path(str(resources.files("systems") / "data" / "pendulum_clock.csv"))


#: Largest angle, angular velocity or acceleration taken from a series file (radians and seconds).
MAX_MAGNITUDE = 1e6


def load_pendulum_series(path: str | Path | None = None) -> PendulumSeries:
    """Read a series CSV with header ``t,theta,theta_dot,theta_ddot``.

    Args:
        path: a CSV file; default: the real pendulum clock shipped with the package
            (2986 rows at about 29.9 frames per second; see ``systems/data/SOURCE.md``).

    Raises:
        FileNotFoundError, ValueError: with a one-line message saying what is wrong
            with the file (missing, wrong header, non-numeric or NaN values, time not
            increasing, fewer than 10 rows).
    """
    path = shipped_clock_path() if path is None else Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"series file not found: {path}")
    try:  # utf-8-sig: a byte-order mark (spreadsheet exports) is not part of the header
        with open(path, encoding="utf-8-sig") as fh:
            header = tuple(h.strip() for h in fh.readline().split(","))
    except UnicodeDecodeError:
        raise ValueError(
            f"{path} is not a UTF-8 text file; expected a CSV with header {','.join(SERIES_HEADER)}"
        ) from None
    if header != SERIES_HEADER:
        raise ValueError(f"{path}: header must be {','.join(SERIES_HEADER)}, found {','.join(header) or '(empty)'}")
    try:
        data = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2, dtype=np.float64, encoding="utf-8-sig")
    except ValueError as err:
        raise ValueError(f"{path}: cannot parse as numbers ({err})") from None
    if data.shape[1] != 4:
        raise ValueError(f"{path}: expected 4 columns, found {data.shape[1]}")
    if len(data) < 10:
        raise ValueError(f"{path}: only {len(data)} rows; need at least 10")
    if not np.isfinite(data).all():
        bad = int(np.argwhere(~np.isfinite(data))[0, 0]) + 2
        raise ValueError(f"{path}: NaN or infinite value on line {bad}; fill or drop it first")
    if (np.abs(data[:, 1:]) > MAX_MAGNITUDE).any():  # t may be a clock time (e.g. Unix seconds)
        bad = int(np.argmax((np.abs(data[:, 1:]) > MAX_MAGNITUDE).any(axis=1))) + 2
        raise ValueError(
            f"{path}: an angle or rate beyond {MAX_MAGNITUDE:.0e} on line {bad}; the series is read "
            "in radians and seconds"
        )
    if not (np.diff(data[:, 0]) > 0).all():
        raise ValueError(f"{path}: column t must be strictly increasing")
    return PendulumSeries(*(data[:, i].copy() for i in range(4)))
