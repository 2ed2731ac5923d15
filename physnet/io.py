"""Writing a run's outputs: a writable folder checked up front, files replaced atomically."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

#: Folders that ``prepare_output_dir`` created in this process (deepest last), so that a command
#: refused before writing anything can leave the file system as it found it.
_CREATED: list[Path] = []


def _process_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: Mode of every file written here: what ``open`` would give (``0o666`` less the umask);
#: ``mkstemp`` alone gives ``0o600``.
FILE_MODE = 0o666 & ~_process_umask()


#: What each command may write into, by the kind of run a folder already holds
#: (:func:`folder_kind`; an empty or unknown folder is open to every command).
ACCEPTS = {
    "simulate": {"simulate"},
    "meta": {"meta"},
    "track": {"track"},
    "forecast": {"forecast"},
    "ablate": {"ablate"},
    "compare": {"study"},
    "reproduce": {"study"},
    "reproduce all": {"reproduce all"},
    "sweep-size": {"sweep"},
    "analyze": {"study"},
}


def folder_kind(path: Path) -> str | None:
    """The kind of run ``path`` holds, from its files: a command's ``config.json``
    (``simulate``, ``meta``, ``track``, ``forecast``, ``ablate``), a study (``runs.csv``), a
    whole reproduction (``timings.json``), a size sweep, or None (empty, or not a physnet run)."""
    import json

    if (path / "timings.json").is_file():
        return "reproduce all"
    if (path / "runs.csv").is_file():
        return "study"
    try:
        config = json.loads((path / "config.json").read_text())
    except (OSError, ValueError):
        config = None
    if isinstance(config, dict) and config.get("command") in ACCEPTS:
        return str(config["command"])
    if isinstance(config, dict) and "study" in config:
        return "study"
    if (path / "checkpoint.pt").is_file() and (path / "history.npz").is_file():
        return "meta"
    if any(path.glob("size-*/runs.csv")):
        return "sweep"
    return None


def check_output_path(path: str | os.PathLike) -> None:
    """The cheap check of an output folder, before anything is built or trained: it is a folder
    (or can be made in one) that this process may write. Creates nothing.

    Raises:
        OSError: one line naming the folder.
    """
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"output path {out} exists and is not a folder")
    existing = next((p for p in (out, *out.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        raise NotADirectoryError(f"cannot make output folder {out}: {existing} is a file; choose another --out")
    if existing is not None and not os.access(existing, os.W_OK | os.X_OK):
        raise PermissionError(f"cannot write to output folder {out}: {existing} is not writable; choose another --out")


def prepare_output_dir(path: str | os.PathLike, command: str | None = None) -> Path:
    """Create ``path`` (and parents) and check it can be written, before any work is done;
    with ``command``, refuse a folder that holds another command's run (:data:`ACCEPTS`).

    Raises:
        OSError: with a one-line message when the folder cannot be created or written.
        UserError: the folder holds another kind of run.
    """
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"output path {out} exists and is not a folder")
    kind = folder_kind(out) if command is not None and out.is_dir() else None
    if kind is not None and kind not in ACCEPTS.get(str(command), {kind}):
        from physnet.errors import UserError

        raise UserError(
            f"{out} holds a {kind} run; physnet {command} would mix its files into it: choose another --out"
        )
    missing = [p for p in (out, *out.parents) if not p.exists()]
    try:
        out.mkdir(parents=True, exist_ok=True)
        _CREATED.extend(reversed(missing))
        with tempfile.NamedTemporaryFile(dir=out, prefix=".write-test-"):
            pass
    except OSError as err:
        raise PermissionError(f"cannot write to output folder {out}: {err.strerror or err}") from None
    return out


def remove_unused_output_dirs() -> None:
    """Remove the folders ``prepare_output_dir`` created that are still empty (a command refused
    before writing anything leaves no trace); folders holding anything are kept."""
    while _CREATED:
        folder = _CREATED.pop()
        try:
            if [p.name for p in folder.iterdir()] == [".lock"]:  # our own released lock: nothing of value
                (folder / ".lock").unlink()
            folder.rmdir()
        except OSError:
            pass  # not empty (or gone): keep it


def write_atomically(path: Path, write: Callable[[Path], Any]) -> Path:
    """Call ``write(tmp)`` on a temporary file next to ``path``, then rename it into
    place, so a reader never sees a half-written file; the temporary file never outlives a
    failure. Files get the mode ``open`` would give them.

    Raises:
        OSError: one line naming ``path`` when it cannot be written (a full disk included,
            also where the writer reports it as a RuntimeError, as ``torch.save`` does).
    """
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as err:
        raise OSError(f"cannot write {path}: {err.strerror or err}; {_free_space(path.parent)}") from None
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except OSError as err:
        raise OSError(f"cannot write {path}: {err.strerror or err}; {_free_space(path.parent)}") from None
    except RuntimeError as err:  # torch.save reports a full disk as a RuntimeError of its C++ writer
        if not _looks_like_io(err, path.parent):
            raise
        reason = str(err).splitlines()[0][:120]
        raise OSError(f"cannot write {path} ({reason}); {_free_space(path.parent)}") from None
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


#: Words of the writers' own messages for a failed write (torch's zip writer, C++ streams).
_IO_WORDS = ("writ", "inline_container", "iostream", "no space", "disk quota")
#: Free bytes below which any writer's RuntimeError is taken for a full disk.
_NEARLY_FULL = 16 * 2**20


def _looks_like_io(err: RuntimeError, folder: Path) -> bool:
    if any(word in str(err).lower() for word in _IO_WORDS):
        return True
    try:
        return shutil.disk_usage(folder).free < _NEARLY_FULL
    except OSError:
        return False


def _free_space(folder: Path) -> str:
    """What to do, with the free space of ``folder``'s disk."""
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return "free space or choose another --out"
    shown = f"{free / 2**30:.1f} GB" if free >= 2**30 else f"{free / 2**20:.0f} MB"
    return f"{shown} free there: free space or choose another --out (the previous complete file is kept)"


