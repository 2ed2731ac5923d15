"""A study's cost in member-steps, and the choices made from it (compiled kernels, a pool)."""

from __future__ import annotations

from physnet.study import StudyConfig
from physnet.study.cost import COMPILE_WORK, POOL_WORK, compile_frozen, pool_workers, study_cost
from physnet.tasks.registry import get_task


def test_member_steps_count_seeds_tuning_members_and_steps():
    data = get_task("van-der-pol").load(small=True)
    steps = (len(data.x_train) // 100) * 3
    config = StudyConfig(task="van-der-pol", model="nn", arms=("base", "mix"), seeds=4, epochs=3, batch_size=100)
    cost = study_cost(config, data)
    assert cost.member_steps == 2 * 4 * steps and cost.frozen_member_steps == 4 * steps
    tuned = StudyConfig(**{**config.to_dict(), "tune": "lr", "tune_seeds": 2, "tune_grid": (1e-3, 1e-2, 1e-1)})
    assert study_cost(tuned, data).member_steps == 2 * (4 + 6) * steps
    assert study_cost(config, data, {"base": [3], "mix": []}).member_steps == steps  # what is left


def test_the_compile_decision_depends_on_the_whole_study_not_on_what_is_left():
    data = get_task("van-der-pol").load(small=True)
    steps = len(data.x_train) // 150
    seeds = COMPILE_WORK // (3 * steps) + 1
    big = StudyConfig(task="van-der-pol", model="nn", arms=("base", "type1", "type2", "mix"), seeds=seeds, epochs=1)
    small = StudyConfig(task="van-der-pol", model="nn", arms=("base", "type1"), seeds=1, epochs=1)
    assert compile_frozen(big, data) and not compile_frozen(small, data)
    left = study_cost(big, data, {arm: [0] for arm in big.arms})
    assert pool_workers(2, left, running=False) == (2 if left.member_steps >= POOL_WORK else 1)
    assert pool_workers(2, left, running=True) == 2 and pool_workers(1, study_cost(big, data), running=True) == 1
