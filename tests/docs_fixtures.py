"""The files the documentation's commands read (a user would have their own): written into a
folder before its code blocks run (``tests/test_docs_run.py``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from systems import DampedPendulum, DoublePendulum, generate_orbits, load_pendulum_series, time_grid

SYSTEMS_MODULE = '''
"""A user's own systems, as the documentation's commands name them."""
import torch

from systems import HamiltonianSystem, System
from systems.base import make_generator


class Duffing(HamiltonianSystem):
    name, n_dof, separable, state_names = "my-duffing", 1, True, ("q", "p")

    def hamiltonian(self, y):
        q, p = y[..., 0], y[..., 1]
        return 0.5 * p**2 - 0.5 * q**2 + 0.25 * q**4

    def sample_initial_states(self, n, *, generator=None, seed=None):
        g = make_generator(generator, seed)
        return 1.5 * (2 * torch.rand(n, 2, generator=g, dtype=torch.float64) - 1)


class MySystem(System):
    name, dim, state_names = "my-system", 2, ("x", "v")

    def vector_field(self, t, y):
        return torch.stack([y[..., 1], -y[..., 0] - 0.1 * y[..., 1]], dim=-1)

    def sample_initial_states(self, n, *, generator=None, seed=None):
        g = make_generator(generator, seed)
        return 2 * torch.rand(n, 2, generator=g, dtype=torch.float64) - 1
'''


def _csv(path: Path, header: list[str], columns: list[np.ndarray]) -> None:
    rows = [",".join(header)]
    rows += [
        ",".join(str(c[i]) if isinstance(c[i], str) else f"{c[i]:.8g}" for c in columns) for i in range(len(columns[0]))
    ]
    path.write_text("\n".join(rows) + "\n")


def write_fixtures(folder: Path, page: str = "") -> None:
    """Every input file the documented commands of ``page`` (its text) read, small; the
    outputs of an earlier page's run only where this page does not make them itself."""
    rng = np.random.default_rng(0)
    (folder / "my_systems.py").write_text(SYSTEMS_MODULE)
    (folder / "mymodule.py").write_text(SYSTEMS_MODULE)
    # one measured series of a damped oscillator: t, x, v
    t = time_grid(30.0, 0.05)
    damped = generate_orbits(DampedPendulum(damping=0.1), torch.tensor([[1.0, 0.0]], dtype=torch.float64), t).states[0]
    noisy = damped.numpy() + 0.005 * rng.standard_normal(damped.shape)
    _csv(folder / "my_record.csv", ["t", "x", "v"], [t.numpy(), noisy[:, 0], noisy[:, 1]])
    field = DampedPendulum(damping=0.1).vector_field(torch.zeros(()), damped).numpy()
    _csv(
        folder / "recording_xva.csv",
        ["t", "x", "v", "xdot", "a"],
        [t.numpy(), noisy[:, 0], noisy[:, 1], field[:, 0], field[:, 1]],
    )
    # a double pendulum's records in groups: run, t, theta1, theta2, p1, p2
    system = DoublePendulum()
    tt = time_grid(6.0, 0.02)
    orbits = generate_orbits(system, system.sample_initial_states(4, seed=1), tt).states.numpy()
    runs = np.repeat(np.array([f"r{i}" for i in range(4)], dtype=object), len(tt))
    flat = orbits.reshape(-1, 4)
    _csv(
        folder / "recording.csv", ["run", "t", "theta1", "theta2", "p1", "p2"], [runs, np.tile(tt.numpy(), 4), *flat.T]
    )
    # the clock's own series, as a file of the layout meta --data reads
    clock = load_pendulum_series()
    columns = [clock.t, clock.theta, clock.theta_dot, clock.theta_ddot]
    _csv(folder / "my_series.csv", ["t", "theta", "theta_dot", "theta_ddot"], columns)
    # what a page names from an earlier page's run: `physnet track`'s series, `reproduce`'s types
    if "--out runs/track " not in page:
        (folder / "runs" / "track").mkdir(parents=True)
        frames = np.arange(len(clock.t)) / 30.0  # as `physnet track` writes it: frame / fps
        header = ["t", "theta", "theta_dot", "theta_ddot"]
        _csv(folder / "runs" / "track" / "series.csv", header, [frames, *columns[1:]])
    if "--out runs/vdp " not in page:
        from physnet import FrozenBank, save_activations

        grid = torch.linspace(-10, 10, 100, dtype=torch.float64)
        (folder / "runs" / "vdp" / "meta").mkdir(parents=True)
        types = FrozenBank(grid, torch.stack([grid.sin(), grid.tanh()]))
        save_activations(folder / "runs" / "vdp" / "meta" / "activations.npz", types)
    # starting states of the spring, and a pendulum's mark positions tracked by another tool
    _csv(folder / "starts.csv", ["q", "p"], [np.array([1.0, 0.5]), np.array([0.0, 0.5])])
    frames = np.arange(90) / 30.0
    angle = 0.4 * np.cos(2 * np.pi * frames)
    _csv(
        folder / "positions.csv",
        ["t", "red_x", "red_y", "blue_x", "blue_y"],
        [frames, 100 + 0 * frames, 50 + 0 * frames, 100 + 80 * np.sin(angle), 50 + 80 * np.cos(angle)],
    )
    from video.render import render_pendulum

    render_pendulum(folder / "clip.mp4", 0.4 * np.cos(2 * np.pi * np.arange(120) / 30.0), 30.0)
