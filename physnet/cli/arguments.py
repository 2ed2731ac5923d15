"""Argument types shared by the subcommands: comma-separated lists with one-line errors."""

from __future__ import annotations

import argparse


def int_list(text: str) -> tuple[int, ...]:
    """``"100,50"`` -> ``(100, 50)``."""
    try:
        return tuple(int(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None


def float_list(text: str) -> tuple[float, ...]:
    """``"0.3,0.7"`` -> ``(0.3, 0.7)``."""
    try:
        return tuple(float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers, got {text!r}") from None


def numbers(text: str, n: int, what: str) -> tuple[float, ...]:
    """Exactly ``n`` comma-separated numbers for option ``what``."""
    try:
        values = float_list(text)
    except argparse.ArgumentTypeError:
        values = ()
    if len(values) != n:
        raise argparse.ArgumentTypeError(f"{what} needs {n} comma-separated numbers, got {text!r}")
    return values