def write_json(path: Path, data: dict) -> Path:
    """Write ``data`` as indented JSON, atomically."""
    return write_atomically(path, lambda p: p.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n"))


def write_npz(path: Path, **arrays: np.ndarray) -> Path:
    """Write arrays to an ``.npz`` file, atomically (loads with ``allow_pickle=False``)."""

    def _save(p: Path) -> None:
        named: dict[str, Any] = dict(arrays)  # numpy's stub types **kwds oddly
        with open(p, "wb") as fh:
            np.savez(fh, **named)

    return write_atomically(path, _save)


def write_figure(path: Path, fig) -> Path:
    """Save a matplotlib figure, atomically (figures from :mod:`physnet.plots` are not
    held by pyplot: nothing to close). Labels holding a file name that Python could only read
    as undecodable bytes (a non-ASCII name under a C locale) are shown decoded as UTF-8."""
    _printable_labels(fig)
    return write_atomically(path, lambda p: fig.savefig(p, dpi=120, bbox_inches="tight", format=path.suffix[1:]))


def printable(text: str) -> str:
    """``text`` with surrogate-escaped bytes (how Python keeps undecodable file names, e.g.
    ``café`` under ``LC_ALL=C``) decoded as UTF-8, which fonts can draw."""
    if not any("\udc80" <= c <= "\udcff" for c in text):
        return text
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _printable_labels(fig: Any) -> None:
    from matplotlib.text import Text

    for label in fig.findobj(Text):
        text = label.get_text()
        if isinstance(text, str) and printable(text) != text:
            label.set_text(printable(text))


#: Folders this process holds the lock of, with how many holders (a reproduction locks its
#: study folder, and the study inside it locks it again).
_HELD: dict[Path, int] = {}


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold ``folder/.lock`` while writing into ``folder``: a second process writing into the same
    folder is refused at once (the lock goes with the process, even when it is killed).

    Raises:
        BlockingIOError: another process holds the lock.
    """
    import fcntl

    key = Path(folder).resolve()
    if key in _HELD:
        _HELD[key] += 1
        try:
            yield
        finally:
            _HELD[key] -= 1
        return
    key.mkdir(parents=True, exist_ok=True)
    handle = open(key / ".lock", "a")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BlockingIOError(
                f"another physnet process is writing into {folder}; wait for it to finish or choose another --out"
            ) from None
        _HELD[key] = 1
        try:
            yield
        finally:
            del _HELD[key]
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()
