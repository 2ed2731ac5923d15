"""A task from a measured series file: state columns, their derivatives (given or
estimated), split by trajectory (groups) or in time; forecasts against the record."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch

from physnet.data import MIN_FORECAST_SAMPLES, TaskData
from physnet.errors import UserError
from physnet.tasks.conservation import check_conservation
from physnet.tasks.noise_floor import NoiseFloor, savgol_noise_floor
from physnet.tasks.series_derivatives import savgol_derivatives
from physnet.tasks.series_file import SeriesTable, read_series_csv, read_series_header, series_columns
from physnet.tasks.settings import ModelSettings, default_settings
from physnet.tasks.spec import Task

#: Share of the groups (or, without groups, of the rows at the end) held out for validation.
VAL_FRACTION = 0.2


def series_models(n_states: int) -> tuple[str, ...]:
    """``nn``, and the energy models (``hnn``, ``dhnn``, ``dhnn-forced``) when the state columns can be
    read as ``(q1..qn, p1..pn)``."""
    return ("nn", "hnn", "dhnn", "dhnn-forced") if n_states % 2 == 0 else ("nn",)


def split_rows(table: SeriesTable, val_fraction: float = VAL_FRACTION) -> tuple[np.ndarray, np.ndarray]:
    """Row indices of the training and validation splits: whole groups (the last
    ``val_fraction`` of them, at least one) or, for one series, its last ``val_fraction``.

    Raises:
        ValueError: too few groups or rows to leave both splits non-empty.
    """
    slices = table.group_slices()
    if table.grouped:
        n_val = max(1, int(round(val_fraction * len(slices))))
        if n_val >= len(slices):
            raise UserError(f"{table.path}: {len(slices)} group(s) cannot be split; give at least 2 trajectories")
        cut = slices[-n_val].start
    else:
        n = len(table.t)
        cut = int(np.floor((1 - val_fraction) * n))
        if n < 10:
            raise UserError(f"{table.path}: {n} rows are too few to split in time; give at least 10")
        if cut < 2 or n - cut < 2:  # enough rows: the share leaves one side with fewer than two
            low, high = 2 / n, 1 - 2 / n
            raise UserError(
                f"{table.path}: --val-fraction {val_fraction:g} of {n} rows leaves {n - cut} validation and {cut} "
                f"training rows (each needs 2): give --val-fraction between {low:.3g} and {high:.3g}"
            )
    rows = np.arange(len(table.t))
    return rows[:cut], rows[cut:]


def series_data(
    table: SeriesTable,
    derivatives: np.ndarray,
    *,
    every: int = 1,
    source: str = "",
    seed: int = 0,
    val_fraction: float = VAL_FRACTION,
    noise_floor: NoiseFloor | None = None,
) -> TaskData:
    """The pairs of a series: states ``(M, d)`` -> derivatives ``(M, d)``, split by
    :func:`split_rows`; ``every``: keep every ``every``-th row of each split (small data).
    Rows carry their group as ``train_orbit`` / ``val_orbit`` (None for one series);
    ``noise_floor``: the targets' noise, where estimated."""
    train, val = split_rows(table, val_fraction)
    train, val = train[::every], val[::every]
    f = lambda a: torch.tensor(a, dtype=torch.float32)  # noqa: E731
    grouped = table.grouped
    slices = table.group_slices()
    dt = float(np.median(np.concatenate([np.diff(table.t[s]) for s in slices if s.stop - s.start > 1])))
    config = {
        "source": source or table.path,
        "columns": {"state": list(table.state_names)},
        "n_train": int(len(train)),
        "n_val": int(len(val)),
        "split": _split_text(grouped, val_fraction),
        "groups": len(table.group_labels),
        "seed": seed,
    }
    return TaskData(
        f(table.states[train]),
        f(derivatives[train]),
        f(table.states[val]),
        f(derivatives[val]),
        "mse",
        table.state_names,
        config,
        val_orbit=torch.tensor(table.groups[val]) if grouped else None,
        dt=dt * every,
        system=None,
        train_orbit=torch.tensor(table.groups[train]) if grouped else None,
        noise_floor=noise_floor,
    )


def _split_text(grouped: bool, val_fraction: float) -> str:
    share = f"{100 * val_fraction:.3g} %"
    if grouped:
        return f"last {share} of groups"
    return f"first {100 - 100 * val_fraction:.3g} % / last {share} in time order"


def _check_validation_records(table: SeriesTable, val_rows: np.ndarray, path: str | Path) -> None:
    """Refuse, before any training, a validation split none of whose records has the
    :data:`~physnet.data.MIN_FORECAST_SAMPLES` samples a forecast needs (its shorter groups are
    left out of the forecasts)."""
    if not table.grouped:
        return
    groups = table.groups[val_rows]
    _, counts = np.unique(groups, return_counts=True)
    if int(counts.max()) < MIN_FORECAST_SAMPLES:
        raise UserError(
            f"{path}: the validation groups (the last {len(counts)}) have at most {int(counts.max())} row(s) each; a "
            f"forecast needs a record of {MIN_FORECAST_SAMPLES} or more: order the groups so that a longer one comes "
            "last, or raise --val-fraction"
        )


def check_val_fraction(val_fraction: float) -> None:
    """Refuse a validation share outside (0, 1) (one line)."""
    if not 0 < val_fraction < 1:
        raise UserError(f"--val-fraction must lie strictly between 0 and 1, got {val_fraction:g}")


