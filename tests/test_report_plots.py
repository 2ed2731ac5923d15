"""Report figures that read right: density contours that enclose what they say, an error plot
whose range is the data's."""

from __future__ import annotations

import numpy as np

from physnet.plots.analysis import density_levels, plot_eigenvalue_densities, plot_metric_vs_participation
from physnet.plots.forecast import plot_forecast_error


def test_density_contours_enclose_their_share_of_a_fresh_sample():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(2, 3000)) * np.array([[0.02], [0.05]]) + np.array([[0.6], [0.3]])
    kde, levels = density_levels(x, y, shares=(0.9, 0.5))
    fresh = rng.normal(size=(2, 3000)) * np.array([[0.02], [0.05]]) + np.array([[0.6], [0.3]])
    inside = kde(fresh)
    np.testing.assert_allclose([(inside >= level).mean() for level in levels], [0.9, 0.5], atol=0.04)


def test_no_density_for_too_few_or_collinear_points():
    assert density_levels(np.array([0.5, 0.6]), np.array([0.1, 0.2])) is None
    assert density_levels(np.linspace(0, 1, 10), np.full(10, 0.3)) is None
    line = np.linspace(0, 1, 10)
    assert density_levels(line, 2 * line + 1) is None


def test_participation_figure_is_one_panel_with_a_legend_per_arm():
    rng = np.random.default_rng(1)
    rows = [
        {"arm": arm, "metric": m + 0.02 * rng.normal(), "r": 0.2 + 0.03 * rng.normal()}
        for arm, m in (("base", 0.5), ("mix", 0.6))
        for _ in range(30)
    ]
    fig = plot_metric_vs_participation(rows, metric="val_accuracy")
    assert len(fig.axes) == 1
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["base (30 seeds)", "mix (30 seeds)"]


def test_error_plot_range_is_set_by_the_data_and_labelled():
    t = np.linspace(0, 1, 11)
    error = np.vstack([np.r_[0.0, np.full(10, 1e-4)], np.r_[0.0, np.linspace(1e-3, 1e-2, 10)]])
    ax = plot_forecast_error(t, error).axes[0]
    lo, hi = ax.get_ylim()
    assert 1e-5 < lo < 1e-4 and 1e-2 < hi < 1e-1
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["orbit 1", "orbit 2"]


def test_hessian_legend_sits_beside_the_curves():
    class Density:
        nodes = np.linspace(-1, 5, 20)

        def density(self, grid, width):
            return np.exp(-((grid - 1) ** 2))

    fig = plot_eigenvalue_densities({"base": [Density()], "mix": [Density()]})
    fig.canvas.draw()
    ax = fig.axes[0]
    legend_box = ax.get_legend().get_window_extent()
    assert legend_box.x0 >= ax.get_window_extent().x1  # outside the plotting area
