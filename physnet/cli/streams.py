"""Output to a reader that has gone: ``physnet compare ... | head -c 10`` must not stop the
study. The command's standard streams are wrapped so that once a write finds the pipe closed
(BrokenPipeError), that stream's descriptor points at the null device and every later message
is dropped silently; the work goes on and its files are complete. A standard output on a full
device (``> /dev/full``; ENOSPC) is dropped the same way, said once on the standard error."""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from collections.abc import Iterator
from typing import Any, TextIO


class PipeSafeStream:
    """A text stream that drops its writes, silently, once its reader has gone."""

    def __init__(self, stream: TextIO, name: str = "output", *, say_to: TextIO | None = None) -> None:
        self._stream = stream
        self._name = name
        self._say_to = say_to
        self.broken = False

    def write(self, text: str) -> int:
        if not self.broken:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._drop()
            except OSError as err:
                self._full(err)
        return len(text)

    def flush(self) -> None:
        if not self.broken:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._drop()
            except OSError as err:
                self._full(err)

    def _full(self, err: OSError) -> None:
        """A device with no space left: drop this stream and say so once (elsewhere)."""
        if err.errno != errno.ENOSPC:
            raise err
        self._drop()
        if self._say_to is not None:
            with contextlib.suppress(OSError, ValueError):
                self._say_to.write(
                    f"physnet: warning: the standard {self._name} has no space left on its device ({err.strerror}); "
                    "its messages are dropped from here, the run goes on and writes its files\n"
                )
                self._say_to.flush()

    def _drop(self) -> None:
        """From now on nothing is written; the descriptor goes to the null device, so that the
        interpreter's own flush at exit finds nothing to complain about."""
        self.broken = True
        with contextlib.suppress(OSError, ValueError, AttributeError):
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, self._stream.fileno())
            os.close(null)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def pipe_safe_streams() -> Iterator[None]:
    """``sys.stdout`` and ``sys.stderr`` wrapped in :class:`PipeSafeStream` inside the block."""
    saved = sys.stdout, sys.stderr
    sys.stdout = PipeSafeStream(saved[0], "output", say_to=saved[1])
    sys.stderr = PipeSafeStream(saved[1], "error")
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


__all__ = ["PipeSafeStream", "pipe_safe_streams"]
