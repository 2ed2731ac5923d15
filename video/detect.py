"""Finding a mark in a frame: colour mask, connected components, sub-pixel centroid."""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from video.frames import bgr_to_hsv
from video.marks import Mark


def find_mark(
    frame: np.ndarray,
    mark: Mark,
    *,
    near: tuple[float, float] | None = None,
    search_radius: int = 40,
    roi: tuple[int, int, int, int] | None = None,
    min_area: int = 4,
) -> tuple[float, float, int] | None:
    """Centre ``(x, y)`` in pixels and area (pixels) of ``mark`` in a BGR ``frame``
    ``(H, W, 3)``, or None.

    Looks in a square of half-width ``search_radius`` around ``near`` (the last
    position) first, which keeps clutter elsewhere in the frame from capturing the
    track, and in the whole region of interest when that fails. Among the connected
    components of the colour mask with at least ``min_area`` pixels it takes the
    largest; the centre is the saturation-weighted centroid of that component, which
    resolves anti-aliased and blurred edges to a fraction of a pixel.

    Args:
        roi: ``(x, y, width, height)`` the mark is searched in (default: whole frame).
    """
    h, w = frame.shape[:2]
    x0, y0, x1, y1 = (0, 0, w, h) if roi is None else (roi[0], roi[1], roi[0] + roi[2], roi[1] + roi[3])
    windows = []
    if near is not None and np.all(np.isfinite(near)):
        cx, cy = int(round(near[0])), int(round(near[1]))
        windows.append(
            (
                max(x0, cx - search_radius),
                max(y0, cy - search_radius),
                min(x1, cx + search_radius + 1),
                min(y1, cy + search_radius + 1),
            )
        )
    windows.append((x0, y0, x1, y1))
    for wx0, wy0, wx1, wy1 in windows:
        if wx1 <= wx0 or wy1 <= wy0:
            continue
        hsv = bgr_to_hsv(frame[wy0:wy1, wx0:wx1])
        found = _largest_component_centre(hsv, mark.mask(hsv), min_area)
        if found is not None:
            return found[0] + wx0, found[1] + wy0, found[2]
    return None


def _largest_component_centre(hsv: np.ndarray, mask: np.ndarray, min_area: int) -> tuple[float, float, int] | None:
    if not mask.any():
        return None
    labels, n = ndimage.label(mask)
    if n == 0:
        return None
    areas = np.bincount(labels.ravel(), minlength=n + 1)
    areas[0] = 0
    best = int(np.argmax(areas))
    if areas[best] < min_area:
        return None
    ys, xs = np.nonzero(labels == best)
    weight = hsv[ys, xs, 1].astype(np.float64) + 1.0
    return float((xs * weight).sum() / weight.sum()), float((ys * weight).sum() / weight.sum()), int(areas[best])
