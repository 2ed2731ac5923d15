"""Frames per second of the tracking pipeline (decode + find both marks) on rendered
640x480 and 1920x1080 clock videos, and the ratio to real time (target: >= 10x at 640x480).

    python benchmarks/video_speed.py [--frames 300] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

import video

FPS = 30.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    theta = 0.1 * np.sin(2 * np.pi * np.arange(args.frames) / FPS / 2.03)
    print(f"{'size':<11}{'background':<11}{'frames':>7}{'track fps':>11}{'x real time':>12}{'phase space s':>15}")
    with tempfile.TemporaryDirectory() as tmp:
        for size, scale in (((640, 480), 1.0), ((1920, 1080), 2.25)):
            for background in ("plain", "cluttered"):
                scene = video.Scene(
                    size=size,
                    pivot=(size[0] / 2, 40 * scale),
                    background=background,
                    mark_distances=(120.0 * scale, 330.0 * scale),
                    mark_radius=9.0 * scale,
                    noise_std=4.0,
                )
                path = video.render_pendulum(Path(tmp) / f"{size[0]}-{background}.mp4", theta, FPS, scene)
                marks = [video.parse_mark("red"), video.parse_mark("blue")]
                rates, tracks = [], None
                for _ in range(args.repeats):
                    start = time.perf_counter()
                    tracks = video.track_video(path, marks, search_radius=int(40 * scale))
                    rates.append(args.frames / (time.perf_counter() - start))
                start = time.perf_counter()
                video.phase_space(tracks)
                ps_seconds = time.perf_counter() - start
                rate = statistics.median(rates)
                print(
                    f"{size[0]}x{size[1]:<6}{background:<11}{args.frames:>7}"
                    f"{rate:>11.0f}{rate / FPS:>12.1f}{ps_seconds:>15.3f}"
                )


if __name__ == "__main__":
    main()
