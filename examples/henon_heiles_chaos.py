"""Label Henon-Heiles orbits regular or chaotic across energies (SALI and Lyapunov exponent).

python examples/henon_heiles_chaos.py [--small]
"""

from __future__ import annotations

import argparse

from systems import HenonHeiles, chaos_indicators


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="few orbits, short integration (seconds)")
    args = parser.parse_args()
    hh = HenonHeiles()
    energies = [0.04, 0.125, 0.16]
    per_energy, t_end = (3, 100.0) if args.small else (20, 500.0)
    for energy in energies:
        y0 = hh.sample_initial_states(per_energy, seed=0, energy=energy)
        ind = chaos_indicators(hh, y0, t_end=t_end)
        print(
            f"E = {energy:.3f}: {int(ind.chaotic.sum())}/{per_energy} chaotic, "
            f"median Lyapunov exponent {float(ind.max_lyapunov.median()):.3f}"
        )


if __name__ == "__main__":
    main()
