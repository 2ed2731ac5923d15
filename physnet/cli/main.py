"""``physnet`` console script: subcommands, one-line errors, exit code 2 on bad input."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from physnet import __version__
from physnet.cli import (
    ablate_cmd,
    analyze_cmd,
    compare_cmd,
    forecast_cmd,
    meta_cmd,
    reproduce_cmd,
    simulate_cmd,
    track_cmd,
)
from physnet.cli.arguments import OneLineParser
from physnet.cli.combinations import check_combinations
from physnet.cli.shadowing import shadowing_note
from physnet.cli.streams import pipe_safe_streams
from physnet.errors import UserError

#: Errors that mean "bad input" or a failed run: one line, exit code 2, no traceback. physnet's
#: own bad input is a :class:`UserError`; files and folders fail with OSError; a diverging
#: training with FloatingPointError (TrainingDivergedError); the integrators' ConvergenceError is
#: matched once they are loaded (see ``_is_user_error``). Anything else is a bug: its traceback.
USER_ERRORS = (UserError, OSError, FloatingPointError)

#: The two standalone packages cannot import physnet's UserError: a ValueError raised by their
#: own code (not by a library they call) is their bad input (a video with no pendulum in it, a
#: system's parameter out of range).
STANDALONE_PACKAGES = ("systems", "video")


def _raised_in_standalone_package(err: BaseException) -> bool:
    if not isinstance(err, ValueError) or err.__traceback__ is None:
        return False
    tb = err.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    module = tb.tb_frame.f_globals.get("__name__", "")
    return module.split(".")[0] in STANDALONE_PACKAGES


def _is_user_error(err: BaseException) -> bool:
    if isinstance(err, USER_ERRORS) or _raised_in_standalone_package(err):
        return True
    integrators = sys.modules.get("physnet.integrators")
    return integrators is not None and isinstance(err, integrators.ConvergenceError)


SUBCOMMANDS = (simulate_cmd, meta_cmd, compare_cmd, forecast_cmd, reproduce_cmd, analyze_cmd, ablate_cmd, track_cmd)


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="physnet",
        description="Forecast dynamical systems with physics-informed networks of diverse, learned neurons.",
    )
    parser.add_argument("--version", action="version", version=f"physnet {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in SUBCOMMANDS:
        module.register(sub)
    for command in sub.choices.values():  # every command: --debug, --cache-dir
        command.add_argument(
            "--debug",
            action="store_true",
            help="show the full traceback of any error, for a bug report (also PHYSNET_DEBUG=1)",
        )
        command.add_argument(
            "--cache-dir",
            metavar="DIR",
            help="where torch.compile keeps its cache and temporary files (default: under TMPDIR, "
            "e.g. /tmp/torchinductor_USER); for a small or full temporary file system",
        )
    return parser


def _one_line_warning(message, category, filename, lineno, line=None) -> str:  # noqa: ANN001
    """A warning as one line (``--debug`` shows Python's own, with file and line)."""
    return f"physnet: warning: {str(message).splitlines()[0] if str(message) else category.__name__}\n"


def _use_cache_dir(args: argparse.Namespace) -> None:
    """``--cache-dir``: torch.compile's cache and temporary files there (set before torch
    compiles anything; workers inherit it), refused in one line where it cannot be written."""
    folder = getattr(args, "cache_dir", None)
    if not folder:
        return
    from pathlib import Path

    path = Path(folder).expanduser().resolve()
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".physnet-write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as err:
        why = err.strerror or str(err)
        raise UserError(f"--cache-dir {folder}: cannot write there ({why}); choose another folder") from None
    os.environ["TORCHINDUCTOR_CACHE_DIR"] = str(path / "inductor")
    os.environ["TRITON_CACHE_DIR"] = str(path / "triton")
    os.environ["TMPDIR"] = str(path)
    import tempfile

    tempfile.tempdir = None  # read TMPDIR again


def _debug(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "debug", False)) or os.environ.get("PHYSNET_DEBUG", "") not in ("", "0")


@contextmanager
def _study_workers(args: argparse.Namespace) -> Iterator[None]:
    """The process backend's workers for this command's studies (``--workers``, default the
    machine's cores), restored afterwards (a command run from Python leaves the API's default)."""
    if not hasattr(args, "workers") or getattr(args, "backend", "process") != "process":
        yield
        return
    from physnet.study.local_pool import available_cores, default_workers, set_default_workers

    previous = default_workers()
    set_default_workers(available_cores() if args.workers is None else args.workers)
    try:
        yield
    finally:
        set_default_workers(previous)


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


class Terminated(KeyboardInterrupt):
    """SIGTERM, turned into an interrupt so that it ends like Ctrl-C: finished units kept."""


def _terminate(signum, frame) -> None:
    raise Terminated()


def main(argv: list[str] | None = None) -> int:
    with pipe_safe_streams():  # a reader that stops listening does not stop the work
        return _main(argv)


def _main(argv: list[str] | None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # an argument error (one line already printed) or --help/--version
        if stop.code == 2:
            return 2
        raise
    previous = signal.signal(signal.SIGTERM, _terminate) if _main_thread() else None
    formatwarning = warnings.formatwarning
    try:
        check_combinations(args)
        _use_cache_dir(args)
        if not _debug(args):
            warnings.formatwarning = _one_line_warning
        with _study_workers(args):
            return int(args.run(args) or 0)
    except KeyboardInterrupt as stop:
        how = "terminated" if isinstance(stop, Terminated) else "interrupted"
        resume = " with --resume" if args.command == "meta" else ""
        print(
            f"physnet {args.command}: {how}; finished results are kept (studies: runs.csv; meta: checkpoint.pt), "
            f"rerun the same command{resume} to continue",
            file=sys.stderr,
        )
        return 143 if isinstance(stop, Terminated) else 130
    except Exception as err:
        note = shadowing_note()
        if note is not None:  # the real cause of what follows
            print(note, file=sys.stderr)
        if not _is_user_error(err) or _debug(args):
            raise
        from physnet.io import remove_unused_output_dirs

        message = str(err).splitlines()[0] if str(err) else type(err).__name__
        print(f"physnet {args.command}: error: {message}", file=sys.stderr)
        for frame in getattr(err, "frames", []):  # a user's own code: where in their files
            print(f"  {frame}", file=sys.stderr)
        remove_unused_output_dirs()
        return 2
    finally:
        warnings.formatwarning = formatwarning
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
