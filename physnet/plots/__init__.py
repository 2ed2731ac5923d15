"""Plots: functions take arrays (and an optional axes) and return the figure."""

from physnet.plots.activations import plot_activation_evolution, plot_learned_vs_base, plot_training_curves
from physnet.plots.analysis import plot_metric_vs_participation
from physnet.plots.forecast import plot_forecast_energy, plot_forecast_error, plot_forecast_orbits
from physnet.plots.phase_space import plot_energy_error, plot_phase_space
from physnet.plots.study import ARM_COLOURS, plot_arm_boxes, plot_tuning_curves

__all__ = [
    "plot_metric_vs_participation",
    "plot_forecast_energy",
    "plot_forecast_error",
    "plot_forecast_orbits",
    "ARM_COLOURS",
    "plot_arm_boxes",
    "plot_tuning_curves",
    "plot_activation_evolution",
    "plot_energy_error",
    "plot_learned_vs_base",
    "plot_phase_space",
    "plot_training_curves",
]
