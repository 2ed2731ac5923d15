"""Reading and writing video frames: the only module of ``video`` that imports OpenCV."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

#: Codecs the pip OpenCV build can write (no H.264): by file suffix.
CODECS = {".mp4": "mp4v", ".avi": "MJPG", ".mov": "mp4v"}


class VideoError(ValueError):
    """A video that cannot be read (missing, empty, truncated, not a video, one frame)."""


@dataclass(frozen=True)
class VideoInfo:
    """What the container says: frames per second, frame count (may be approximate), size."""

    fps: float
    n_frames: int
    width: int
    height: int


#: A decode is called truncated when it yields fewer than this share of the declared frames.
TRUNCATED_SHARE = 0.9


@contextlib.contextmanager
def quiet_decoder() -> Iterator[None]:
    """Keep FFmpeg's and OpenCV's C-level messages (written to file descriptor 2) off the
    user's terminal while a video is open (nothing of physnet's own prints meanwhile)."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real descriptor 2 (embedded interpreters): nothing to hide
        yield
        return
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def _open(path: str | Path) -> cv2.VideoCapture:
    path = Path(path)
    if not path.is_file():
        raise VideoError(f"video file not found: {path}")
    if path.stat().st_size == 0:
        raise VideoError(f"video file is empty: {path}")
    with quiet_decoder():
        cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        raise VideoError(f"cannot open {path} as a video (not a video, or a codec OpenCV lacks)")
    return cap


def probe_video(path: str | Path) -> VideoInfo:
    """Read the container's frame rate, frame count and frame size."""
    cap = _open(path)
    try:
        return VideoInfo(
            fps=float(cap.get(cv2.CAP_PROP_FPS) or 0.0),
            n_frames=int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0),
            width=int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)),
            height=int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)),
        )
    finally:
        with quiet_decoder():
            cap.release()


def iter_frames(
    path: str | Path, *, start: float | None = None, end: float | None = None
) -> Iterator[tuple[float, np.ndarray]]:
    """Yield ``(t, frame)`` for each decoded frame: ``t`` in seconds from the container's
    timestamps (falling back to ``index / fps`` when the container gives none), ``frame``
    a BGR ``uint8`` array shaped ``(H, W, 3)``, rotated as the container's metadata says.

    Args:
        start, end: time window in seconds (inclusive start, exclusive end).

    Raises:
        VideoError: when not even one frame can be decoded, or decoding stops well short of the
            frames the container declares (a truncated or corrupt file).
    """
    # the decoder's threads report damage asynchronously: keep descriptor 2 quiet from open to release
    with quiet_decoder():
        cap = _open(path)
        fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        declared = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        index, previous, yielded, ran_out = 0, -np.inf, 0, False
        try:
            while True:
                ok, frame = cap.read()
                if not ok:
                    ran_out = True
                    break
                stamp = cap.get(cv2.CAP_PROP_POS_MSEC) / 1000.0
                if not np.isfinite(stamp) or stamp <= previous or (stamp == 0 and index > 0):
                    if fps <= 0:
                        raise VideoError(f"{path}: the container gives neither timestamps nor a frame rate; pass --fps")
                    stamp = index / fps
                previous = stamp
                index += 1
                if start is not None and stamp < start:
                    continue
                if end is not None and stamp >= end:
                    break
                yielded += 1
                yield stamp, frame
        finally:
            cap.release()
    if index == 0:
        raise VideoError(f"no frame could be decoded from {path} (truncated or not a video)")
    if ran_out and declared > 0 and index < TRUNCATED_SHARE * declared:
        raise VideoError(f"{path}: decoded {index} of {declared} frames: the file looks truncated or corrupt")
    if yielded == 0:
        raise VideoError(f"{path}: no frame inside the time window [{start}, {end})")


def bgr_to_hsv(image: np.ndarray) -> np.ndarray:
    """OpenCV's HSV: hue in [0, 180), saturation and value in [0, 255]; shape kept."""
    return cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_BGR2HSV)


def write_video(path: str | Path, frames: Iterator[np.ndarray], fps: float, size: tuple[int, int]) -> Path:
    """Write BGR frames (``(H, W, 3)`` uint8, ``size = (W, H)``) with mp4v (.mp4, .mov) or MJPG (.avi)."""
    path = Path(path)
    codec = CODECS.get(path.suffix.lower())
    if codec is None:
        raise ValueError(f"unsupported video suffix {path.suffix!r}; use one of {', '.join(CODECS)}")
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*codec), float(fps), tuple(int(s) for s in size))
    if not writer.isOpened():
        raise OSError(f"OpenCV cannot write {path} with codec {codec}")
    try:
        for frame in frames:
            writer.write(frame)
    finally:
        writer.release()
    return path


def draw_disc(image: np.ndarray, center: tuple[float, float], radius: float, bgr: tuple[int, int, int]) -> None:
    """Anti-aliased filled disc with sub-pixel centre (in place)."""
    shift = 4
    c = (int(round(center[0] * (1 << shift))), int(round(center[1] * (1 << shift))))
    cv2.circle(image, c, int(round(radius * (1 << shift))), bgr, -1, cv2.LINE_AA, shift)


def draw_line(
    image: np.ndarray, a: tuple[float, float], b: tuple[float, float], bgr: tuple[int, int, int], width: int
) -> None:
    """Anti-aliased line with sub-pixel end points (in place)."""
    shift = 4
    pa = (int(round(a[0] * (1 << shift))), int(round(a[1] * (1 << shift))))
    pb = (int(round(b[0] * (1 << shift))), int(round(b[1] * (1 << shift))))
    cv2.line(image, pa, pb, bgr, width, cv2.LINE_AA, shift)


def blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur of standard deviation ``sigma`` pixels."""
    return cv2.GaussianBlur(image, (0, 0), sigma)


def rotate(image: np.ndarray, degrees: float) -> np.ndarray:
    """Rotate about the image centre, keeping the size."""
    h, w = image.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(image, m, (w, h), borderMode=cv2.BORDER_REFLECT)
