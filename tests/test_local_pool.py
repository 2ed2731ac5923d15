"""The process backend's workers: the same numbers as in this process, a dead worker named,
bad worker counts refused."""

from __future__ import annotations

import csv
import os

import pytest

from physnet.cli.main import main
from physnet.study import StudyConfig, run_study
from physnet.study.execution import Execution
from physnet.study.local_pool import WorkerLostError, available_cores, pool_map, shutdown_pool


def _runs(folder):
    with open(folder / "runs.csv", newline="") as fh:
        return sorted((r["arm"], r["seed"], r["metric"], r["train_loss"], r["lr"]) for r in csv.DictReader(fh))


def test_two_workers_give_the_same_files_and_numbers_as_this_process(tmp_path, monkeypatch):
    monkeypatch.setattr("physnet.study.cost.POOL_WORK", 0)  # a small study: the pool even so
    config = StudyConfig(
        task="henon-heiles",
        model="hnn",
        arms=("base", "tanh"),
        seeds=4,
        epochs=2,
        small=True,
        hidden=(16,),
        tune="lr",
        tune_seeds=2,
    )
    here = run_study(config, None, tmp_path / "here", execution=Execution(block_size=2, workers=1))
    there = run_study(config, None, tmp_path / "pool", execution=Execution(block_size=2, workers=2))
    assert _runs(tmp_path / "here") == _runs(tmp_path / "pool")
    assert here.tuning == there.tuning
    for name in ("tuning.csv", "config.json"):
        assert (tmp_path / "here" / name).read_text() == (tmp_path / "pool" / name).read_text()


def test_hessians_on_two_workers_equal_those_computed_here(tmp_path, monkeypatch):
    """The analyses' Hessians run seed by seed on the pool: the same rows as in this process."""
    from physnet.study.analysis import HessianSettings, analyze_study
    from physnet.study.local_pool import set_default_workers

    config = StudyConfig(
        task="van-der-pol", model="nn", arms=("base", "tanh"), seeds=3, epochs=1, small=True, hidden=(8,)
    )
    run_study(config, None, tmp_path, execution=Execution(workers=1))
    options = dict(participation=True, hessian=HessianSettings(seeds=2, samples=64, lanczos_steps=12))
    here, _ = analyze_study(tmp_path, **options)
    set_default_workers(2)
    try:
        there, densities = analyze_study(tmp_path, **options)
    finally:
        set_default_workers(1)
    assert [r["hessian_trace"] for r in there] == [r["hessian_trace"] for r in here]
    assert sum(1 for r in there if r["hessian_trace"] == r["hessian_trace"]) == 4  # 2 seeds x 2 arms
    assert {arm: len(d) for arm, d in densities.items()} == {"base": 2, "tanh": 2}


def _die(code: int) -> None:
    os._exit(code)


def _square(x: int) -> int:
    return x * x


def test_a_dead_worker_is_named_and_the_pool_starts_afresh():
    with pytest.raises(WorkerLostError, match="while running job 7"):
        list(pool_map(_die, [(7, (3,)), (8, (3,))], 2, describe=lambda k: f"job {k}"))
    assert sorted(pool_map(_square, [(i, (i,)) for i in range(4)], 2)) == [(0, 0), (1, 1), (2, 4), (3, 9)]
    shutdown_pool()


@pytest.mark.parametrize(
    "options, message",
    [
        (["--workers", "0"], "positive integer"),
        (["--workers", str(available_cores() + 1)], "pass --force to oversubscribe"),
        (["--workers", "2", "--backend", "ray"], "--workers sets the process backend"),
    ],
)
def test_bad_worker_counts_are_one_line(tmp_path, capsys, options, message):
    code = main(["compare", "van-der-pol", "--quick", "--arms", "base", "--out", str(tmp_path / "x"), *options])
    err = capsys.readouterr().err
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def _compile_in_worker(dtype: str) -> float:
    import torch

    from physnet.activations.frozen_function import _kernels

    probe = torch.linspace(-1.0, 1.0, 8, dtype=getattr(torch, dtype))
    table = torch.zeros(3, 4, dtype=probe.dtype)
    value, _ = _kernels()["linear_with_slope"](probe, table, torch.zeros(8, dtype=probe.dtype), -1.0, 1.0, 3)
    return float(value.sum())


def test_a_forked_worker_compiles_after_the_parent_has(tmp_path, monkeypatch):
    """The parent compiles first (torch.compile's thread pool starts here); a forked worker then
    compiles and loads from the same cache: it had waited forever on the inherited, threadless pool."""
    import torch

    monkeypatch.setenv("TORCHINDUCTOR_CACHE_DIR", str(tmp_path / "inductor"))
    shutdown_pool()
    assert _compile_in_worker("float32") == 0.0  # here: warms the cache, starts the compile threads
    torch._inductor.config.compile_threads = 2  # as a parent that compiled with threads has it
    jobs = [(d, (d,)) for d in ("float32", "float64", "float32", "float64")]
    done: list = []
    worker = __import__("threading").Thread(target=lambda: done.extend(pool_map(_compile_in_worker, jobs, 2)))
    worker.start()
    worker.join(timeout=120)
    hung = worker.is_alive()
    if hung:
        shutdown_pool(kill=True)
    assert not hung and sorted(done) == [(d, 0.0) for d in ("float32", "float32", "float64", "float64")]
    shutdown_pool()
