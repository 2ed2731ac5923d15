"""Bad input, told apart from bugs.

:class:`UserError` is what physnet raises for a wrong option, file, shape, value or setting: the
command line prints its message on one line and exits with status 2. Any other exception is a
bug (physnet's or a user's own code) and keeps its traceback. It subclasses :class:`ValueError`,
so code that caught ``ValueError`` from physnet still does.
"""

from __future__ import annotations


class UserError(ValueError):
    """Bad input: the message says what was wrong and what to do."""


__all__ = ["UserError"]
