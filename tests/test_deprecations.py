"""The package faces load their public names on first use and nothing else: an unknown name is an
AttributeError, and no old module path or old name is kept (no compatibility layer before a
first release; CHANGELOG.md says what changed)."""

from __future__ import annotations

import importlib

import pytest


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'Nonexistent'"):
        importlib.import_module("physnet.study").Nonexistent  # noqa: B018


@pytest.mark.parametrize("package", ["physnet", "physnet.study", "physnet.tasks", "physnet.meta"])
def test_every_public_name_of_a_face_resolves(package):
    module = importlib.import_module(package)
    for name in module.__all__:
        assert getattr(module, name) is not None, f"{package}.{name}"


@pytest.mark.parametrize("old", ["physnet.experiments.study", "physnet.renamed"])
def test_old_module_paths_are_gone(old):
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module(old)


def test_reloading_a_module_keeps_its_spec():
    """The import-path shim broke ``__spec__`` and reload; a real module reloads."""
    layout = importlib.import_module("physnet.study.layout")
    assert layout.__spec__.name == "physnet.study.layout" and layout.__spec__.origin.endswith("layout.py")
    assert importlib.reload(layout) is layout
