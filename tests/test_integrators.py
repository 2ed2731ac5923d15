"""Integrators: declared orders against fitted slopes, energy trends, reversibility, refusals."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.integrate import solve_ivp

from physnet import METHODS, ConvergenceError, odeint
from physnet.integrators.implicit_midpoint import implicit_midpoint_step
from problems import REGULAR_HH, HarmonicOscillator, RadialOscillator, henon_heiles_state
from systems import HenonHeiles, Pendulum, VanDerPol

FIXED = [name for name, m in METHODS.items() if not (m.adaptive or m.dissipative)]  # dissipative: test_dissipative
ADAPTIVE = [name for name, m in METHODS.items() if m.adaptive]


def fitted_order(method: str, steps=(40, 80, 160, 320), t_end: float = 4.0) -> float:
    """Slope of log(final error) against log(h) on the harmonic oscillator (exact solution)."""
    system = HarmonicOscillator()
    y0 = torch.tensor([[1.0, 0.5], [-0.3, 0.8]], dtype=torch.float64)
    exact = HarmonicOscillator.exact(y0, torch.tensor([t_end], dtype=torch.float64))[-1]
    errors, hs = [], []
    for n in steps:
        t = torch.linspace(0.0, t_end, n + 1, dtype=torch.float64)
        with torch.no_grad():
            y = odeint(system, y0, t, method=method)[-1]
        errors.append(float((y - exact).abs().max()))
        hs.append(t_end / n)
    return float(np.polyfit(np.log(hs), np.log(errors), 1)[0])


@pytest.mark.parametrize("method", FIXED)
def test_fixed_step_methods_converge_at_their_declared_order(method):
    assert fitted_order(method) == pytest.approx(METHODS[method].order, abs=0.15)


def test_fixed_step_orders_on_a_nonlinear_problem():
    """Orders hold beyond linear problems: pendulum against a SciPy DOP853 reference."""
    pen = Pendulum()
    y0 = torch.tensor([[1.2, 0.0]], dtype=torch.float64)
    ref = solve_ivp(lambda t, y: [y[1], -np.sin(y[0])], (0, 3), [1.2, 0.0], rtol=1e-13, atol=1e-14, method="DOP853")
    exact = torch.tensor(ref.y[:, -1], dtype=torch.float64)
    for method in FIXED:
        errors = []
        for n in (60, 120, 240):
            with torch.no_grad():
                errors.append(
                    float(
                        (
                            odeint(pen, y0, torch.linspace(0, 3, n + 1, dtype=torch.float64), method=method)[-1, 0]
                            - exact
                        )
                        .abs()
                        .max()
                    )
                )
        slope = np.polyfit(np.log([3 / 60, 3 / 120, 3 / 240]), np.log(errors), 1)[0]
        assert slope == pytest.approx(METHODS[method].order, abs=0.2), method


@pytest.mark.parametrize("method", ADAPTIVE)
def test_adaptive_methods_meet_tolerance_against_scipy(method):
    vdp = VanDerPol(mu=1.0)
    y0 = torch.tensor([[2.0, 0.0], [0.1, 0.1]], dtype=torch.float64)
    t = torch.linspace(0, 10, 21, dtype=torch.float64)
    # low-order methods need many steps at tight tolerances: loosen theirs
    rtol = 1e-8 if METHODS[method].order >= 3 else 1e-5
    y = odeint(vdp, y0, t, method=method, rtol=rtol, atol=rtol / 100)
    for i in range(2):
        ref = solve_ivp(
            lambda s, z: [z[1], (1 - z[0] ** 2) * z[1] - z[0]],
            (0, 10),
            y0[i].numpy(),
            t_eval=t.numpy(),
            rtol=1e-12,
            atol=1e-13,
            method="DOP853",
        ).y.T
        assert np.abs(y[:, i].numpy() - ref).max() < 1e4 * rtol


def energy_trend(system, y0, h: float, method: str, steps: int = 10_000) -> dict:
    """Fit a line to the relative energy error over ``steps`` steps; return the fitted
    drift over the run, the band of the oscillation around the line, and the largest
    error in the first and last quarters."""
    t = torch.arange(steps + 1, dtype=torch.float64) * h
    with torch.no_grad():
        ys = odeint(system, y0, t, method=method)
    e = system.hamiltonian(ys)[:, 0].numpy()
    err, tt = (e - e[0]) / abs(e[0]), t.numpy()
    slope, intercept = np.polyfit(tt, err, 1)
    resid = err - (slope * tt + intercept)
    q = steps // 4
    return {
        "drift": abs(slope * tt[-1]),
        "band": resid.max() - resid.min(),
        "early": np.abs(err[:q]).max(),
        "late": np.abs(err[-q:]).max(),
    }


TREND_PROBLEMS = {
    "pendulum": (Pendulum(), torch.tensor([[1.0, 0.0]], dtype=torch.float64), 0.1, 0.3),
    "henon-heiles": (HenonHeiles(), henon_heiles_state(**REGULAR_HH), 0.05, 0.5),
}


@pytest.mark.parametrize("problem", TREND_PROBLEMS)
@pytest.mark.parametrize("method", ["symplectic-euler", "leapfrog", "implicit-midpoint"])
def test_symplectic_energy_error_is_bounded_without_secular_growth(problem, method):
    system, y0, h, _ = TREND_PROBLEMS[problem]
    trend = energy_trend(system, y0, h, method)
    assert trend["drift"] < 0.01 * trend["band"]  # fitted slope ~ 0 against the oscillation
    assert trend["late"] < 1.1 * trend["early"]  # bounded: no larger late than early
    assert trend["early"] < 0.1


@pytest.mark.parametrize("problem", TREND_PROBLEMS)
def test_euler_energy_grows(problem):
    system, y0, h, _ = TREND_PROBLEMS[problem]
    trend = energy_trend(system, y0, h / 25, "euler")  # smaller step: the orbit must not escape
    assert trend["drift"] > trend["band"]
    assert trend["late"] > 2 * trend["early"]


@pytest.mark.parametrize("problem", TREND_PROBLEMS)
def test_rk4_drifts_at_large_step(problem):
    system, y0, _, h_large = TREND_PROBLEMS[problem]
    trend = energy_trend(system, y0, h_large, "rk4")
    assert trend["drift"] > 0.5 * trend["band"]
    assert trend["late"] > 1.4 * trend["early"]


def test_leapfrog_is_time_reversible():
    hh = HenonHeiles()
    y0 = hh.sample_initial_states(5, seed=0, energy=0.12)
    t = torch.arange(2001, dtype=torch.float64) * 0.05
    with torch.no_grad():
        forward = odeint(hh, y0, t, method="leapfrog")[-1]
        flipped = torch.cat([forward[:, :2], -forward[:, 2:]], dim=-1)
        back = odeint(hh, flipped, t, method="leapfrog")[-1]
    restored = torch.cat([back[:, :2], -back[:, 2:]], dim=-1)
    assert float((restored - y0).abs().max()) < 1e-10
    # and running the clock backwards undoes the run too
    with torch.no_grad():
        undone = odeint(hh, forward, t.flip(0), method="leapfrog")[-1]
    assert float((undone - y0).abs().max()) < 1e-10


def test_implicit_midpoint_conserves_quadratic_invariant_of_nonseparable_hamiltonian():
    system = RadialOscillator()
    y0 = system.sample_initial_states(6, seed=1)
    t = torch.arange(501, dtype=torch.float64) * 0.05
    for solver in ("fixed-point", "newton"):
        ys = odeint(system, y0, t, method="implicit-midpoint", options={"solver": solver})
        r2 = (ys**2).sum(-1)
        assert float(((r2 - r2[0]).abs() / r2[0]).max()) < 1e-12


def test_implicit_midpoint_newton_and_fixed_point_agree():
    hh = HenonHeiles()
    y0 = hh.sample_initial_states(3, seed=2)
    t = torch.linspace(0, 5, 51, dtype=torch.float64)
    a = odeint(hh, y0, t, method="implicit-midpoint", options={"solver": "newton"})
    b = odeint(hh, y0, t, method="implicit-midpoint", options={"solver": "fixed-point"})
    torch.testing.assert_close(a, b, rtol=1e-11, atol=1e-12)


def test_implicit_midpoint_fails_loudly_when_iterations_diverge():
    stiff = lambda t, y: -1000.0 * y  # noqa: E731  fixed point diverges when h * 1000 > 2
    with pytest.raises(ConvergenceError, match="did not converge"):
        implicit_midpoint_step(stiff, torch.tensor(0.0), torch.ones(2, dtype=torch.float64), torch.tensor(0.1))
    # Newton solves the linear problem exactly
    y1 = implicit_midpoint_step(
        stiff, torch.tensor(0.0), torch.ones(2, dtype=torch.float64), torch.tensor(0.1), solver="newton"
    )
    torch.testing.assert_close(y1, torch.full((2,), (1 - 50.0) / (1 + 50.0), dtype=torch.float64))


def test_unknown_method_lists_valid_ones():
    with pytest.raises(ValueError, match="valid methods: .*leapfrog.*dopri5"):
        odeint(Pendulum(), torch.zeros(1, 2), torch.linspace(0, 1, 3), method="rk5")


def test_underscored_torchdiffeq_names_are_accepted():
    y = odeint(
        Pendulum(),
        torch.tensor([[0.1, 0.0]], dtype=torch.float64),
        torch.linspace(0, 1, 5, dtype=torch.float64),
        method="adaptive_heun",
    )
    assert y.shape == (5, 1, 2)


@pytest.mark.parametrize("method", ["leapfrog", "symplectic-euler", "implicit-midpoint"])
def test_symplectic_methods_refuse_systems_without_q_p_split(method):
    with pytest.raises(ValueError, match="needs a Hamiltonian"):
        odeint(VanDerPol(), torch.zeros(1, 2), torch.linspace(0, 1, 3), method=method)
    with pytest.raises(ValueError, match="needs a Hamiltonian"):
        odeint(lambda t, y: -y, torch.zeros(1, 2), torch.linspace(0, 1, 3), method=method)


@pytest.mark.parametrize("method", ["leapfrog", "symplectic-euler"])
def test_explicit_symplectic_methods_refuse_nonseparable_hamiltonians(method):
    with pytest.raises(ValueError, match="separable"):
        odeint(RadialOscillator(), torch.ones(1, 2), torch.linspace(0, 1, 3), method=method)


def test_bad_time_grid_and_nan_states_are_refused():
    pen = Pendulum()
    with pytest.raises(ValueError, match="strictly"):
        odeint(pen, torch.zeros(1, 2), torch.tensor([0.0, 1.0, 1.0]), method="rk4")
    with pytest.raises(ValueError, match="NaN"):
        odeint(pen, torch.tensor([[float("nan"), 0.0]]), torch.linspace(0, 1, 3), method="rk4")


def test_float32_and_batch_shapes_pass_through():
    y0 = Pendulum().sample_initial_states(6, seed=0).float().reshape(2, 3, 2)
    for method in ("leapfrog", "rk4", "dopri5", "implicit-midpoint"):
        with torch.no_grad():
            y = odeint(Pendulum(), y0, torch.linspace(0, 1, 11), method=method)
        assert y.shape == (11, 2, 3, 2) and y.dtype == torch.float32
