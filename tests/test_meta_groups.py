"""MetaConfig's three groups (bank, inner, outer) are the same settings as its flat fields:
the defaults agree, every flat field belongs to at most one group, and a configuration rebuilt
from its groups equals it."""

from __future__ import annotations

from dataclasses import fields

import pytest

from physnet.meta import MetaConfig, meta_config_for
from physnet.meta.groups import GROUPS, BankSettings, InnerSettings, OuterSettings


def test_the_groups_defaults_are_metaconfigs_defaults():
    config = MetaConfig()
    assert config.bank == BankSettings()
    assert config.inner == InnerSettings()
    assert config.outer == OuterSettings()


def test_each_flat_field_lies_in_at_most_one_group_and_the_rest_are_run_settings():
    grouped = [flat for _, names in GROUPS.values() for flat in names.values()]
    assert len(grouped) == len(set(grouped))
    rest = {f.name for f in fields(MetaConfig)} - set(grouped)
    assert rest == {
        "task",
        "model",
        "hidden",
        "seed",
        "device",
        "dtype",
        "checkpoint_every",
        "compile",
        "small",
        "data",
    }


@pytest.mark.parametrize("task, model", [("van-der-pol", "nn"), ("henon-heiles", "hnn"), ("mnist1d", "classifier")])
def test_a_config_rebuilt_from_its_groups_is_equal(task, model):
    config = meta_config_for(task, model)
    rest = {name: getattr(config, name) for name in ("hidden", "seed", "dtype", "compile", "small", "data")}
    rebuilt = MetaConfig.from_groups(task, model, bank=config.bank, inner=config.inner, outer=config.outer, **rest)
    assert rebuilt == config


def test_a_group_field_reaches_its_flat_setting():
    config = MetaConfig.from_groups("van-der-pol", "nn", inner=InnerSettings(lr=3e-3, steps=7))
    assert (config.inner_lr, config.inner_steps, config.outer_lr) == (3e-3, 7, OuterSettings().lr)
