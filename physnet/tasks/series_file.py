"""Reading a measured series file: named columns of a CSV, checked, as arrays.

Layout: a header row of column names, then one row per sample; a time column, state
columns, optionally their time derivatives and a group column (several trajectories in one
file, each group's rows consecutive and in time order). Every problem is one line naming
the file, the column and, where it applies, the row.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from physnet.errors import UserError


@dataclass(frozen=True)
class SeriesTable:
    """Columns of a series file, ``n`` rows.

    Attributes:
        t: times ``(n,)``.
        states: ``(n, d)``, columns ``state_names``.
        derivatives: ``(n, d)`` time derivatives of the states, or None (to be estimated).
        groups: group index of each row ``(n,)`` (0 for a file without groups), in order of
            first appearance; ``group_labels`` the labels as written; ``grouped``: the file
            has a group column.
    """

    t: np.ndarray
    states: np.ndarray
    derivatives: np.ndarray | None
    groups: np.ndarray
    state_names: tuple[str, ...]
    group_labels: tuple[str, ...]
    path: str
    grouped: bool = False

    def group_slices(self) -> list[slice]:
        """Row range of each group, in order."""
        edges = [0, *(np.flatnonzero(np.diff(self.groups)) + 1).tolist(), len(self.groups)]
        return [slice(a, b) for a, b in zip(edges[:-1], edges[1:], strict=True)]


#: The largest float32: series are trained in float32, where anything larger is infinite.
FLOAT32_MAX = float(np.finfo(np.float32).max)


def _split(names: str | None) -> list[str] | None:
    return None if names is None else [n.strip() for n in names.split(",") if n.strip()]


def _numbers(path: Path, name: str, cells: list[str], first_row: int) -> np.ndarray:
    values = np.empty(len(cells))
    for i, cell in enumerate(cells):
        try:
            values[i] = float(cell)
        except ValueError:
            shown = cell if cell.strip() else "(empty)"
            raise UserError(f"{path}: column {name!r} row {first_row + i}: {shown!r} is not a number") from None
        if not math.isfinite(values[i]):
            raise UserError(
                f"{path}: column {name!r} row {first_row + i} is {cell.strip()}: remove or fill the missing samples"
            )
        if abs(values[i]) > FLOAT32_MAX:
            raise UserError(
                f"{path}: column {name!r} row {first_row + i} is {values[i]:.3g}, beyond the range of float32 "
                f"({FLOAT32_MAX:.3g}) in which series are trained: rescale the column"
            )
    return values


def _check_roles(path: Path, time: str, group: str | None, states: list[str], derivatives: list[str]) -> None:
    """Refuse a column in two roles: a state or derivative that is the time or group column,
    a column named twice, a state that is also a derivative."""
    for label, names in (("--state", states), ("--derivatives", derivatives)):
        for name in names:
            if name == time:
                raise UserError(f"{path}: {label} names {name!r}, the time column (--time); name other columns")
            if group is not None and name == group:
                raise UserError(f"{path}: {label} names {name!r}, the group column (--group)")
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise UserError(f"{path}: {label} names {', '.join(map(repr, twice))} more than once")
    both = sorted(set(states) & set(derivatives))
    if both:
        raise UserError(f"{path}: {', '.join(map(repr, both))} cannot be both a state and a derivative column")
    if group is not None and group == time:
        raise UserError(f"{path}: --group names {group!r}, the time column")


def read_series_csv(
    path: str | Path,
    *,
    time: str = "t",
    state: str | list[str] | None = None,
    derivatives: str | list[str] | None = None,
    group: str | None = None,
) -> SeriesTable:
    """Read and check a series CSV: the header first (every column check before the body is
    read), then the body in chunks of :data:`CHUNK_ROWS` rows, keeping only the named columns
    as numbers (memory: the arrays, about 8 bytes per kept cell, plus one chunk).

    Args:
        time: the time column.
        state: the state columns (comma-separated or a list; default: every column that
            is not time, group or a derivative column).
        derivatives: their time derivatives, same order (default: none; estimate them).
        group: the column naming each row's trajectory (default: one trajectory).

    Raises:
        FileNotFoundError, ValueError: one line on what is wrong (missing file or column,
            non-numeric cell or NaN with its row, derivative count differing from the state
            count, a group split over the file, time not increasing inside a group).
    """
    path = Path(path)
    header = read_series_header(path)
    state_names, derivative_names = series_columns(
        path, header, time=time, state=state, derivatives=derivatives, group=group
    )
    numeric = list(dict.fromkeys([time, *state_names, *(derivative_names or [])]))
    values, groups, labels = _read_body(path, header, numeric, group)
    t = values[time]
    states = np.stack([values[n] for n in state_names], axis=1)
    derivs = None if derivative_names is None else np.stack([values[n] for n in derivative_names], axis=1)
    table = SeriesTable(t, states, derivs, groups, tuple(state_names), labels, str(path), grouped=group is not None)
    _check_time_order(path, table, header, time, group)
    return table


#: Rows of a series file read and converted at a time.
CHUNK_ROWS = 65_536


def _csv_rows(path: Path) -> Generator[list[str], None, None]:
    """The non-empty rows of a CSV, each problem of reading it one line naming the file."""
    reader = None
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            for row in reader:
                if row and any(c.strip() for c in row):
                    yield row
    except UnicodeDecodeError:
        raise UserError(f"{path} is not a UTF-8 text file; expected a CSV with a header row") from None
    except csv.Error as err:  # a field over the csv module's limit (131,072 characters), a stray NUL byte
        line = reader.line_num if reader is not None else "?"
        raise UserError(f"{path}: line {line} cannot be read as CSV ({err}); is it a CSV of numbers?") from None


def read_series_header(path: str | Path) -> list[str]:
    """The column names of a series file (its first non-empty line), checked: nothing else is read."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"series file not found: {path}")
    rows = _csv_rows(path)
    first = next(rows, None)
    rows.close()
    if first is None:
        raise UserError(f"{path}: needs a header row and data rows, found 0 row(s)")
    header = [h.strip() for h in first]
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        raise UserError(f"{path}: line 1 names column(s) {', '.join(map(repr, repeated))} more than once; rename them")
    return header


