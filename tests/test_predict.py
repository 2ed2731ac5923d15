"""``compare --dry-run``: the work of a study and its predicted time from a probe of this
machine's speed; nothing written."""

from __future__ import annotations

import pytest

from physnet.cli.main import main
from physnet.study import StudyConfig
from physnet.study import predict as predict_module
from physnet.study.cost import study_cost
from physnet.tasks.registry import get_task


def test_the_prediction_is_member_steps_times_the_probed_rates(monkeypatch):
    config = StudyConfig(
        task="van-der-pol", model="nn", arms=("base", "tanh"), seeds=6, epochs=3, small=True, hidden=(8,)
    )
    data = get_task("van-der-pol").load(seed=0, small=True)
    monkeypatch.setattr(predict_module, "probe_rate", lambda *args: 2e-4)
    prediction = predict_module.predict_study(config, None, data, workers=1)
    cost = study_cost(config, data)
    assert prediction.frozen_rate is None and cost.frozen_member_steps == 0
    assert prediction.seconds == pytest.approx(cost.member_steps * 2e-4)
    assert cost.member_steps == 2 * 6 * 3 * (len(data.x_train) // 150)


def test_a_probe_trains_the_studys_networks_and_gives_a_positive_rate():
    config = StudyConfig(task="van-der-pol", model="nn", arms=("base",), seeds=3, epochs=9, small=True, hidden=(8,))
    data = get_task("van-der-pol").load(seed=0, small=True)
    rate = predict_module.probe_rate(config, data, None, "base", 3)
    assert 0 < rate < 1.0


def test_dry_run_prints_the_prediction_and_writes_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    argv = ["compare", "van-der-pol", "--arms", "base,tanh", "--seeds", "4", "--small", "--dry-run"]
    assert main([*argv, "--out", str(tmp_path / "study")]) == 0
    out = capsys.readouterr().out
    assert "member-steps" in out and "predicted training time" in out and "nothing written" in out
    assert list(tmp_path.iterdir()) == []


def test_without_dry_run_the_folder_is_required(capsys):
    assert main(["compare", "van-der-pol", "--arms", "base", "--seeds", "2"]) == 2
    assert "--out DIR is required" in capsys.readouterr().err


def test_a_rollout_study_is_probed_on_rollouts_and_checked_like_the_study(tmp_path, capsys, monkeypatch):
    seen = []
    real = predict_module.train_block

    def spy(block, config, data, frozen, *args, **kwargs):
        seen.append(data.rollout)
        return real(block, config, data, frozen, *args, **kwargs)

    monkeypatch.setattr(predict_module, "train_block", spy)
    argv = ["compare", "van-der-pol", "--arms", "base", "--seeds", "2", "--small", "--dry-run", "--loss", "rollout"]
    assert main([*argv, "--rollout-steps", "5"]) == 0
    assert seen and all(r is not None and r.steps == 5 for r in seen)  # the probe trains as the study would
    assert "on 5-step rollouts" in capsys.readouterr().out
    assert main([*argv, "--rollout-steps", "100000"]) == 2  # refused as the study would refuse it
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--rollout-steps 100000: the longest training record has" in err[0]


def test_a_small_rollout_study_is_probed_where_derivatives_say_under_a_minute(monkeypatch):
    """``reproduce``'s plan line: a rollout study's rough figure misses its per-stage overhead
    (a quick 5-step study of 2,406 rows was roughly 23 s and took 140 s), so it is always probed."""
    from physnet.jobs import plan
    from physnet.tasks.presets import RunRequest

    rates = []
    monkeypatch.setattr(plan, "probe_rate", lambda *args: rates.append(args) or 1e-3)
    derivative = plan.model_plan("van-der-pol", "nn", RunRequest(quick=True))
    assert "under a minute of training" in derivative and not rates
    rollout = plan.model_plan("van-der-pol", "nn", RunRequest(quick=True, compare_overrides={"loss": "rollout"}))
    assert "(probed here)" in rollout and rates[0][0].loss == "rollout" and rates[0][1].rollout is not None
