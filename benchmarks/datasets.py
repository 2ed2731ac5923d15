"""Time to build each task's default dataset (paper scale, ~10^4 training pairs).

python benchmarks/datasets.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

from systems import DEFAULT_SPECS, get_system, make_dataset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"{'system':<14}{'orbits':>7}{'train':>8}{'val':>7}{'median s':>10}{'min s':>8}")
    for name, spec in DEFAULT_SPECS.items():
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            ds = make_dataset(get_system(name), spec, seed=0)
            times.append(time.perf_counter() - start)
        print(
            f"{name:<14}{spec.n_orbits:>7}{len(ds.train):>8}{len(ds.val):>7}"
            f"{statistics.median(times):>10.2f}{min(times):>8.2f}"
        )


if __name__ == "__main__":
    main()
