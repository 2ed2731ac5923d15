"""The registry of tasks: data, allowed models and paper-scale defaults, in one place.

Later issues add tasks (``mnist1d``) here; the CLI and the protocol only look tasks up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from systems import DatasetSpec, HenonHeiles, VanDerPol, load_pendulum_series, make_dataset


@dataclass(frozen=True)
class TaskData:
    """Training and validation pairs of a task.

    Attributes:
        x_train, y_train: inputs ``(M, d_in)`` and targets ``(M, d_out)``.
        x_val, y_val: the validation split (always used whole).
        loss: ``"mse"`` (targets are time derivatives) or ``"cross_entropy"``.
        state_names: names of the input components.
        config: where the data came from (written into run configs).
        val_orbit: orbit index of each validation pair ``(M_val,)`` (pairs of one orbit are
            consecutive in time), or None for one series.
        dt: sampling interval along orbits (for forecasts), or None.
        system: the true system (for ground-truth rollouts), or None for measured data.
    """

    x_train: Tensor
    y_train: Tensor
    x_val: Tensor
    y_val: Tensor
    loss: str = "mse"
    state_names: tuple[str, ...] = ()
    config: dict = field(default_factory=dict)
    val_orbit: Tensor | None = None
    dt: float | None = None
    system: Any = None

    @property
    def dim_in(self) -> int:
        return self.x_train.shape[-1]

    def to(self, device: str | torch.device, dtype: torch.dtype) -> TaskData:
        cast = lambda t: t.to(device=device, dtype=dtype) if t.is_floating_point() else t.to(device)  # noqa: E731
        return replace(
            self, x_train=cast(self.x_train), y_train=cast(self.y_train), x_val=cast(self.x_val), y_val=cast(self.y_val)
        )


@dataclass(frozen=True)
class Task:
    """A task: its data loader, the models it accepts and per-model meta-learning defaults."""

    name: str
    description: str
    models: tuple[str, ...]
    load: Callable[..., TaskData]
    meta_defaults: dict[str, dict] = field(default_factory=dict)
    accepts_data_file: bool = False


def _system_task_data(system, *, seed: int, small: bool) -> TaskData:
    spec = DatasetSpec(n_orbits=12, t_end=10.0, dt=0.1) if small else None
    ds = make_dataset(system, spec, seed=seed)
    return TaskData(
        ds.train.states,
        ds.train.derivatives,
        ds.val.states,
        ds.val.derivatives,
        "mse",
        system.state_names,
        {"source": "simulated", **ds.config},
        val_orbit=ds.val.orbit,
        dt=ds.config["spec"]["dt"],
        system=system,
    )


def load_van_der_pol(*, seed: int = 0, small: bool = False, data: str | Path | None = None) -> TaskData:
    """van der Pol (mu = 2.7): state (x, x') -> (x', x''), exact derivatives."""
    if data is not None:
        raise ValueError("--data applies to the clock task only")
    return _system_task_data(VanDerPol(), seed=seed, small=small)


def load_henon_heiles(*, seed: int = 0, small: bool = False, data: str | Path | None = None) -> TaskData:
    """Henon-Heiles over energies 0.02-0.15 (regular to chaotic): (q, p) -> (dq/dt, dp/dt);
    with unit mass p = q', so the same pairs serve the conventional (q, q') -> (q', q'') model."""
    if data is not None:
        raise ValueError("--data applies to the clock task only")
    return _system_task_data(HenonHeiles(), seed=seed, small=small)


def load_clock(*, seed: int = 0, small: bool = False, data: str | Path | None = None) -> TaskData:
    """Real pendulum clock (or any series CSV with header t,theta,theta_dot,theta_ddot):
    (theta, theta_dot) -> (theta_dot, theta_ddot), first 80 % train / last 20 % validation."""
    series = load_pendulum_series(data)
    train, val = series.split(0.8)
    if small:
        train, val = _thin(train, 4), _thin(val, 4)
    f = lambda a: torch.tensor(a, dtype=torch.float32)  # noqa: E731
    return TaskData(
        f(train.states),
        f(train.derivatives),
        f(val.states),
        f(val.derivatives),
        "mse",
        ("theta", "theta_dot"),
        {
            "source": str(data) if data else "shipped pendulum clock",
            "n_train": len(train),
            "n_val": len(val),
            "split": "first 80 % / last 20 % in time order",
            "seed": seed,
        },
        val_orbit=None,
        dt=float(np.median(np.diff(series.t))) * (4 if small else 1),
        system=None,
    )


def load_mnist1d_task(*, seed: int = 0, small: bool = False, data: str | Path | None = None) -> TaskData:
    """MNIST-1D classification: 40 inputs -> 10 classes, the package's 4000/1000 split
    (``small``: the first 1000 / 250)."""
    if data is not None:
        raise ValueError("--data applies to the clock task only")
    from physnet.mnist1d_data import load_mnist1d

    arrays = load_mnist1d()
    n_train, n_test = (1000, 250) if small else (4000, 1000)
    x = torch.tensor(arrays["x"][:n_train], dtype=torch.float32)
    y = torch.tensor(arrays["y"][:n_train], dtype=torch.long)
    xt = torch.tensor(arrays["x_test"][:n_test], dtype=torch.float32)
    yt = torch.tensor(arrays["y_test"][:n_test], dtype=torch.long)
    return TaskData(
        x,
        y,
        xt,
        yt,
        "cross_entropy",
        tuple(f"x{i}" for i in range(40)),
        {"source": "mnist1d (generated offline, default arguments)", "n_train": n_train, "n_val": n_test},
    )


def _thin(series, every: int):
    from systems import PendulumSeries

    return PendulumSeries(*(a[::every] for a in (series.t, series.theta, series.theta_dot, series.theta_ddot)))


_DYNAMICS_META = {
    "hidden": [100],
    "k": 2,
    "base": "sin",
    "width": 50,
    "batch_size": 150,
    "inner_lr": 1e-2,
    "outer_lr": 1e-3,
}

TASKS: dict[str, Task] = {
    t.name: t
    for t in (
        Task(
            "van-der-pol",
            "van der Pol oscillator, mu = 2.7, conventional network",
            ("nn",),
            load_van_der_pol,
            {"nn": {**_DYNAMICS_META, "inner_steps": 100, "outer_steps": 50}},
        ),
        Task(
            "henon-heiles",
            "Henon-Heiles orbits from regular to chaotic",
            ("nn", "hnn"),
            load_henon_heiles,
            {
                "nn": {**_DYNAMICS_META, "inner_steps": 100, "outer_steps": 100},
                "hnn": {**_DYNAMICS_META, "width": 20, "inner_steps": 100, "outer_steps": 100},
            },
        ),
        Task(
            "clock",
            "real pendulum clock from video, Hamiltonian network",
            ("hnn", "nn"),
            load_clock,
            {
                "hnn": {**_DYNAMICS_META, "inner_steps": 32, "outer_steps": 50},
                "nn": {**_DYNAMICS_META, "inner_steps": 32, "outer_steps": 50},
            },
            accepts_data_file=True,
        ),
        Task(
            "mnist1d",
            "MNIST-1D classification, 40-100-10",
            ("classifier",),
            load_mnist1d_task,
            {
                "classifier": {
                    **_DYNAMICS_META,
                    "batch_size": 200,
                    "inner_steps": 100,
                    "outer_steps": 100,
                    "inner_lr": 1e-2,
                    "outer_lr": 1e-3,
                }
            },
        ),
    )
}


def get_task(name: str) -> Task:
    """Look a task up; a wrong name is a ValueError listing the valid ones."""
    if name not in TASKS:
        raise ValueError(f"unknown task {name!r}; valid tasks: {', '.join(TASKS)}")
    return TASKS[name]
