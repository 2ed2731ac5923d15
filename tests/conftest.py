"""Fixtures shared by the tests; the test problems themselves live in ``problems.py``."""

from __future__ import annotations

import pytest

from problems import HarmonicOscillator
from systems import HenonHeiles


@pytest.fixture
def harmonic():
    return HarmonicOscillator()


@pytest.fixture
def henon_heiles():
    return HenonHeiles()
