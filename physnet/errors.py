"""Bad input, told apart from bugs.

:class:`UserError` is what physnet raises for a wrong option, file, shape, value or setting: the
command line prints its message on one line and exits with status 2. Any other exception is a
bug (physnet's or a user's own code) and keeps its traceback. It subclasses :class:`ValueError`,
so code that caught ``ValueError`` from physnet still does.
"""

from __future__ import annotations


class UserError(ValueError):
    """Bad input: the message says what was wrong and what to do."""


class UserCodeError(UserError):
    """An exception raised inside a user's own code (a system's module, constructor or
    methods): the message names the class and the exception; ``frames`` are the places in the
    user's files it passed through (``file:line in function``), innermost last."""

    def __init__(self, message: str, frames: list[str] | None = None) -> None:
        super().__init__(message)
        self.frames = list(frames or [])


__all__ = ["UserCodeError", "UserError"]
