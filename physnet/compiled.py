"""A ``torch.compile``'d function that falls back to its plain version when compiling fails -
now or at a later call (a new shape compiled on a full temporary file system, a missing C++
compiler): one warning line naming the compiler's failure, then the same computation in plain
code, instead of the compiler's thousand-line report."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

#: What compiling has failed for in this process: later guards of it go plain at once, unsaid.
_FAILED: set[str] = set()


class GuardedCompiled:
    """``compiled`` while it works, ``plain`` from its first failure on (said once per process,
    naming ``what``; a later guard of the same ``what`` - the next tuning candidate, the next
    block - goes plain at once instead of compiling and failing again). A genuine error of the
    computation raises again from ``plain``."""

    def __init__(self, compiled: Callable[..., Any], plain: Callable[..., Any], what: str) -> None:
        self.compiled, self.plain, self.what = compiled, plain, what
        self.failed = what in _FAILED

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not self.failed:
            try:
                return self.compiled(*args, **kwargs)
            except Exception as err:  # noqa: BLE001 - any compiler failure means: fall back
                self.failed = True
                _FAILED.add(self.what)
                first = (str(err).splitlines() or [""])[0][:120]
                warnings.warn(
                    f"torch.compile failed for {self.what} ({type(err).__name__}: {first}); using plain code (slower)",
                    RuntimeWarning,
                    stacklevel=2,
                )
        return self.plain(*args, **kwargs)


__all__ = ["GuardedCompiled"]
