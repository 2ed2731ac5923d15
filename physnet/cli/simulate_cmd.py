"""``physnet simulate SYSTEM --out DIR``: orbits, config and a phase-space plot."""

from __future__ import annotations

import argparse
import time

from physnet.cli import arguments
from physnet.cli.names import names
from physnet.cli.options import add_option


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "simulate",
        help="integrate orbits of a system and plot them",
        description="Integrate orbits of a dynamical system; writes DIR/orbits.npz (t: (T,), states: (N, T, d)), "
        "DIR/orbits.csv (orbit,t,<state names>: a series file, --group orbit), DIR/config.json, "
        "DIR/phase_space.png and, where the system has an energy, DIR/energy.png.",
    )
    p.add_argument("system", metavar="SYSTEM", help=f"one of {', '.join(names('SYSTEMS'))}, or module:Class")
    add_option(p, "out", required=True)
    add_option(p, "orbits")
    add_option(p, "t-end")
    add_option(p, "dt")
    add_option(p, "method", default="dopri5")
    add_option(p, "seed", default=0)
    add_option(p, "energy")
    p.add_argument(
        "--rtol",
        type=arguments.positive_float,
        default=1e-9,
        help="relative tolerance, adaptive methods (default 1e-9)",
    )
    p.add_argument(
        "--atol",
        type=arguments.positive_float,
        default=1e-9,
        help="absolute tolerance, adaptive methods (default 1e-9)",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from physnet.io import prepare_output_dir, write_figure, write_json, write_npz
    from physnet.jobs.simulate import SIMULATION_DEFAULTS, SimulationConfig, resolve_system, simulate
    from physnet.plots import plot_energy_error, plot_phase_space
    from physnet.tasks.series_file import write_orbits_csv

    system = resolve_system(args.system)
    defaults = SIMULATION_DEFAULTS.get(args.system, {"orbits": 8, "t_end": 20.0, "dt": 0.01})
    config = SimulationConfig(
        system=args.system,
        orbits=args.orbits if args.orbits is not None else defaults["orbits"],
        t_end=args.t_end if args.t_end is not None else defaults["t_end"],
        dt=args.dt if args.dt is not None else defaults["dt"],
        method=args.method,
        seed=args.seed,
        energy=args.energy,
        rtol=args.rtol,
        atol=args.atol,
    )
    out = prepare_output_dir(args.out, command="simulate")
    start = time.perf_counter()
    orbits = simulate(system, config)
    seconds = time.perf_counter() - start
    t, states = orbits.t.numpy(), orbits.states.numpy()
    name = getattr(system, "name", args.system)
    write_npz(out / "orbits.npz", t=t, states=states)
    write_orbits_csv(out / "orbits.csv", t, states, tuple(system.state_names))
    title = f"{name}: {config.orbits} orbits, {config.method}, dt={config.dt}"
    write_figure(
        out / "phase_space.png",
        plot_phase_space(t, states, system.state_names, n_dof=getattr(system, "n_dof", None), title=title),
    )
    energy = system.energy(orbits.states)
    written = ["orbits.npz", "orbits.csv", "phase_space.png"]
    if energy is not None:
        write_figure(out / "energy.png", plot_energy_error(t, energy.numpy(), title=f"{name}: energy, {config.method}"))
        written.append("energy.png")
    record = {
        "command": "simulate",
        "config": config.to_dict(),
        "system": system.config() if hasattr(system, "config") else {"name": name},
        "shapes": {"t": list(t.shape), "states": list(states.shape)},
        "seconds": round(seconds, 3),
    }
    if energy is not None:
        e = energy.numpy()
        record["max_relative_energy_change"] = float(
            np.max(np.abs(e - e[:, :1]) / np.maximum(np.abs(e[:, :1]), 1e-300))
        )
    write_json(out / "config.json", record)  # written last: its presence marks a complete run
    print(f"simulated {config.orbits} orbits of {name} to t={config.t_end} with {config.method} in {seconds:.2f} s")
    print(f"wrote {', '.join(str(out / w) for w in written + ['config.json'])}")
    return 0
