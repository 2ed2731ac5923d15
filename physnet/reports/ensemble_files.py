"""``physnet forecast``'s files, from :func:`physnet.study.ensemble_forecast.forecast_orbits`:

- ``forecast.csv``, long: one row per orbit, time and state component, with columns
  ``orbit, t, state, truth, median, lower_50, upper_50, lower_90, upper_90, members``
  (a band per level asked for: ``lower_LL`` / ``upper_LL`` with LL the level in percent;
  ``truth`` empty where there is none; ``members``: the members not lost at that time);
- ``orbits.png`` (each state against time: truth, median, bands), ``phase.png`` (the phase
  portrait with every member), ``energy.png`` (the ensemble's energy drift, where the system
  has an energy);
- on validation orbits, ``calibration.json`` (:func:`physnet.study.calibration.calibration`)
  and ``reliability.png``;
- ``config.json``: the full settings of the forecast.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from physnet.io import write_atomically, write_figure, write_json
from physnet.plots.ensemble_forecast import plot_band_orbits, plot_band_phase, plot_energy_band, plot_reliability
from physnet.study.ensemble_forecast import OrbitForecast


def forecast_columns(levels: list[float]) -> list[str]:
    """The columns of ``forecast.csv`` for bands at ``levels``."""
    bands = [f"{side}_{round(level * 100):d}" for level in levels for side in ("lower", "upper")]
    return ["orbit", "t", "state", "truth", "median", *bands, "members"]


def forecast_rows(result: OrbitForecast) -> list[list]:
    """The rows of ``forecast.csv`` (long layout; see the module)."""
    fc = result.forecast
    levels = sorted(fc.bands.lower)
    rows = []
    n, steps, d = fc.median.shape
    for i in range(n):
        for j in range(steps):
            for k in range(d):
                truth = None if result.truth is None else result.truth[i, j, k]
                row: list = [i, _cell(fc.t[j]), fc.state_names[k], _cell(truth), _cell(fc.median[i, j, k])]
                for level in levels:
                    row += [_cell(fc.bands.lower[level][i, j, k]), _cell(fc.bands.upper[level][i, j, k])]
                rows.append([*row, int(fc.bands.members[i, j])])
    return rows


def _cell(value) -> str:
    if value is None or not np.isfinite(value):
        return ""
    return f"{float(value):.8g}"


def write_ensemble_forecast(out: Path, result: OrbitForecast, title: str, settings: dict) -> None:
    """Every file of ``physnet forecast`` into ``out`` (see the module)."""
    fc = result.forecast
    levels = sorted(fc.bands.lower)

    def table(path: Path) -> None:
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(forecast_columns(levels))
            writer.writerows(forecast_rows(result))

    write_atomically(out / "forecast.csv", table)
    bands = {level: fc.band(level) for level in levels}
    write_figure(
        out / "orbits.png", plot_band_orbits(fc.t, fc.median, bands, result.truth, fc.state_names, title=title)
    )
    write_figure(out / "phase.png", plot_band_phase(fc.rollouts, fc.median, result.truth, fc.state_names, title=title))
    if result.energy is not None:
        write_figure(out / "energy.png", plot_energy_band(fc.t, result.energy, result.energy_truth, title=title))
    if result.calibration is not None:
        write_json(out / "calibration.json", result.calibration)
        write_figure(out / "reliability.png", plot_reliability(result.calibration, title=title))
    write_json(
        out / "config.json", {**settings, "seeds": list(fc.seeds), "levels": levels, "spread_scale": result.scale}
    )


__all__ = ["forecast_columns", "forecast_rows", "write_ensemble_forecast"]
