"""Plots: functions take arrays (and an optional axes) and return the figure."""

from physnet.plots.phase_space import plot_energy_error, plot_phase_space

__all__ = ["plot_energy_error", "plot_phase_space"]
