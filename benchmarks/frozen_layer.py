"""One hidden layer's activation, forward and backward, frozen types against sine: the figures
behind docs/performance.md's "Frozen types against sine" (9,600 x 100 pre-activations, the
base point's batch of 150 for 64 seeds, two types of 100 knots, one thread).

    python benchmarks/frozen_layer.py [--repeats 40]

Prints milliseconds per forward+backward for piecewise-linear types (every conventional
network), cubic types, cubic types with the second derivative a Hamiltonian network's training
takes, and ``sin``; three rounds side by side.
"""

from __future__ import annotations

import argparse
import time

import torch

from physnet.activations.frozen_function import frozen_layer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=40)
    args = parser.parse_args()
    torch.set_num_threads(1)
    rows, width, types, knots = 64 * 150, 100, 2, 100
    gen = torch.Generator().manual_seed(0)
    lo, hi = -10.0, 10.0
    inv_step = (knots - 1) / (hi - lo)
    linear = torch.randn(3, types * (knots + 1), generator=gen)
    cubic = torch.randn(5, types * (knots + 1), generator=gen)
    offsets = (torch.arange(width) % types) * (knots + 1)
    x = (3 * torch.randn(rows, width, generator=gen)).requires_grad_(True)
    up = torch.randn(rows, width, generator=gen)

    def first(table: torch.Tensor) -> None:
        frozen_layer(x, table, offsets, lo, inv_step, knots).backward(up)

    def second() -> None:
        y = frozen_layer(x, cubic, offsets, lo, inv_step, knots)
        (g,) = torch.autograd.grad(y, x, up, create_graph=True)
        g.sum().backward()

    cases = {
        "linear": lambda: first(linear),
        "cubic": lambda: first(cubic),
        "cubic + 2nd derivative": second,
        "sin": lambda: torch.sin(x).backward(up),
    }
    for _ in range(3):
        times = {}
        for name, run in cases.items():
            for _ in range(5):
                run()
            began = time.perf_counter()
            for _ in range(args.repeats):
                run()
            times[name] = (time.perf_counter() - began) / args.repeats * 1e3
        print(
            "  ".join(f"{name} {ms:.2f} ms" for name, ms in times.items()),
            f"| linear/sin {times['linear'] / times['sin']:.2f}",
        )


if __name__ == "__main__":
    main()
