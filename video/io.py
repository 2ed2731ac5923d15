"""Series and tracks files (CSV)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from video.pipeline import PhaseSpace
from video.tracking import Tracks

SERIES_HEADER = "t,theta,theta_dot,theta_ddot"


def write_series_csv(path: str | Path, ps: PhaseSpace) -> None:
    """``t,theta,theta_dot,theta_ddot`` (s, rad, rad/s, rad/s^2): what the forecasting side reads."""
    data = np.column_stack([ps.t, ps.theta, ps.theta_dot, ps.theta_ddot])
    np.savetxt(path, data, delimiter=",", header=SERIES_HEADER, comments="", fmt="%.8g")


def write_tracks_csv(path: str | Path, tracks: Tracks) -> None:
    """``t`` then ``<mark>_x,<mark>_y`` per mark (pixels; empty where the mark was not found)."""
    header = ["t"] + [f"{n}_{c}" for n in tracks.names for c in ("x", "y")]
    cols = [tracks.t] + [tracks.positions[n][:, i] for n in tracks.names for i in (0, 1)]
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(",".join(header) + "\n")
        for row in zip(*cols, strict=True):
            fh.write(",".join("" if not np.isfinite(v) else f"{v:.6g}" for v in row) + "\n")


#: Largest pixel coordinate taken from a positions file (frames are far smaller).
MAX_PIXELS = 1e6


def read_tracks_csv(path: str | Path, *, fps: float | None = None) -> Tracks:
    """Read a positions file: header ``t`` (seconds) or ``frame`` (with ``fps``), then pairs
    ``<mark>_x,<mark>_y``; empty cells are missing positions.

    Raises:
        FileNotFoundError, ValueError: one line naming what is wrong.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"positions file not found: {path}")
    try:  # utf-8-sig: a byte-order mark (spreadsheet exports) is not part of the header
        with open(path, encoding="utf-8-sig") as fh:
            header = [h.strip() for h in fh.readline().strip().split(",")]
            rows = [line.rstrip("\n").split(",") for line in fh if line.strip()]
    except UnicodeDecodeError:
        raise ValueError(
            f"{path} is not a UTF-8 text file; expected a positions CSV (t or frame, then <mark>_x,<mark>_y pairs)"
        ) from None
    time_col = header[0] if header else ""
    marks = header[1:]
    if time_col not in ("t", "frame") or not marks or len(marks) % 2:
        raise ValueError(f"{path}: header must be t (or frame) then <mark>_x,<mark>_y pairs, found {','.join(header)}")
    names = []
    for xcol, ycol in zip(marks[::2], marks[1::2], strict=True):
        if not (xcol.endswith("_x") and ycol.endswith("_y") and xcol[:-2] == ycol[:-2]):
            raise ValueError(f"{path}: columns {xcol},{ycol} are not a <mark>_x,<mark>_y pair")
        names.append(xcol[:-2])
    if time_col == "frame" and not fps:
        raise ValueError(f"{path} counts frames, not seconds: pass --fps")
    try:
        table = np.array([[float(v) if v.strip() else np.nan for v in r] for r in rows], dtype=np.float64)
    except ValueError:
        raise ValueError(f"{path}: a cell is not a number") from None
    if table.ndim != 2 or table.shape[1] != len(header):
        raise ValueError(f"{path}: every row must have {len(header)} cells")
    if len(table) < 2:
        raise ValueError(f"{path}: need at least two rows of positions")
    t = table[:, 0] / fps if time_col == "frame" and fps else table[:, 0]
    if not np.isfinite(t).all():
        raise ValueError(f"{path}: the {time_col} column has empty or non-numeric cells")
    cells = table[:, 1:]
    if np.isinf(cells).any() or (np.abs(cells[np.isfinite(cells)]) > MAX_PIXELS).any():
        row = int(np.argmax((np.isinf(cells) | (np.abs(np.nan_to_num(cells)) > MAX_PIXELS)).any(axis=1))) + 2
        raise ValueError(f"{path}: line {row} holds a position beyond {MAX_PIXELS:.0e} pixels; positions are in pixels")
    positions = {n: table[:, 1 + 2 * i : 3 + 2 * i] for i, n in enumerate(names)}
    return Tracks(t, positions)
