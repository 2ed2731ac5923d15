"""One settings schema: each setting's description lives on its record's field, every option
that sets a field is built from that description, and a flag reads the same on every command."""

from __future__ import annotations

import argparse
import dataclasses

import pytest

from physnet.cli.main import build_parser
from physnet.cli.names import described, from_registries
from physnet.meta.config import MetaConfig
from physnet.meta.groups import GROUPS, InnerSettings
from physnet.schema import as_setting, descriptions, setting
from physnet.study.config import StudyConfig
from physnet.training import TrainConfig

RECORDS = {"META": MetaConfig, "TRAIN": TrainConfig, "STUDY": StudyConfig}


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def _options():
    for command, sub in _commands().items():
        for action in sub._actions:
            if action.option_strings and action.dest != "help":
                yield command, action


def test_every_option_named_as_a_described_field_reads_its_description():
    described_fields = {name: table for table, record in RECORDS.items() for name in descriptions(record)}
    checked = 0
    for command, action in _options():
        table = described_fields.get(action.dest)
        if table is None:
            continue
        d = described(table, action.dest)
        assert action.help is not None and action.help.startswith(d["help"]), (command, action.dest)
        assert action.option_strings[0] == d["flag"] or action.option_strings[0] == "--" + action.dest.replace("_", "-")
        checked += 1
    assert checked > 60  # meta, compare, reproduce, ablate, forecast, sweep-size


def test_a_flag_reads_the_same_on_every_command():
    seen: dict[str, tuple[str, str | None, object]] = {}
    for command, action in _options():
        flag = action.option_strings[-1]
        shape = (action.help, tuple(action.choices) if action.choices else None, action.type)
        if flag in seen:
            first, *earlier = seen[flag]
            assert tuple(earlier) == shape, f"{flag} reads differently on {first} and {command}"
        else:
            seen[flag] = (command, *shape)


def test_a_flat_field_holds_its_groups_default_and_description():
    for group, fields_ in GROUPS.values():
        for short, flat in fields_.items():
            flat_field = next(f for f in dataclasses.fields(MetaConfig) if f.name == flat)
            group_field = next(f for f in dataclasses.fields(group) if f.name == short)
            assert flat_field.default == group_field.default, flat
            if short in descriptions(group):
                assert descriptions(MetaConfig)[flat].help.endswith(descriptions(group)[short].help)
    assert descriptions(MetaConfig)["inner_lr"].help.startswith("inner ")
    assert MetaConfig().inner == InnerSettings()


def test_stated_defaults_are_the_records_and_the_manifest_is_current():
    settings = from_registries()["SETTINGS"]
    assert (
        settings["META"]["inner_momentum"]["help"]
        == f"inner sgd/rmsprop momentum (default {MetaConfig().inner_momentum})"
    )
    assert settings["META"]["knots"]["default"] == MetaConfig().knots
    for table in RECORDS:
        for name, entry in settings[table].items():
            assert entry == described(table, name), (table, name)  # names.json regenerated


def test_a_described_field_keeps_its_default_and_a_copy_takes_another_prefix():
    @dataclasses.dataclass(frozen=True)
    class Inner:
        lr: float = setting(0.1, type="positive_float", help="learning rate (default {default})")

    @dataclasses.dataclass(frozen=True)
    class Flat:
        inner_lr: float = as_setting(Inner, "lr", prefix="inner ")

    assert Flat().inner_lr == 0.1 and descriptions(Flat)["inner_lr"].help == "inner learning rate (default {default})"
    with pytest.raises(TypeError):
        setting(1, nonsense=True)


def test_study_config_reads_its_training_run_flat_and_typed():
    config = StudyConfig(task="van-der-pol", model="nn", epochs=3, lr=0.5, optimizer="sgd", momentum=0.5)
    assert (config.epochs, config.lr, config.optimizer, config.momentum) == (3, 0.5, "sgd", 0.5)
    assert config.batch_size == config.train.batch_size and config.data_seed == 0
    with pytest.raises(AttributeError):
        config.not_a_setting  # noqa: B018