def series_task(
    path: str | Path,
    *,
    name: str | None = None,
    time: str = "t",
    state: str | list[str] | None = None,
    derivatives: str | list[str] | None = None,
    group: str | None = None,
    window: int = 11,
    order: int = 3,
    val_fraction: float = VAL_FRACTION,
    models: tuple[str, ...] | None = None,
    settings: Mapping[str, ModelSettings] | None = None,
    small_every: int = 1,
    description: str | None = None,
    source: Mapping[str, Any] | None = None,
    force_model: bool = False,
) -> Task:
    """A task whose data are the rows of a series CSV (read and checked now, so that a bad
    file fails before any work).

    Args:
        time: the time column (see :func:`physnet.tasks.series_file.read_series_csv`).
        state: the state columns.
        derivatives: their derivative columns; without them the derivatives are estimated
            per group by Savitzky-Golay (``window`` samples, polynomial ``order``).
        group: the column telling records apart (each record differentiated on its own).
        val_fraction: share of the groups (the last ones) or, without groups, of the rows
            (the last in time) held out for validation.
        models: ``nn``, and ``hnn`` for an even number of state columns read as
            ``(q1..qn, p1..pn)`` (default: ``nn``, and with an even column count ``hnn`` for a
            record that conserves energy, ``dhnn`` for one that does not, both with ``force_model``).
        settings: per-model records (default: from the data size and dimension).
        small_every: the small data keeps every ``small_every``-th row.
        force_model: train ``hnn`` even where the conservation check
            (:mod:`physnet.tasks.conservation`) finds the record dissipative or driven; without
            it ``hnn`` is refused there, and left out of the default models with a note.

    Raises:
        FileNotFoundError, ValueError: one line on what is wrong with the file or options.
    """

    def read(file: str | Path) -> tuple[SeriesTable, np.ndarray, NoiseFloor | None]:
        table = read_series_csv(file, time=time, state=state, derivatives=derivatives, group=group)
        if table.derivatives is not None:
            return table, table.derivatives, None
        slices = table.group_slices()
        slopes = savgol_derivatives(
            table.t, table.states, slices, window=window, order=order, labels=table.group_labels
        )
        return table, slopes, savgol_noise_floor(table.t, table.states, slices, window=window, order=order)

    check_val_fraction(val_fraction)
    names, _ = series_columns(  # the header's checks before the body is read (a large file: seconds)
        Path(path), read_series_header(path), time=time, state=state, derivatives=derivatives, group=group
    )
    allowed = series_models(len(names))
    for m in models or ():
        if m not in allowed:
            raise UserError(
                f"--model {m}: reads the state columns as (q1..qn, p1..pn) and needs an even count; "
                f"{path} has {len(names)} ({', '.join(names)})"
            )
    table, slopes, floor = read(path)
    conservation, notes = _conservation(table, slopes, models, force_model, path) if "hnn" in allowed else (None, ())
    if conservation is not None:  # by default: the energy model the record calls for
        allowed = ("nn", "hnn") if conservation["conservative"] else ("nn", "dhnn")
        allowed = ("nn", "hnn", "dhnn") if force_model and not conservation["conservative"] else allowed
    models = models or allowed
    train_rows, val_rows = split_rows(table, val_fraction)  # too few groups or rows: refused now
    _check_validation_records(table, val_rows, path)

    def load(*, seed: int = 0, small: bool = False, data: str | Path | None = None) -> TaskData:
        t, d, noise = (table, slopes, floor) if data is None else read(data)
        every = small_every if small else 1
        loaded = series_data(
            t, d, every=every, source=str(data or path), seed=seed, val_fraction=val_fraction, noise_floor=noise
        )
        if conservation is not None:
            loaded.config["conservation"] = conservation
        return loaded

    label = name or str(path)
    if settings is None:
        settings = default_settings(len(train_rows), table.states.shape[1], tuple(models))
    description = description or f"measured series {path} ({len(table.t)} rows, {len(table.group_labels)} group(s))"
    return Task(
        label,
        description,
        load,
        settings,
        accepts_data_file=True,
        source=source,
        reproduce_models=tuple(models),
        notes=notes,
    )


def _conservation(
    table: SeriesTable, slopes: np.ndarray, models: tuple[str, ...] | None, force: bool, path: str | Path
) -> tuple[dict, tuple[str, ...]]:
    """The conservation check of a series with (q, p) columns, as a task's data record it,
    and the notes for the user; refuses an explicit ``hnn`` on a record that is not
    conservative unless ``force``."""
    found = check_conservation(table.t, table.states, slopes, table.group_slices())
    record = {**found.to_dict(), "conservative": found.conservative, "forced": bool(force)}
    if found.conservative:
        return record, ()
    if force:
        return record, (f"{path}: {found.evidence()}; --force-model: the Hamiltonian network is trained anyway",)
    if models and "hnn" in models:
        raise UserError(
            f"--model hnn: {path}: {found.evidence()}, and a conservative Hamiltonian network forecasts closed "
            "orbits; use --model dhnn (learns the dissipation) or nn, or --force-model to train it anyway"
        )
    return record, (
        f"{path}: {found.evidence()}; the conservative Hamiltonian network is left out (--model dhnn learns the "
        "dissipation; --force-model includes hnn)",
    )


__all__ = ["VAL_FRACTION", "check_val_fraction", "series_data", "series_models", "series_task", "split_rows"]
