"""Every numeric option of every subcommand refuses zero/negative/NaN/inf/non-numeric values
(as its range says) with one line on stderr and exit code 2, before any work starts."""

from __future__ import annotations

import argparse

import pytest

from physnet.cli import arguments
from physnet.cli.main import build_parser

#: The values each argument type must refuse.
REFUSED = {
    arguments.positive_int: ["0", "-1", "nan", "inf", "1.5", "abc", str(2**64)],
    arguments.nonnegative_int: ["-1", "nan", "inf", "abc", str(2**64)],
    arguments.positive_float: ["0", "-1", "nan", "inf", "-inf", "abc"],
    arguments.nonnegative_float: ["-1", "nan", "inf", "abc"],
    arguments.momentum: ["-0.1", "1", "nan", "inf", "abc"],
    arguments.decay: ["-0.1", "1", "nan", "abc"],
    arguments.finite_float: ["nan", "inf", "abc"],
    arguments.int_list: ["0", "-5,10", "abc", "1.5"],
    arguments.fractions: ["0.5,0.6", "0,1", "nan,0.5", "abc"],
}


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def _positionals(sub: argparse.ArgumentParser) -> list[str]:
    return [
        str(a.choices[0]) if a.choices else "x"
        for a in sub._actions
        if not a.option_strings and not isinstance(a, argparse._SubParsersAction)
    ]


def _cases():
    parser = build_parser()
    for name, sub in _subparsers(parser).items():
        for action in sub._actions:
            if action.option_strings and action.type in REFUSED:
                for value in REFUSED[action.type]:
                    yield name, action.option_strings[-1], value


CASES = list(_cases())


def test_every_numeric_option_has_a_ranged_type():
    """No subcommand takes a bare int or float (they accept 0, -1, nan and inf)."""
    parser = build_parser()
    bare = [
        (name, a.option_strings)
        for name, sub in _subparsers(parser).items()
        for a in sub._actions
        if a.type in (int, float)
    ]
    assert bare == []
    assert len(CASES) > 200


@pytest.mark.parametrize("command,option,value", CASES)
def test_bad_value_is_one_line_exit_2(command, option, value, capsys):
    parser = build_parser()
    sub = _subparsers(parser)[command]
    argv = [command, *_positionals(sub), f"{option}={value}", "--out", "/nonexistent/never-written"]
    with pytest.raises(SystemExit) as stop:
        parser.parse_args(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert option in err and "Traceback" not in err


def test_good_values_pass():
    assert arguments.positive_int("3") == 3
    assert arguments.nonnegative_int("0") == 0
    assert arguments.momentum("0.9") == 0.9
    assert arguments.fractions("0.3,0.7") == (0.3, 0.7)
    assert arguments.int_list("100,50") == (100, 50)
