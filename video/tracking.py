"""Tracking marks through a video: positions per frame, gaps recorded as NaN."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from video.detect import find_mark
from video.frames import VideoError, iter_frames
from video.marks import Mark


@dataclass
class Tracks:
    """Mark positions over time.

    Attributes:
        t: frame times in seconds, shaped ``(T,)``.
        positions: ``{mark name: (T, 2) array of (x, y) pixels}``, NaN where not found.
        first_frame: the first frame (BGR), kept for the diagnostic plot (None when
            the tracks came from a file).
    """

    t: np.ndarray
    positions: dict[str, np.ndarray]
    first_frame: np.ndarray | None = field(default=None, repr=False)

    @property
    def names(self) -> list[str]:
        return list(self.positions)

    def found_fraction(self, name: str) -> float:
        return float(np.isfinite(self.positions[name]).all(-1).mean())


class MarkNotFoundError(ValueError):
    """A mark was never, or too rarely, found."""


def check_roi(roi: tuple[int, int, int, int] | None, width: int, height: int) -> None:
    """Refuse a region ``(x, y, w, h)`` that is empty or reaches outside a ``width`` x ``height`` frame.

    Raises:
        ValueError: naming the region and the frame size.
    """
    if roi is None:
        return
    x, y, w, h = roi
    if w <= 0 or h <= 0 or x < 0 or y < 0 or x + w > width or y + h > height:
        raise ValueError(f"--roi {x},{y},{w},{h} is not a non-empty region inside the {width} x {height} frame")


def track_video(
    path: str | Path,
    marks: Sequence[Mark],
    *,
    start: float | None = None,
    end: float | None = None,
    roi: tuple[int, int, int, int] | None = None,
    search_radius: int = 40,
    min_area: int = 4,
    on_frame: Callable[[int], None] | None = None,
) -> Tracks:
    """Find every mark in every frame of ``path`` (optionally a time window and a region).

    Raises:
        VideoError: unreadable video or a single frame.
        ValueError: a region of interest outside the frame.
        MarkNotFoundError: a mark never found (says which, and what to try).
    """
    times: list[float] = []
    found: dict[str, list[tuple[float, float]]] = {m.name: [] for m in marks}
    last: dict[str, tuple[float, float] | None] = {m.name: None for m in marks}
    areas: dict[str, list[int]] = {m.name: [] for m in marks}
    first = None
    for i, (t, frame) in enumerate(iter_frames(path, start=start, end=end)):
        if first is None:
            first = frame.copy()
            check_roi(roi, frame.shape[1], frame.shape[0])
        times.append(t)
        for m in marks:
            # once the mark's size is known, specks of its colour (compression artefacts
            # on edges, small clutter) are too small to be taken for it
            typical = np.median(areas[m.name][-25:]) if areas[m.name] else 0
            hit = find_mark(
                frame,
                m,
                near=last[m.name],
                search_radius=search_radius,
                roi=roi,
                min_area=max(min_area, int(0.3 * typical)),
            )
            found[m.name].append(hit[:2] if hit is not None else (np.nan, np.nan))
            if hit is not None:
                last[m.name] = hit[:2]
                areas[m.name].append(hit[2])
        if on_frame is not None:
            on_frame(i)
    if len(times) < 2:
        raise VideoError(f"{path}: only {len(times)} frame; need a video of at least two frames")
    tracks = Tracks(np.asarray(times), {k: np.asarray(v, dtype=np.float64) for k, v in found.items()}, first)
    for m in marks:
        if tracks.found_fraction(m.name) == 0:
            raise MarkNotFoundError(
                f"mark {m.name!r} was not found in any frame; check its colour (try another name or an explicit "
                f"range name=h0-h1:s0-s1:v0-v1), lower --min-area or widen --roi"
            )
    return tracks
