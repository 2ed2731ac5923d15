"""The conservation check: a damped record is refused for a Hamiltonian network, an ideal
one and the clock's recorded series are accepted."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from physnet.reports.task_report import conservation_lines
from physnet.tasks.conservation import DRIFT_LIMIT, check_conservation, data_conservation, fit_hamiltonian
from physnet.tasks.from_series import series_task
from physnet.tasks.registry import get_task


def _pendulum(damping: float, starts: list[float], t_end: float = 20.0, dt: float = 0.05):
    """Orbits of ``q'' = -sin q - damping q'`` from rest at each start angle: times, states,
    exact derivatives and the record slices."""
    t = np.arange(0.0, t_end + 1e-9, dt)
    field = lambda _, y: [y[1], -np.sin(y[0]) - damping * y[1]]  # noqa: E731
    states = [solve_ivp(field, (0, t_end), [q0, 0.0], t_eval=t, rtol=1e-10, atol=1e-10).y.T for q0 in starts]
    x = np.concatenate(states)
    y = np.array([field(0, s) for s in x])
    slices = [slice(i * len(t), (i + 1) * len(t)) for i in range(len(starts))]
    return np.tile(t, len(starts)), x, y, slices


def _csv(path: Path, damping: float, noise: float = 0.0) -> Path:
    t, x, _, slices = _pendulum(damping, [0.6, 1.0, 1.4, 1.8, 2.2, 0.8], t_end=15.0)
    x = x + noise * np.random.default_rng(0).standard_normal(x.shape)
    lines = ["run,t,q,p"] + [
        f"r{i},{t[j]:.6f},{x[j, 0]:.10g},{x[j, 1]:.10g}" for i, s in enumerate(slices) for j in range(s.start, s.stop)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_polynomial_hamiltonian_is_fitted_exactly():
    # the Duffing double well H = p^2 / 2 - q^2 / 2 + q^4 / 4 is a degree-4 polynomial
    rng = np.random.default_rng(0)
    x = rng.uniform(-1.5, 1.5, (400, 2))
    y = np.stack([x[:, 1], x[:, 0] - x[:, 0] ** 3], axis=1)
    energy, r2 = fit_hamiltonian(x, y, 4)
    exact = 0.5 * x[:, 1] ** 2 - 0.5 * x[:, 0] ** 2 + 0.25 * x[:, 0] ** 4
    assert r2 == pytest.approx(1.0, abs=1e-10)
    np.testing.assert_allclose(energy(x) - energy(x[:1]), exact - exact[0], atol=1e-8)  # up to a constant


@pytest.mark.parametrize(
    "damping, verdict", [(0.0, "conservative"), (0.1, "dissipative"), (0.3, "dissipative"), (-0.05, "driven")]
)
def test_damped_driven_and_ideal_pendulums(damping, verdict):
    starts = [0.2, 0.3, 0.4, 0.5] if damping < 0 else [0.5, 1.0, 1.5, 2.0]  # growing swings stay below the top
    found = check_conservation(*_pendulum(damping, starts))
    assert found.verdict == verdict, found.evidence()
    if damping == 0:
        assert abs(found.drift) < 0.02 and found.fit_r2 > 0.999
    else:
        assert abs(found.drift) > DRIFT_LIMIT and verdict in found.evidence()


def test_the_clock_record_is_accepted():
    # the clock is driven and damped, but in steady state: its energy keeps its level on average
    found = data_conservation(get_task("clock").load(seed=0, small=True))
    assert found.conservative and abs(found.drift) < DRIFT_LIMIT / 2, found.evidence()
    assert get_task("clock").notes == ()  # the paper's task is never refused (--preset paper trains its HNN)


def test_a_damped_series_refuses_the_hnn_and_leaves_it_out_by_default(tmp_path):
    damped = _csv(tmp_path / "damped.csv", 0.15, noise=1e-3)
    with pytest.raises(ValueError, match=r"--model hnn: .*dissipative.*--force-model"):
        series_task(damped, group="run", models=("hnn",))
    default = series_task(damped, group="run")
    assert default.reproduce_models == ("nn", "dhnn") and "left out" in default.notes[0]  # the DHNN learns it
    assert "--model dhnn" in default.notes[0]
    forced = series_task(damped, group="run", models=("hnn",), force_model=True)
    record = forced.load().config["conservation"]
    assert record["verdict"] == "dissipative" and record["forced"]
    warning = conservation_lines({"conservation": record, "model": "hnn"})[0]
    assert warning.startswith("**Warning") and "--force-model" in warning
    ideal = series_task(_csv(tmp_path / "ideal.csv", 0.0, noise=1e-3), group="run")
    assert ideal.reproduce_models == ("nn", "hnn") and ideal.notes == ()
    assert ideal.load().config["conservation"]["verdict"] == "conservative"
