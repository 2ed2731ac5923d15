"""Renamed public names keep working for one release, with a DeprecationWarning that names
the new one."""

from __future__ import annotations

import importlib

import pytest


@pytest.mark.parametrize(
    "module, old, new",
    [
        ("physnet.experiments", "CompareConfig", "StudyConfig"),
        ("physnet.experiments.study", "CompareConfig", "StudyConfig"),
        ("physnet.networks", "Forecaster", "NeuralVectorField"),
        ("physnet.experiments.model_store", "member", "member_network"),
    ],
)
def test_an_old_name_warns_and_is_the_new_object(module, old, new):
    mod = importlib.import_module(module)
    with pytest.warns(DeprecationWarning, match=f"{old} is now {new}"):
        obj = getattr(mod, old)
    assert obj is getattr(mod, new)


def test_an_unknown_name_is_still_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'Nonexistent'"):
        importlib.import_module("physnet.experiments").Nonexistent  # noqa: B018
