"""How a job runs, apart from what it computes: one record passed down from the command line
through every job (reproduce, reproduce all, the size sweep, ablate) to the studies they run.
Any context gives the same numbers; it decides where the work runs, what is printed and
whether earlier results are kept."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Echo = Callable[[str], None]


def silent(message: str) -> None:
    """An ``echo`` that prints nothing (the default; picklable, for Ray workers)."""


@dataclass(frozen=True)
class RunContext:
    """How a job runs.

    Attributes:
        backend: where a study's seed blocks run: ``process`` (here, or on ``--workers``
            local processes) or ``ray``.
        address: the Ray cluster to join (None: a local Ray instance).
        progress: progress bars over long loops.
        echo: called with one line per step of the job (the CLI prints it).
        force: start afresh where a folder holds earlier results (default: resume them).
    """

    backend: str = "process"
    address: str | None = None
    progress: bool = False
    echo: Echo = silent
    force: bool = False

    def study_options(self, *, progress: bool | None = None) -> dict[str, Any]:
        """The keyword arguments :func:`physnet.study.run.run_study` takes from a context:
        ``force`` and the :class:`~physnet.study.execution.Execution` (``progress``: in place
        of the context's)."""
        from physnet.study.execution import Execution

        shown = self.progress if progress is None else progress
        return {"force": self.force, "execution": Execution(progress=shown, backend=self.backend, address=self.address)}


#: The context of a job called without one: in process, silent, resuming.
DEFAULT_CONTEXT = RunContext()

__all__ = ["DEFAULT_CONTEXT", "Echo", "RunContext", "silent"]
