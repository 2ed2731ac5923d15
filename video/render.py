"""Synthetic pendulum footage with known angles, for tests and demos."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from video.frames import blur, draw_disc, draw_line, rotate, write_video

#: BGR colours of the rendered marks (fully saturated, inside the named hue ranges).
MARK_BGR = {
    "red": (0, 0, 255),
    "blue": (255, 40, 0),
    "green": (0, 200, 0),
    "yellow": (0, 230, 255),
    "orange": (0, 140, 255),
    "magenta": (255, 0, 255),
}


@dataclass(frozen=True)
class Scene:
    """Geometry and look of a rendered pendulum.

    Attributes:
        kind: ``"two-mark"`` (a rod with a coloured mark at each end, like the clock) or
            ``"bob"`` (one coloured bob on a string hanging from ``pivot``).
        size: frame ``(width, height)`` in pixels.
        pivot: pivot ``(x, y)`` in pixels (may lie outside the frame); default: top centre.
        mark_distances: distances of the marks from the pivot (pixels), one per mark.
        marks: colour names of the marks, in the order of ``mark_distances``.
        mark_radius: radius of each mark (pixels).
        background: ``plain``, ``textured`` (smooth noise and uneven lighting) or
            ``cluttered`` (textured plus shapes, some in the marks' colours but smaller).
        noise_std: Gaussian pixel noise (grey levels).
        blur_sigma: Gaussian blur (pixels).
        motion_blur: average four sub-frames over the exposure.
        rotation: camera rotation (degrees).
        hidden: indices of frames in which the marks are occluded (not drawn).
    """

    kind: str = "two-mark"
    size: tuple[int, int] = (640, 480)
    pivot: tuple[float, float] | None = None
    mark_distances: tuple[float, ...] = (120.0, 330.0)
    marks: tuple[str, ...] = ("red", "blue")
    mark_radius: float = 9.0
    background: str = "plain"
    noise_std: float = 0.0
    blur_sigma: float = 0.0
    motion_blur: bool = False
    rotation: float = 0.0
    hidden: tuple[int, ...] = ()
    seed: int = 0

    def pivot_xy(self) -> tuple[float, float]:
        return self.pivot if self.pivot is not None else (self.size[0] / 2, 40.0)

    def positions(self, theta: float) -> list[tuple[float, float]]:
        """Pixel centres of the marks at angle ``theta`` (image y down, +theta towards +x),
        before any camera rotation."""
        px, py = self.pivot_xy()
        return [(px + r * np.sin(theta), py + r * np.cos(theta)) for r in self.mark_distances]


def _background(scene: Scene, rng: np.random.Generator) -> np.ndarray:
    w, h = scene.size
    img = np.full((h, w, 3), 150, dtype=np.float64)
    if scene.background in ("textured", "cluttered"):
        coarse = rng.normal(0, 25, size=(h // 16 + 2, w // 16 + 2, 1))
        texture = np.kron(coarse, np.ones((16, 16, 1)))[:h, :w]
        texture = blur(texture.astype(np.float32), 6)[..., None] if texture.ndim == 3 else texture
        lighting = np.linspace(0.7, 1.2, w)[None, :, None] * np.linspace(1.1, 0.8, h)[:, None, None]
        img = (img + texture) * lighting
        img = np.repeat(img[..., :1], 3, axis=2) * np.array([1.0, 0.97, 0.92])  # warm grey, low saturation
    if scene.background == "cluttered":
        img = np.clip(img, 0, 255).astype(np.uint8)
        clutter_colours = [(40, 160, 40), (200, 200, 200), (30, 30, 30), (0, 200, 230), (60, 90, 140)]
        for _ in range(25):
            c = clutter_colours[rng.integers(len(clutter_colours))]
            draw_disc(img, (rng.uniform(0, w), rng.uniform(0, h)), rng.uniform(4, 25), c)
        # distractors in the marks' colours, smaller than the marks, away from the swing
        for name in scene.marks:
            for _ in range(2):
                x = rng.choice([rng.uniform(10, w * 0.15), rng.uniform(w * 0.85, w - 10)])
                draw_disc(img, (x, rng.uniform(10, h - 10)), scene.mark_radius * 0.5, MARK_BGR[name])
        return img.astype(np.float64)
    return img


def _draw(scene: Scene, base: np.ndarray, theta: float, visible: bool = True) -> np.ndarray:
    img = base.astype(np.uint8).copy()
    px, py = scene.pivot_xy()
    ends = scene.positions(theta)
    line_end = ends[-1]
    if scene.kind == "two-mark":
        draw_line(img, ends[0], line_end, (60, 75, 95), 6)  # wooden rod
    else:
        draw_line(img, (px, py), line_end, (40, 40, 40), 2)  # string
    for (x, y), name in zip(ends, scene.marks, strict=True):
        if visible:
            draw_disc(img, (x, y), scene.mark_radius, MARK_BGR[name])
    return img.astype(np.float64)


def render_pendulum(path: str | Path, theta: np.ndarray, fps: float, scene: Scene = Scene()) -> Path:
    """Render frames of the pendulum at angles ``theta`` (``(T,)`` rad, one per frame at
    ``fps``) and write them to ``path`` (.mp4 with mp4v, .avi with MJPG).

    Returns:
        the path written.
    """
    if scene.kind not in ("two-mark", "bob"):
        raise ValueError(f"unknown scene kind {scene.kind!r}; valid: two-mark, bob")
    if len(scene.marks) != len(scene.mark_distances):
        raise ValueError("give one mark distance per mark")
    rng = np.random.default_rng(scene.seed)
    base = _background(scene, rng)
    theta = np.asarray(theta, dtype=np.float64)
    rate = np.gradient(theta) if len(theta) > 1 else np.zeros_like(theta)

    def frames():
        hidden = set(scene.hidden)
        for i, (th, dth) in enumerate(zip(theta, rate, strict=True)):
            visible = i not in hidden
            if scene.motion_blur:  # exposure of half a frame interval
                img = np.mean([_draw(scene, base, th + dth * s, visible) for s in (-0.25, -0.083, 0.083, 0.25)], axis=0)
            else:
                img = _draw(scene, base, th, visible)
            if scene.blur_sigma > 0:
                img = blur(img.astype(np.float32), scene.blur_sigma)
            if scene.noise_std > 0:
                img = img + rng.normal(0, scene.noise_std, img.shape)
            img = np.clip(img, 0, 255).astype(np.uint8)
            if scene.rotation:
                img = rotate(img, scene.rotation)
            yield img

    return write_video(path, frames(), fps, scene.size)
