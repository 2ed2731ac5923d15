"""Damped tasks: a pendulum with friction and the damped Duffing oscillator, simulated
(:mod:`systems.damped`), for the dissipative Hamiltonian network and the rollout loss. Their
energies decay at a known rate; ``nn``, ``hnn`` (to see what a conservative model makes of
them) and ``dhnn`` (the default) train on them."""

from __future__ import annotations

from physnet.tasks.from_system import system_task
from physnet.tasks.spec import Task
from systems.damped import DampedDuffing, DampedPendulum

#: The models every damped task takes, the dissipative one first (the default).
DAMPED_MODELS = ("dhnn", "nn", "hnn")

DAMPED_PENDULUM: Task = system_task(
    DampedPendulum(damping=0.1),
    name="damped-pendulum",
    orbits=60,
    t_end=20.0,
    dt=0.1,
    models=DAMPED_MODELS,
    description="pendulum with viscous friction (gamma = 0.1): 60 simulated orbits of 20 s at dt 0.1",
)
DUFFING: Task = system_task(
    DampedDuffing(),
    name="duffing",
    orbits=60,
    t_end=20.0,
    dt=0.1,
    models=DAMPED_MODELS,
    description="damped double-well Duffing oscillator (delta = 0.2): 60 simulated orbits of 20 s at dt 0.1",
)
DAMPED_TASKS = (DAMPED_PENDULUM, DUFFING)

__all__ = ["DAMPED_MODELS", "DAMPED_PENDULUM", "DAMPED_TASKS", "DUFFING"]
