"""``physnet track VIDEO --out DIR``: pendulum footage (or a positions file) to a phase-space series."""

from __future__ import annotations

import argparse
import time

from physnet.cli import arguments
from physnet.cli.arguments import numbers
from physnet.cli.options import add_option
from physnet.errors import UserError


def _pivot(text: str) -> str | tuple[float, ...]:
    """``auto`` or ``X,Y`` in pixels."""
    return "auto" if text == "auto" else numbers(text, 2, "--pivot")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "track",
        help="track a pendulum's marks in a video and write its phase-space series",
        description="Track coloured marks in pendulum footage (or read a positions file) and write "
        "DIR/series.csv (t,theta,theta_dot,theta_ddot; s, rad), DIR/tracks.csv (pixels), DIR/config.json and "
        "diagnostic plots (tracks.png, theta.png, phase_portrait.png). series.csv feeds "
        "`physnet meta clock --data DIR/series.csv`.",
    )
    p.add_argument("video", nargs="?", metavar="VIDEO", help="mp4/mov/avi footage")
    add_option(p, "out", required=True)
    p.add_argument(
        "--tracks", metavar="CSV", help="skip the video: positions with header t (or frame) then <mark>_x,<mark>_y"
    )
    p.add_argument("--fps", type=arguments.positive_float, help="frame rate for a positions file counted in frames")
    p.add_argument("--marks", default=None, help="two marks for the rod angle, e.g. red,blue (default red,blue)")
    p.add_argument("--mark", default=None, help="one marked bob (pivot mode), e.g. red")
    p.add_argument("--pivot", default="auto", type=_pivot, help="pivot mode: auto (circle fit) or X,Y in pixels")
    p.add_argument(
        "--roi", type=lambda s: tuple(int(v) for v in numbers(s, 4, "--roi")), help="X,Y,W,H region to search"
    )
    p.add_argument("--start", type=arguments.nonnegative_float, help="start time (s)")
    p.add_argument("--end", type=arguments.positive_float, help="end time (s)")
    p.add_argument(
        "--search-radius",
        type=arguments.positive_int,
        default=40,
        help="pixels around the last position searched first",
    )
    p.add_argument("--min-area", type=arguments.positive_int, default=4, help="smallest mark blob in pixels")
    p.add_argument(
        "--max-gap", type=arguments.nonnegative_int, default=5, help="longest run of missing frames to interpolate"
    )
    add_option(p, "window", default=23)
    add_option(p, "order", default=3)
    p.add_argument(
        "--detrend", type=arguments.nonnegative_int, help="remove a polynomial trend of this degree (the paper: 3)"
    )
    p.add_argument(
        "--zero",
        choices=("median", "none"),
        default="median",
        help="measure theta from the median angle (default) or from the image vertical",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import video
    from physnet.io import prepare_output_dir, write_atomically, write_figure, write_json
    from video.plots import plot_angle, plot_phase_portrait, plot_tracks_on_frame

    if (args.video is None) == (args.tracks is None):
        raise UserError("give either a VIDEO or --tracks CSV (one of them)")
    if args.marks and args.mark:
        raise UserError("use --marks A,B (two-mark mode) or --mark A (pivot mode), not both")
    pivot_mode = args.mark is not None
    names = [args.mark] if pivot_mode else (args.marks or "red,blue").split(",")
    if not pivot_mode and len(names) != 2:
        raise UserError(f"--marks needs two marks (e.g. red,blue), got {len(names)}")
    pivot = args.pivot
    config = video.PhaseSpaceConfig(
        mode="pivot" if pivot_mode else "two-mark",
        pivot=pivot,
        max_gap=args.max_gap,
        zero=args.zero,
        detrend=args.detrend,
        window=args.window,
        order=args.order,
    )
    marks = [video.parse_mark(n) for n in names]
    out = prepare_output_dir(args.out, command="track")
    began = time.perf_counter()
    if args.tracks:
        tracks = video.read_tracks_csv(args.tracks, fps=args.fps)
        missing = [m.name for m in marks if m.name not in tracks.positions]
        if pivot_mode or args.marks:
            if missing:
                raise UserError(
                    f"{args.tracks} has no columns for mark(s) {', '.join(missing)}; it has {', '.join(tracks.names)}"
                )
            tracks = video.Tracks(tracks.t, {m.name: tracks.positions[m.name] for m in marks})
    else:
        tracks = video.track_video(
            args.video,
            marks,
            start=args.start,
            end=args.end,
            roi=args.roi,
            search_radius=args.search_radius,
            min_area=args.min_area,
        )
    tracked = time.perf_counter() - began
    ps = video.phase_space(tracks, config)
    write_atomically(out / "tracks.csv", lambda p: video.write_tracks_csv(p, tracks))
    write_atomically(out / "series.csv", lambda p: video.write_series_csv(p, ps))
    write_figure(out / "tracks.png", plot_tracks_on_frame(tracks))
    write_figure(out / "theta.png", plot_angle(ps))
    write_figure(out / "phase_portrait.png", plot_phase_portrait(ps))
    summary = ps.summary()
    summary["tracking_seconds"] = round(tracked, 3)
    write_json(
        out / "config.json",
        {
            "command": "track",
            "video": args.video,
            "tracks": args.tracks,
            "fps": args.fps,
            "marks": names,
            "roi": args.roi,
            "start": args.start,
            "end": args.end,
            "search_radius": args.search_radius,
            "min_area": args.min_area,
            "phase_space": config.to_dict(),
            "savgol": {"window": args.window, "order": args.order},
            "results": summary,
        },
    )
    period = f"{ps.period:.4g} s" if ps.period else "n/a"
    print(
        f"tracked {len(tracks.t)} frames "
        f"({', '.join(f'{n}: {100 * tracks.found_fraction(n):.0f} %' for n in tracks.names)}); "
        f"{ps.n_filled} gap frames filled; period {period}; amplitude {ps.amplitude or float('nan'):.3g} rad"
    )
    for note in ps.notes:
        print(f"note: {note}")
    print(f"wrote {out}/series.csv, tracks.csv, config.json, tracks.png, theta.png, phase_portrait.png")
    return 0
