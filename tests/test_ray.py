"""The Ray backend: same per-seed numbers as in-process, and a killed worker is retried
without losing finished runs. Starts a local Ray instance (2 CPUs, no dashboard)."""

from __future__ import annotations

import csv
import os
import re
import signal
import threading
import time
from pathlib import Path

import pytest
import torch

from physnet.jobs.context import RunContext
from physnet.study import StudyConfig, load_arm, run_study
from physnet.study.execution import Execution
from physnet.tasks.presets import RunRequest

RAY_EXECUTION = Execution(backend="ray")

ray = pytest.importorskip("ray", reason="the Ray backend's tests need `pip install physnet[ray]`")
RAY = RunContext(backend="ray")

pytestmark = pytest.mark.slow  # each starts a local Ray instance: `bash scripts/test.sh --all` runs them

CONFIG = dict(task="van-der-pol", model="nn", arms=("base", "tanh"), seeds=4, epochs=1, hidden=(8,), small=True)


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def runs(path: Path) -> dict[tuple[str, int], str]:
    with open(path / "runs.csv") as fh:
        rows = list(csv.DictReader(fh))
    keys = [(r["arm"], int(r["seed"])) for r in rows]
    assert len(keys) == len(set(keys)), "a seed was recorded twice"
    return {(r["arm"], int(r["seed"])): r["metric"] for r in rows}


def test_ray_and_in_process_runs_agree_per_seed(tmp_path, local_ray):
    config = StudyConfig(**CONFIG)
    here = run_study(config, None, tmp_path / "process", execution=Execution(block_size=2))
    there = run_study(config, None, tmp_path / "ray", execution=Execution(backend="ray", block_size=2))
    assert runs(tmp_path / "process") == runs(tmp_path / "ray")
    for arm in config.arms:
        assert list(here.values[arm]) == list(there.values[arm])
        a, arch_a = load_arm(tmp_path / "process" / "models" / f"{arm}.pt")
        b, arch_b = load_arm(tmp_path / "ray" / "models" / f"{arm}.pt")
        assert sorted(arch_a["seeds"]) == sorted(arch_b["seeds"]) == [0, 1, 2, 3]
        x = torch.randn(5, 2)
        for seed in range(4):  # blocks may come back in another order: compare seed by seed
            i, j = arch_a["seeds"].index(seed), arch_b["seeds"].index(seed)
            torch.testing.assert_close(a(x.expand(4, 5, 2))[i], b(x.expand(4, 5, 2))[j], rtol=0, atol=0)


def _ray_task_pids(name: str = "train_block") -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if f"ray::{name}" in title:
                pids.append(int(entry.name))
    return pids


def _kill_a_worker_during(run, name: str, after: float = 0.0) -> tuple[int | None, list[BaseException]]:
    """Call ``run()`` in a thread; SIGKILL the first Ray worker running ``name`` once it has been
    seen for ``after`` seconds; wait for ``run`` to end. Returns the killed pid (None when no
    such worker was seen) and what ``run`` raised."""
    errors: list[BaseException] = []

    def guarded():
        try:
            run()
        except BaseException as err:  # noqa: BLE001 - reported by the caller
            errors.append(err)

    thread = threading.Thread(target=guarded)
    thread.start()
    killed, seen, deadline = None, None, time.time() + 120
    while killed is None and time.time() < deadline and thread.is_alive():
        pids = _ray_task_pids(name)
        seen = seen or (time.time() if pids else None)
        if pids and time.time() - seen >= after:
            killed = pids[0]
            os.kill(killed, signal.SIGKILL)
        time.sleep(0.05)
    thread.join(timeout=300)
    return killed, errors


@pytest.mark.skipif(not Path("/proc").exists(), reason="finds Ray workers through /proc")
def test_killed_worker_is_retried_and_no_finished_run_is_lost(tmp_path, local_ray):
    config = StudyConfig(**{**CONFIG, "hidden": (64,), "epochs": 6, "seeds": 6})
    expected_dir = tmp_path / "process"
    run_study(config, None, expected_dir, execution=Execution(block_size=2))
    killed, errors = _kill_a_worker_during(
        lambda: run_study(config, None, tmp_path / "ray", execution=Execution(backend="ray", block_size=2)),
        "train_block",
    )
    assert not errors, errors
    assert killed is not None, "no Ray worker was seen running a block"
    assert runs(tmp_path / "ray") == runs(expected_dir)  # every seed once, the same numbers


