"""Pendulum footage to phase space: read frames, track coloured marks, turn positions into
angle, angular velocity and acceleration series (``t,theta,theta_dot,theta_ddot``).

Stands alone: imports neither ``physnet`` nor ``systems``; its series files are what the
forecasting side reads (``physnet meta clock --data series.csv``).
"""

from video.frames import VideoError, iter_frames, probe_video
from video.io import read_tracks_csv, write_series_csv, write_tracks_csv
from video.marks import NAMED_HUES, Mark, parse_mark
from video.pipeline import PhaseSpace, PhaseSpaceConfig, phase_space
from video.render import Scene, render_pendulum
from video.tracking import MarkNotFoundError, Tracks, track_video

__all__ = [
    "NAMED_HUES",
    "Mark",
    "MarkNotFoundError",
    "PhaseSpace",
    "PhaseSpaceConfig",
    "Scene",
    "Tracks",
    "VideoError",
    "iter_frames",
    "parse_mark",
    "phase_space",
    "probe_video",
    "read_tracks_csv",
    "render_pendulum",
    "track_video",
    "write_series_csv",
    "write_tracks_csv",
]
