"""A responsive command line: help and argument errors load neither PyTorch, SciPy, matplotlib
nor OpenCV, and the names the parser offers are those of the registries."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from physnet.cli.names import MANIFEST, from_registries

HEAVY = ("torch", "scipy", "matplotlib", "cv2", "numpy")


def test_names_file_equals_the_registries():
    """If this fails, a registry changed: run `python -m physnet.cli.names`."""
    assert json.loads(MANIFEST.read_text()) == from_registries()


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["meta", "--help"],
        ["compare", "--help"],
        ["track", "--help"],
        ["simulate", "--help"],
        ["ablate", "--help"],
        ["reproduce", "--help"],
        ["compare", "clock", "--seeds", "0", "--out", "x"],
        ["--version"],
    ],
)
def test_help_and_argument_errors_import_nothing_heavy(argv):
    probe = (
        "import sys, runpy\n"
        f"sys.argv = ['physnet', *{argv!r}]\n"
        "try:\n    runpy.run_module('physnet.cli.main', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        f"print('LOADED', [m for m in {HEAVY!r} if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert "LOADED []" in done.stdout, done.stdout[-300:] + done.stderr[-300:]
