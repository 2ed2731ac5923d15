"""Fitted convergence orders of every fixed-step method and energy errors over 10^4 steps.

python benchmarks/integrators.py
"""

from __future__ import annotations

import time

import numpy as np
import torch
from scipy.integrate import solve_ivp

from physnet import METHODS, odeint
from systems import HenonHeiles, Pendulum


def pendulum_reference(q0: float, t_end: float) -> np.ndarray:
    sol = solve_ivp(lambda t, y: [y[1], -np.sin(y[0])], (0, t_end), [q0, 0.0], rtol=1e-13, atol=1e-14, method="DOP853")
    return sol.y[:, -1]


def fitted_order(method: str, steps=(50, 100, 200, 400), t_end: float = 4.0) -> tuple[float, list[float]]:
    pen, exact = Pendulum(), torch.tensor(pendulum_reference(1.0, t_end))
    y0 = torch.tensor([[1.0, 0.0]], dtype=torch.float64)
    errors = []
    for n in steps:
        with torch.no_grad():
            y = odeint(pen, y0, torch.linspace(0, t_end, n + 1, dtype=torch.float64), method=method)[-1, 0]
        errors.append(float((y - exact).abs().max()))
    return float(np.polyfit(np.log([t_end / n for n in steps]), np.log(errors), 1)[0]), errors


def energy_errors(system, y0, h: float, method: str, steps: int = 10_000) -> tuple[float, float, float, float]:
    """(largest |dE/E| in first quarter, in last quarter, fitted drift over the run, seconds)."""
    t = torch.arange(steps + 1, dtype=torch.float64) * h
    start = time.perf_counter()
    with torch.no_grad():
        e = system.hamiltonian(odeint(system, y0, t, method=method))[:, 0].numpy()
    seconds = time.perf_counter() - start
    err = (e - e[0]) / abs(e[0])
    q = steps // 4
    slope = np.polyfit(t.numpy(), err, 1)[0]
    return np.abs(err[:q]).max(), np.abs(err[-q:]).max(), slope * float(t[-1]), seconds


def main() -> None:
    print("convergence order on the pendulum (q0 = 1, t = 4), fitted over h = 0.08 .. 0.01")
    print(f"{'method':<19}{'declared':>9}{'fitted':>8}   errors")
    for name, m in METHODS.items():
        if m.adaptive:
            continue
        slope, errors = fitted_order(name)
        print(f"{name:<19}{m.order:>9}{slope:>8.3f}   " + " ".join(f"{e:.2e}" for e in errors))
    print("\nrelative energy error over 10^4 steps: max |dE/E| early / late quarter, fitted drift")
    hh = HenonHeiles()
    hh_y0 = torch.tensor([[0.234, 0.184, -0.134, 0.0]], dtype=torch.float64)
    hh_y0[0, 3] = torch.sqrt(2 * (0.125 - hh.hamiltonian(hh_y0)[0]))
    problems = [
        ("pendulum", Pendulum(), torch.tensor([[1.0, 0.0]], dtype=torch.float64), 0.1),
        ("henon-heiles E=1/8 regular", hh, hh_y0, 0.05),
    ]
    for label, system, y0, h in problems:
        for method, step in [
            ("euler", h / 25),
            ("symplectic-euler", h),
            ("leapfrog", h),
            ("implicit-midpoint", h),
            ("rk4", h),
            ("rk4", 0.3 if system is not hh else 0.5),
        ]:
            early, late, drift, sec = energy_errors(system, y0, step, method)
            print(
                f"{label:<27}{method:<18} h={step:<6g} early {early:.2e}  late {late:.2e}  "
                f"drift {drift:+.2e}  ({sec:.1f} s)"
            )


if __name__ == "__main__":
    main()
