"""One settings record per task and model: the budgets, the presets and the CLI read it."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from physnet.cli.main import main
from physnet.meta import MetaConfig, meta_config_for
from physnet.tasks.presets import RunRequest, authors_numbers, budget, default_meta_seeds, preset
from physnet.tasks.registry import TASKS, Task, get_task, load_van_der_pol, register_task
from physnet.tasks.settings import (
    QUICK_COMPARE,
    QUICK_META,
    QUICK_PRESET_META,
    QUICK_TUNING,
    ModelSettings,
    PresetValues,
)


def test_every_task_and_model_has_one_record_and_meta_config_for_reads_it():
    for task in TASKS.values():
        assert task.models == tuple(task.settings)
        for model, settings in task.settings.items():
            assert isinstance(settings, ModelSettings)
            config = meta_config_for(task.name, model)
            for key, value in settings.meta.items():
                got = getattr(config, key)
                assert (tuple(got) if isinstance(got, tuple) else got) == (
                    tuple(value) if isinstance(value, list) else value
                ), (task.name, model, key)
    assert meta_config_for("henon-heiles", "hnn").width == 20 and meta_config_for("henon-heiles", "nn").width == 50
    with pytest.raises(ValueError, match="takes models hnn, nn, dhnn, dhnn-forced, not 'classifier'"):
        meta_config_for("clock", "classifier")


def test_records_are_read_only():
    settings = get_task("clock").settings["hnn"]
    with pytest.raises(TypeError):
        settings.compare["epochs"] = 1  # type: ignore[index]
    with pytest.raises(TypeError):
        get_task("clock").settings["other"] = settings  # type: ignore[index]


def test_budget_merges_the_record_the_quick_budget_and_a_preset_in_one_order():
    full_meta, full = budget("van-der-pol", "nn")
    assert full_meta == {} and full == {"tune": "lr", **get_task("van-der-pol").settings["nn"].compare}
    quick_meta, quick = budget("van-der-pol", "nn", RunRequest(quick=True, compare_overrides={"lr": 3e-3}))
    assert quick_meta == dict(QUICK_META)
    assert quick == {**full, **QUICK_TUNING, **QUICK_COMPARE, "lr": 3e-3, "tune": None}  # a rate given is a rate used
    # the clock keeps its whole series under the quick budget
    assert budget("clock", "hnn", RunRequest(quick=True))[1]["small"] is False
    # under a preset quick shrinks only data, seeds and outer steps; the regime's training stays
    named = preset("clock", "hnn", "paper")
    meta, compare = budget("clock", "hnn", RunRequest(quick=True, preset="paper").with_preset("clock", "hnn"))
    assert meta == {**named["meta"], **QUICK_PRESET_META}
    assert compare["epochs"] == 5 and compare["seeds"] == QUICK_COMPARE["seeds"]
    assert budget("clock", "hnn", RunRequest(seeds=7))[1]["seeds"] == 7


def test_a_registered_task_gets_the_recipe_and_its_own_preset_values(monkeypatch):
    monkeypatch.setattr("physnet.tasks.registry.TASKS", dict(TASKS))  # registration stays inside this test
    import physnet.tasks.registry as tasks_module

    settings = ModelSettings(
        meta={"width": 8},
        compare={"hidden": (16,), "epochs": 3},
        presets={"paper": PresetValues(compare={"lr": 5e-3}, meta_seeds=2, authors={"base": 1.0})},
    )
    task = register_task(Task("my-oscillator", "a test task", load_van_der_pol, {"nn": settings}))
    assert tasks_module.TASKS["my-oscillator"] is task
    assert meta_config_for("my-oscillator").width == 8
    named = preset("my-oscillator", "nn", "paper")
    assert named["compare"]["lr"] == 5e-3 and named["compare"]["optimizer"] == "rmsprop"  # the recipe's
    assert default_meta_seeds("my-oscillator", "paper") == 2
    assert authors_numbers("my-oscillator", "nn", "paper") == {"values": {"base": 1.0}, "note": ""}
    with pytest.raises(ValueError, match="no preset 'reference'"):
        preset("my-oscillator", "nn", "reference")
    with pytest.raises(ValueError, match="exists already"):
        register_task(task)
    assert register_task(replace(task, description="again"), replace=True).description == "again"
    with pytest.raises(ValueError, match="cannot be replaced"):
        register_task(replace(get_task("clock")), replace=True)
    with pytest.raises(ValueError, match="names no model"):
        Task("empty", "no model", load_van_der_pol, {})


def test_cli_help_states_the_records_defaults(capsys):
    with pytest.raises(SystemExit):
        main(["meta", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert f"(default {MetaConfig.inner_decay};" in text and f"(default {MetaConfig.knots})" in text
    assert f"{QUICK_META['outer_steps']} outer steps of {QUICK_META['inner_steps']} inner ones" in text


def test_meta_takes_the_shared_small_option_and_quick(tmp_path, capsys):
    """``--small`` is the shared option (the task's small data, the budget stays); it is no longer
    an alias of ``--quick``."""
    tiny = ["--no-progress", "--hidden", "8", "--width", "4", "--inner-steps", "2", "--outer-steps", "1"]
    assert main(["meta", "van-der-pol", "--small", "--out", str(tmp_path / "a"), *tiny]) == 0
    assert main(["meta", "van-der-pol", "--quick", "--out", str(tmp_path / "b"), *tiny]) == 0
    a, b = (json.loads((tmp_path / d / "config.json").read_text())["config"] for d in "ab")
    assert a["small"] is True and b["small"] is True


def test_meta_config_for_takes_the_quick_budget():
    from physnet.meta import meta_config_for

    quick = meta_config_for("van-der-pol", "nn", quick=True)
    meta, _ = budget("van-der-pol", "nn", RunRequest(quick=True))
    assert quick == meta_config_for("van-der-pol", "nn", **meta)  # what reproduce --quick meta-learns with
    assert quick.small and quick.outer_steps < meta_config_for("van-der-pol", "nn").outer_steps
    assert meta_config_for("van-der-pol", "nn", quick=True, outer_steps=3).outer_steps == 3
