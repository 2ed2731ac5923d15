"""Footage to forecast: render a synthetic pendulum-clock video, track it, plot its phase
space, meta-learn two neuron types on the tracked series and forecast with a Hamiltonian
network built from them.

    python examples/video_to_phase_space.py --out runs/video [--small]
"""

from __future__ import annotations

import argparse

import matplotlib.pyplot as plt
import numpy as np
import torch

import video
from physnet import (
    TrainConfig,
    build_model,
    get_task,
    meta_config_for,
    meta_learn,
    odeint,
    prepare_output_dir,
    train,
    write_figure,
)
from systems import PendulumClock, generate_orbits, time_grid
from video.plots import plot_phase_portrait


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/video")
    parser.add_argument("--small", action="store_true", help="a 10 s clip and a tiny budget (seconds)")
    args = parser.parse_args()
    out = prepare_output_dir(args.out)
    fps, seconds = 30.0, (8.0 if args.small else 40.0)

    # 1. a clock that has settled on its limit cycle, filmed at 30 fps
    clock = PendulumClock()
    t = time_grid(seconds, 1 / fps)
    y0 = torch.tensor([[0.1, 0.0]], dtype=torch.float64)
    theta = generate_orbits(clock, y0, t).states[0, :, 0].numpy()
    scene = video.Scene(
        background="textured",
        noise_std=4.0,
        motion_blur=not args.small,
        **({"size": (480, 360), "mark_distances": (90.0, 250.0)} if args.small else {}),
    )
    path = video.render_pendulum(out / "clock.mp4", theta, fps, scene)

    # 2. track it and turn positions into theta, theta_dot, theta_ddot
    tracks = video.track_video(path, [video.parse_mark("red"), video.parse_mark("blue")])
    ps = video.phase_space(tracks)
    video.write_series_csv(out / "series.csv", ps)
    rms = np.sqrt(np.mean((ps.theta - (theta - np.median(theta)))[12:-12] ** 2))
    print(
        f"tracked {len(tracks.t)} frames: theta RMS error {rms:.2e} rad, period {ps.period:.4f} s "
        f"(model {2 * np.pi / np.sqrt(clock.omega0_squared):.4f} s small-angle)"
    )
    write_figure(out / "phase_portrait.png", plot_phase_portrait(ps))

    # 3. meta-learn two neuron types on the tracked series, then train a fresh HNN with them
    budget = {"outer_steps": 3, "inner_steps": 10, "hidden": (32,), "width": 16} if args.small else {}
    result = meta_learn(meta_config_for("clock", "hnn", data=str(out / "series.csv"), **budget))
    data = get_task("clock").load(data=out / "series.csv")
    hnn = build_model("hnn", 2, [32 if args.small else 100], result.frozen, seeds=[0])
    fit = train(hnn, data, TrainConfig(epochs=5 if args.small else 50, lr=1e-2))
    print(
        f"meta-learning: validation loss {result.history['val_loss'][0]:.3g} -> {result.history['val_loss'][-1]:.3g}; "
        f"fresh HNN with the two learned types: {float(fit.val_loss[0]):.3g}"
    )

    # 4. forecast the validation stretch from its first state and compare with the track
    start = len(data.x_train)
    horizon = torch.tensor(ps.t[start:] - ps.t[start], dtype=torch.float32)
    with torch.no_grad():
        forecast = odeint(hnn, data.x_val[:1], horizon, method="dopri5")[:, 0].numpy()
    fig, ax = plt.subplots(figsize=(8, 3.2))
    ax.plot(ps.t[start:], ps.theta[start:], label="tracked")
    ax.plot(ps.t[start:], forecast[:, 0], "--", label="HNN forecast")
    ax.set_xlabel("t (s)")
    ax.set_ylabel("theta (rad)")
    ax.legend()
    write_figure(out / "forecast.png", fig)
    print(f"wrote {out}/clock.mp4, series.csv, phase_portrait.png, forecast.png")


if __name__ == "__main__":
    main()