def series_columns(
    path: Path,
    header: list[str],
    *,
    time: str = "t",
    state: str | list[str] | None = None,
    derivatives: str | list[str] | None = None,
    group: str | None = None,
) -> tuple[list[str], list[str] | None]:
    """The state and derivative columns the options name in ``header``, every name checked
    (exists, one role each, one derivative per state): the checks that need no data row."""
    derivative_names = _split(derivatives) if isinstance(derivatives, str) or derivatives is None else derivatives
    state_names = _split(state) if isinstance(state, str) or state is None else state
    if state_names is None:
        taken = {time, group, *(derivative_names or [])}
        state_names = [h for h in header if h not in taken]
    for label, names in (("--time", [time]), ("--state", state_names), ("--derivatives", derivative_names or [])):
        for n in names:
            if n not in header:
                raise UserError(f"{path}: no column {n!r} ({label}); the columns are {', '.join(header)}")
    if group is not None and group not in header:
        raise UserError(f"{path}: no column {group!r} (--group); the columns are {', '.join(header)}")
    if not state_names:
        raise UserError(f"{path}: no state columns left besides time, group and derivatives; name them with --state")
    if derivative_names is not None and len(derivative_names) != len(state_names):
        raise UserError(
            f"{path}: {len(derivative_names)} derivative column(s) for {len(state_names)} state column(s); "
            "--derivatives names one per state column, in the same order"
        )
    _check_roles(path, time, group, state_names, derivative_names or [])
    return list(state_names), None if derivative_names is None else list(derivative_names)


def _read_body(
    path: Path, header: list[str], numeric: list[str], group: str | None
) -> tuple[dict[str, np.ndarray], np.ndarray, tuple[str, ...]]:
    """The named numeric columns and the group index of every data row, chunk by chunk."""
    rows = _csv_rows(path)
    next(rows)  # the header
    where = {name: header.index(name) for name in numeric}
    parts: dict[str, list[np.ndarray]] = {name: [] for name in numeric}
    groups = _GroupIndex(path, None if group is None else header.index(group))
    chunk: list[list[str]] = []
    first_row = 2  # row numbers as a spreadsheet shows them (the header is row 1)
    for row in rows:
        if len(row) != len(header):
            raise UserError(f"{path}: row {first_row + len(chunk)} has {len(row)} cells, the header {len(header)}")
        chunk.append(row)
        if len(chunk) == CHUNK_ROWS:
            _convert(path, chunk, first_row, where, parts, groups)
            first_row, chunk = first_row + len(chunk), []
    _convert(path, chunk, first_row, where, parts, groups)
    n = first_row + len(chunk) - 2
    if n < 1:
        raise UserError(f"{path}: needs a header row and data rows, found 1 row(s)")
    values = {name: np.concatenate(p) if p else np.empty(0) for name, p in parts.items()}
    return values, groups.index(n), groups.labels()


