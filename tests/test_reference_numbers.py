"""The numbers do not move when the code does: a fixed meta-learning run and a fixed quick
study (float64) give the per-step and per-seed values stored from the tree before the move to
layered folders (issue 25). A change meant to change numbers regenerates the file and says so."""

from __future__ import annotations

import json

import numpy as np

from reference_numbers import REFERENCE, reference_runs


def test_the_fixed_runs_give_the_stored_numbers():
    stored = json.loads(REFERENCE.read_text())
    now = reference_runs()
    assert set(now) == set(stored)
    for name, values in stored.items():
        np.testing.assert_allclose(now[name], values, rtol=1e-7, atol=1e-9, err_msg=name)
