"""The registry of tasks: every command looks a task up here by name.

The paper's four tasks (:mod:`physnet.tasks.paper`) and two damped ones
(:mod:`physnet.tasks.damped`) are registered at import; a user's task
is registered with :func:`register_task` and then works in every command and function that
takes a task name.
"""

from __future__ import annotations

from physnet.data import TaskData
from physnet.errors import UserError
from physnet.tasks.damped import DAMPED_TASKS
from physnet.tasks.paper import PAPER_TASKS, load_clock, load_henon_heiles, load_mnist1d_task, load_van_der_pol
from physnet.tasks.settings import ModelSettings, PresetValues
from physnet.tasks.spec import Task

TASKS: dict[str, Task] = {t.name: t for t in (*PAPER_TASKS, *DAMPED_TASKS)}


def register_task(task: Task, *, replace: bool = False) -> Task:
    """Make ``task`` known by its name to every command and function that takes a task name.

    Raises:
        ValueError: a task of that name exists (pass ``replace=True`` to replace a user's
            task; the paper's tasks cannot be replaced).
    """
    if task.name in TASKS and not replace:
        raise UserError(f"a task named {task.name!r} exists already; pass replace=True or choose another name")
    if replace and task.name in {t.name for t in PAPER_TASKS}:
        raise UserError(f"the paper's task {task.name!r} cannot be replaced; choose another name")
    TASKS[task.name] = task
    return task


def find_task(name: str) -> Task | None:
    """The task registered as ``name``, or None."""
    return TASKS.get(name)


def get_task(name: str) -> Task:
    """Look a task up; a wrong name is a ValueError listing the valid ones."""
    if name not in TASKS:
        raise UserError(f"unknown task {name!r}; valid tasks: {', '.join(TASKS)}")
    return TASKS[name]


__all__ = [
    "TASKS",
    "ModelSettings",
    "PresetValues",
    "Task",
    "TaskData",
    "find_task",
    "get_task",
    "load_clock",
    "load_henon_heiles",
    "load_mnist1d_task",
    "load_van_der_pol",
    "register_task",
]