def _convert(path, chunk, first_row, where, parts, groups) -> None:
    if not chunk:
        return
    for name, j in where.items():
        parts[name].append(_numbers(path, name, [r[j] for r in chunk], first_row))
    groups.add(chunk, first_row)


class _GroupIndex:
    """Each row's group, in order of first appearance; a group whose rows are split is refused."""

    def __init__(self, path: Path, column: int | None) -> None:
        self.path, self.column = path, column
        self._labels: dict[str, int] = {}
        self._parts: list[np.ndarray] = []
        self._last: int | None = None

    def add(self, chunk: list[list[str]], first_row: int) -> None:
        if self.column is None:
            return
        index = np.empty(len(chunk), dtype=np.int64)
        for i, row in enumerate(chunk):
            key = row[self.column].strip()
            if key not in self._labels:
                self._labels[key] = len(self._labels)
            elif self._last != self._labels[key]:
                raise UserError(
                    f"{self.path}: group {key!r} appears again at row {first_row + i} after other groups; "
                    "the rows of a group must be consecutive"
                )
            index[i] = self._last = self._labels[key]
        self._parts.append(index)

    def index(self, n: int) -> np.ndarray:
        return np.zeros(n, dtype=np.int64) if self.column is None else np.concatenate(self._parts)

    def labels(self) -> tuple[str, ...]:
        return ("all",) if self.column is None else tuple(self._labels)


def _check_time_order(path: Path, table: SeriesTable, header: list[str], time: str, group: str | None) -> None:
    t, groups, labels = table.t, table.groups, table.group_labels
    for s in table.group_slices():
        step = np.diff(t[s])
        if (step <= 0).any():
            row = s.start + int(np.argmax(step <= 0)) + 3
            if group is not None:
                where = f" in group {labels[groups[s.start]]!r}"
                raise UserError(f"{path}: time does not increase at row {row}{where}; sort that group's rows by time")
            others = ", ".join(h for h in header if h != time)
            raise UserError(
                f"{path}: time does not increase at row {row}: if the file holds several runs one after another, "
                f"name the column that tells them apart with --group COL (columns: {others}); sorting the rows by "
                "time would interleave the runs"
            )


def read_states_csv(path: str | Path, names: tuple[str, ...]) -> np.ndarray:
    """Initial states from a CSV whose header names the state's components (``names``, any
    order; other columns are ignored), one state per row: ``(N, len(names))``.

    Raises:
        FileNotFoundError, ValueError: one line naming the file and what is wrong.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"initial-states file not found: {path}")
    reader = None
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            rows = [r for r in reader if r and any(c.strip() for c in r)]
    except UnicodeDecodeError:
        raise UserError(f"{path} is not a UTF-8 text file; expected a CSV with a header row") from None
    except csv.Error as err:  # a field over the csv module's limit (131,072 characters), a stray NUL byte
        line = reader.line_num if reader is not None else "?"
        raise UserError(f"{path}: line {line} cannot be read as CSV ({err}); is it a CSV of numbers?") from None
    if len(rows) < 2:
        raise UserError(f"{path}: needs a header row naming {', '.join(names)} and one row per initial state")
    header = [h.strip() for h in rows[0]]
    missing = [n for n in names if n not in header]
    if missing:
        raise UserError(f"{path}: no column {missing[0]!r}; the state's columns are {', '.join(names)}")
    for i, r in enumerate(rows[1:]):
        if len(r) != len(header):
            raise UserError(f"{path}: row {i + 2} has {len(r)} cells, the header {len(header)}")
    return np.stack([_numbers(path, n, [r[header.index(n)] for r in rows[1:]], 2) for n in names], axis=1)


def write_orbits_csv(path: str | Path, t: np.ndarray, states: np.ndarray, names: tuple[str, ...]) -> None:
    """Orbits ``(N, T, d)`` at times ``(T,)`` as a series file: ``orbit,t,<names>``, one row per
    sample, each orbit's rows consecutive (read back with ``--group orbit``)."""
    from physnet.io import write_atomically

    n, steps, d = states.shape
    orbit = np.repeat(np.arange(n), steps)[:, None]
    table = np.concatenate([orbit, np.tile(t, n)[:, None], states.reshape(n * steps, d)], axis=1)
    header = ",".join(["orbit", "t", *names])
    formats = ["%d", "%.10g"] + ["%.12g"] * d
    write_atomically(Path(path), lambda p: np.savetxt(p, table, delimiter=",", header=header, comments="", fmt=formats))


__all__ = ["SeriesTable", "read_series_csv", "read_states_csv", "write_orbits_csv"]