def test_a_diverging_block_is_recorded_as_failed_seeds_and_ray_stays_usable(tmp_path, local_ray):
    """A block that diverges on a worker comes back as failed seeds (runs.csv ``diverged``, as in
    this process since failed trainings are counted, not raised), and Ray runs the next study."""
    good = StudyConfig(**{**CONFIG, "arms": ("base",), "seeds": 2})
    run_study(good, None, tmp_path, execution=RAY_EXECUTION)
    bad = StudyConfig(**{**CONFIG, "arms": ("base",), "seeds": 4, "base": "identity", "lr": 1e20})
    result = run_study(bad, None, tmp_path, force=True, execution=RAY_EXECUTION)
    assert result.failures["base"]["diverged"] == 4
    with open(tmp_path / "runs.csv") as fh:
        assert {r["failure"] for r in csv.DictReader(fh)} == {"diverged"}
    good_again = StudyConfig(**{**CONFIG, "arms": ("base",), "seeds": 3})
    run_study(good_again, None, tmp_path / "other", execution=RAY_EXECUTION)
    assert len(runs(tmp_path / "other")) == 3


def test_size_sweep_on_ray_equals_in_process(tmp_path, local_ray):
    from physnet.jobs.sweep import sweep_sizes

    tiny = dict(
        meta_overrides={"outer_steps": 2, "inner_steps": 3, "hidden": (8,), "width": 4},
        compare_overrides={"seeds": 2, "epochs": 1, "arms": ("base", "mix")},
    )
    here = sweep_sizes("van-der-pol", "nn", [4, 6], tmp_path / "process", RunRequest(quick=True, **tiny))
    there = sweep_sizes("van-der-pol", "nn", [4, 6], tmp_path / "ray", RunRequest(quick=True, **tiny), context=RAY)
    for size in (4, 6):
        assert runs(tmp_path / "process" / f"size-{size}") == runs(tmp_path / "ray" / f"size-{size}")
        assert here[str(size)]["arms"]["mix"]["values"] == there[str(size)]["arms"]["mix"]["values"]
    assert (tmp_path / "ray" / "sizes.png").exists()


@pytest.mark.skipif(not Path("/proc").exists(), reason="finds Ray workers through /proc")
def test_reproduce_all_on_ray_equals_in_process_through_a_failing_task_and_a_killed_worker(tmp_path, local_ray):
    import json

    from physnet.jobs.reproduce_all import reproduce_all
    from physnet.study.ray_backend import TOKEN_FILE

    reproduce_all(tmp_path / "process", RunRequest(quick=True, seeds=2), tasks=("van-der-pol",))
    broken = tmp_path / "ray" / "clock" / "meta" / "checkpoint.pt"
    broken.parent.mkdir(parents=True)
    broken.write_bytes(b"not a checkpoint")
    # share=False: the workers get the folder's files by value and send theirs back, as on a
    # cluster without a shared filesystem; the broken clock task fails, van der Pol still lands
    with pytest.raises(ValueError, match="cannot read checkpoint " + re.escape(str(broken))):
        reproduce_all(
            tmp_path / "ray", RunRequest(quick=True, seeds=2), tasks=("van-der-pol", "clock"), context=RAY, share=False
        )
    assert runs(tmp_path / "ray" / "van-der-pol") == runs(tmp_path / "process" / "van-der-pol")
    saved = json.loads((tmp_path / "ray" / "timings.json").read_text())
    assert set(saved["tasks"]) == {"van-der-pol"} and saved["backend"] == "ray"
    assert saved["tasks"]["van-der-pol"]["peak_rss_mb"] > 0
    assert (tmp_path / "ray" / "van-der-pol" / "forecast_rollouts.png").exists()
    assert not (tmp_path / "ray" / TOKEN_FILE).exists()

    # shared folder: the worker resumes in place from the finished runs and meta checkpoint
    before = (tmp_path / "ray" / "van-der-pol" / "meta" / "checkpoint.pt").stat().st_mtime_ns
    timings = reproduce_all(tmp_path / "ray", RunRequest(quick=True, seeds=2), tasks=("van-der-pol",), context=RAY)
    assert (tmp_path / "ray" / "van-der-pol" / "meta" / "checkpoint.pt").stat().st_mtime_ns == before
    assert runs(tmp_path / "ray" / "van-der-pol") == runs(tmp_path / "process" / "van-der-pol")
    process = json.loads((tmp_path / "process" / "van-der-pol" / "summary.json").read_text())
    assert timings["tasks"]["van-der-pol"]["mix_median"]["nn"] == process["arms"]["mix"]["median"]

    # a unit's worker killed mid-run is retried and resumes in place; the numbers do not change
    killed, errors = _kill_a_worker_during(
        lambda: reproduce_all(
            tmp_path / "killed", RunRequest(quick=True, seeds=2), tasks=("van-der-pol",), context=RAY
        ),
        "run_unit",
        after=4.0,
    )  # well into meta-learning
    assert not errors, errors
    assert killed is not None, "no Ray worker was seen running a task of reproduce all"
    assert runs(tmp_path / "killed" / "van-der-pol") == runs(tmp_path / "process" / "van-der-pol")
