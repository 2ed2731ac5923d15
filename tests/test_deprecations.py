"""Renamed public names keep working for one release, with a DeprecationWarning that names
the new one."""

from __future__ import annotations

import importlib

import pytest


@pytest.mark.parametrize(
    "module, old, new",
    [
        ("physnet.study", "CompareConfig", "StudyConfig"),
        ("physnet.study.run", "CompareConfig", "StudyConfig"),
        ("physnet.networks", "Forecaster", "NeuralVectorField"),
        ("physnet.study.model_store", "member", "member_network"),
    ],
)
def test_an_old_name_warns_and_is_the_new_object(module, old, new):
    mod = importlib.import_module(module)
    with pytest.warns(DeprecationWarning, match=f"{old} is now {new}"):
        obj = getattr(mod, old)
    assert obj is getattr(mod, new)


def test_an_unknown_name_is_still_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'Nonexistent'"):
        importlib.import_module("physnet.study").Nonexistent  # noqa: B018


@pytest.mark.parametrize("old, new", sorted(__import__("physnet.renamed").renamed.MOVED_MODULES.items()))
def test_a_moved_module_imports_by_its_old_path_with_a_warning(old, new):
    """The module paths of release 0.1 (before the layered folders) are the new modules."""
    import sys

    sys.modules.pop(old, None)
    with pytest.warns(DeprecationWarning, match=f"module {old} is now {new}"):
        module = importlib.import_module(old)
    assert module is importlib.import_module(new)


def test_old_from_imports_keep_working():
    import sys

    sys.modules.pop("physnet.experiments.study", None)
    with pytest.warns(DeprecationWarning):
        from physnet.experiments.study import StudyConfig
    with pytest.warns(DeprecationWarning, match="physnet.training.meta_learn is now physnet.meta.meta_learn"):
        from physnet.training import meta_learn
    from physnet import StudyConfig as face_config
    from physnet import meta_learn as face_meta_learn
    from physnet.tasks import get_task  # the registry module became the tasks package: no warning

    assert StudyConfig is face_config and meta_learn is face_meta_learn
    assert get_task("van-der-pol").name == "van-der-pol"
