"""Argument types of the command line: each states its range and fails with one line.

Every numeric option of every subcommand takes one of these, so that zero, negative, NaN,
infinite and non-numeric values are refused by argparse (exit 2, one line naming the option)
before any work starts.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable


def _number(text: str, kind: type) -> float:
    try:
        value = kind(text)
    except (TypeError, ValueError):
        noun = "an integer" if kind is int else "a number"
        raise argparse.ArgumentTypeError(f"expected {noun}, got {text!r}") from None
    if kind is float and not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def _ranged(
    kind: type, low: float | None, high: float | None, low_open: bool, high_open: bool, what: str
) -> Callable[[str], float]:
    def parse(text: str):
        value = _number(text, kind)
        too_low = low is not None and (value <= low if low_open else value < low)
        too_high = high is not None and (value >= high if high_open else value > high)
        if too_low or too_high:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
        return value

    parse.__name__ = what  # argparse names the type in its messages
    return parse


#: Largest count or seed taken (PyTorch's and NumPy's seeds and sizes are 32/64-bit integers).
LARGEST_INT = 2**31 - 1
#: Counts: orbits, seeds per arm, epochs, steps, widths, knots (1, 2, ...).
positive_int = _ranged(int, 0, LARGEST_INT, True, False, f"a positive integer (at most {LARGEST_INT})")
#: Seeds, gaps, orders, degrees (0, 1, ...).
nonnegative_int = _ranged(int, 0, LARGEST_INT, False, False, f"an integer >= 0 (at most {LARGEST_INT})")
#: Learning rates, steps, tolerances, times, scales (> 0, finite).
positive_float = _ranged(float, 0.0, None, True, False, "a finite number > 0")
#: Initial second moments, start times (>= 0, finite).
nonnegative_float = _ranged(float, 0.0, None, False, False, "a finite number >= 0")
#: Momenta (0 <= m < 1).
momentum = _ranged(float, 0.0, 1.0, False, True, "a number in [0, 1)")
#: Second-moment decays (0 <= d < 1).
decay = _ranged(float, 0.0, 1.0, False, True, "a number in [0, 1)")
#: Shares held out (0 < f < 1).
fraction = _ranged(float, 0.0, 1.0, True, True, "a number strictly between 0 and 1")
#: Any finite number (energies, where the system checks its own range).
finite_float = _ranged(float, None, None, False, False, "a finite number")


def int_list(text: str) -> tuple[int, ...]:
    """``"100,50"`` -> ``(100, 50)``, every entry a positive integer."""
    values = []
    for v in text.split(","):
        try:
            values.append(int(v))
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None
    if any(v <= 0 for v in values):
        raise argparse.ArgumentTypeError(f"expected comma-separated positive integers, got {text!r}")
    return tuple(values)


def float_list(text: str) -> tuple[float, ...]:
    """``"0.3,0.7"`` -> ``(0.3, 0.7)``, every entry finite."""
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers, got {text!r}") from None
    if not all(math.isfinite(v) for v in values):
        raise argparse.ArgumentTypeError(f"expected comma-separated finite numbers, got {text!r}")
    return values


def positive_float_list(text: str) -> tuple[float, ...]:
    """``"1e-3,1e-2"`` -> ``(0.001, 0.01)``, every entry finite and positive (learning-rate grids)."""
    values = float_list(text)
    if not values or any(not v > 0 for v in values):
        raise argparse.ArgumentTypeError(f"expected comma-separated finite numbers > 0, got {text!r}")
    return values


def fractions(text: str) -> tuple[float, ...]:
    """Shares of each neuron type: each in (0, 1), summing to 1 (``"0.3,0.7"``)."""
    values = float_list(text)
    if any(not 0.0 < v < 1.0 for v in values) or abs(sum(values) - 1.0) > 1e-6:
        raise argparse.ArgumentTypeError(f"expected comma-separated shares in (0, 1) summing to 1, got {text!r}")
    return values


def numbers(text: str, n: int, what: str) -> tuple[float, ...]:
    """Exactly ``n`` comma-separated finite numbers for option ``what``."""
    try:
        values = float_list(text)
    except argparse.ArgumentTypeError:
        values = ()
    if len(values) != n:
        raise argparse.ArgumentTypeError(f"{what} needs {n} comma-separated finite numbers, got {text!r}")
    return values


class OneLineParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line naming the command, then exit code 2
    (argparse's own prints the whole usage block first)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message.splitlines()[0]} (see {self.prog} --help)\n")


def baselines(text: str) -> tuple[str, ...]:
    """``--baselines``: reference arms from ``names("BASELINES")``, comma-separated, or ``none``."""
    from physnet.cli.names import names

    chosen = tuple(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
    if chosen in ((), ("none",)):
        return ()
    valid = names("BASELINES")
    unknown = [n for n in chosen if n not in valid]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown reference arm {unknown[0]!r}; valid: {', '.join(valid)} or none")
    return chosen


def arms(text: str) -> tuple[str, ...]:
    """``--arms``: comma-separated arms from ``names("ARMS")``."""
    from physnet.cli.names import names

    chosen = tuple(a.strip() for a in text.split(",") if a.strip())
    for a in chosen:
        if a not in names("ARMS"):
            raise argparse.ArgumentTypeError(f"unknown arm {a!r}; valid arms: {', '.join(names('ARMS'))}")
    return chosen


def device(text: str) -> str:
    """A PyTorch device this machine has: ``cpu``, ``cuda``, ``cuda:N`` or ``mps``."""
    import re

    if not re.fullmatch(r"cpu|mps|cuda(:\d+)?", text):
        raise argparse.ArgumentTypeError(f"expected cpu, cuda, cuda:N or mps, got {text!r}")
    import torch

    if text.startswith("cuda"):
        index = int(text.partition(":")[2] or 0)
        if not torch.cuda.is_available() or index >= torch.cuda.device_count():
            raise argparse.ArgumentTypeError(f"{text} is not available on this machine (use cpu)")
    elif text == "mps" and not torch.backends.mps.is_available():
        raise argparse.ArgumentTypeError("mps is not available on this machine (use cpu)")
    return text
