"""Faults at the edges of the machine: a reader that stops listening does not stop the work;
values beyond float32's range and a module that shadows the standard library are named."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from physnet.cli.main import main

ROOT = Path(__file__).resolve().parents[1]


def test_a_closed_pipe_does_not_stop_a_study(tmp_path):
    """``physnet compare ... | head -c 10``: the reader goes after 10 bytes, the study finishes."""
    argv = ["compare", "van-der-pol", "--arms", "base", "--seeds", "2", "--epochs", "1", "--small"]
    argv += ["--tune", "none", "--out", str(tmp_path / "study")]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-m", "physnet.cli.main", *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    assert child.stdout is not None and child.stderr is not None
    child.stdout.read(10)
    child.stdout.close()  # the reader has gone
    err = child.stderr.read().decode()
    assert child.wait(timeout=300) == 0, err
    assert "Broken pipe" not in err and "BrokenPipeError" not in err
    with open(tmp_path / "study" / "runs.csv") as fh:
        assert len(list(csv.DictReader(fh))) == 2
    assert (tmp_path / "study" / "summary.json").exists()


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_a_full_standard_output_is_named_and_the_study_goes_on(tmp_path):
    """``physnet compare ... > /dev/full``: one warning naming the standard output, exit 0, files written."""
    argv = ["compare", "van-der-pol", "--arms", "base", "--seeds", "2", "--epochs", "1", "--small"]
    argv += ["--tune", "none", "--baselines", "none", "--out", str(tmp_path / "study")]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "physnet.cli.main", *argv], stdout=full, stderr=subprocess.PIPE, env=env, text=True
        )
    assert done.returncode == 0, done.stderr
    said = [line for line in done.stderr.splitlines() if "no space left" in line]
    assert len(said) == 1 and "the standard output" in said[0] and "Errno" not in said[0]
    assert (tmp_path / "study" / "summary.json").exists()


@pytest.mark.parametrize("value, shown", [("1e39", "1e+39"), ("1e200", "1e+200")])
def test_values_beyond_float32_are_named_with_column_and_row(tmp_path, capsys, value, shown):
    rows = ["t,x,v"] + [f"{0.05 * i},{value if i == 7 else 0.1 * i},{0.2}" for i in range(300)]
    (tmp_path / "s.csv").write_text("\n".join(rows) + "\n")
    argv = ["compare", str(tmp_path / "s.csv"), "--model", "nn", "--arms", "base", "--out", str(tmp_path / "o")]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert f"column 'x' row 9 is {shown}, beyond the range of float32" in err
    assert "learning rate" not in err


def test_a_module_shadowing_the_standard_library_is_named(tmp_path, monkeypatch, capsys):
    import types

    from physnet.cli import simulate_cmd
    from physnet.cli.shadowing import shadowed_stdlib_modules

    fake = types.ModuleType("colorsys")
    fake.__file__ = str(tmp_path / "colorsys.py")
    monkeypatch.setitem(sys.modules, "colorsys", fake)
    assert shadowed_stdlib_modules() == [f"colorsys ({tmp_path / 'colorsys.py'})"]

    def broken(args):
        raise AttributeError("module 'colorsys' has no attribute 'rgb_to_hls'")

    monkeypatch.setattr(simulate_cmd, "run", broken)
    with pytest.raises(AttributeError):
        main(["simulate", "pendulum", "--out", str(tmp_path / "o")])
    assert "colorsys.py) replaced Python's own module" in capsys.readouterr().err


@pytest.mark.parametrize(
    "failure",
    [
        RuntimeError("[enforce fail at inline_container.cc:672] . unexpected pos 64 vs 0"),
        RuntimeError("basic_ios::clear: iostream error"),
        RuntimeError("some other message from a writer"),  # any writer error, with 1 MB left on the disk
    ],
)
def test_a_full_disk_names_the_file_and_the_free_space(tmp_path, monkeypatch, failure):
    import shutil

    from physnet import io

    monkeypatch.setattr(shutil, "disk_usage", lambda folder: shutil._ntuple_diskusage(10**12, 10**12 - 2**20, 2**20))
    target = tmp_path / "runs.csv"
    target.write_text("finished work")

    def write(p):
        p.write_text("half")
        raise failure

    with pytest.raises(OSError, match=rf"cannot write {target}.*1 MB free there: free space or choose another --out"):
        io.write_atomically(target, write)
    assert target.read_text() == "finished work"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs.csv"]


def test_analyze_refuses_a_missing_arm_before_any_hessian(tmp_path, capsys, monkeypatch):
    from physnet.study import analysis

    argv = ["compare", "van-der-pol", "--arms", "base,tanh", "--seeds", "2", "--epochs", "1", "--small"]
    assert main([*argv, "--tune", "none", "--out", str(tmp_path / "s")]) == 0
    (tmp_path / "s" / "models" / "tanh.pt").unlink()
    monkeypatch.setattr(analysis, "member_hessian", lambda *a: pytest.fail("a Hessian computed before the refusal"))
    capsys.readouterr()
    assert main(["analyze", str(tmp_path / "s"), "--hessian"]) == 2
    assert "no stored networks for arm(s) tanh" in capsys.readouterr().err
    assert not (tmp_path / "s" / "analysis.csv").exists()


def test_an_impossible_out_is_refused_before_the_system_is_built(tmp_path, capsys, monkeypatch):
    """A folder that cannot be made (under a file: also as root, who writes everywhere) is
    refused before the user's module is even imported."""
    (tmp_path / "afile").write_text("not a folder")
    (tmp_path / "slow.py").write_text("raise SystemExit('the module was imported before the folder check')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert main(["compare", "slow:Sys", "--out", str(tmp_path / "afile" / "study")]) == 2
    assert "afile is a file; choose another --out" in capsys.readouterr().err
    assert "slow" not in sys.modules


def test_a_non_ascii_file_name_under_a_c_locale_is_handled(tmp_path):
    """Under ``LC_ALL=C`` (no UTF-8 coercion) Python reads ``café.csv`` as undecodable bytes; the
    figure labels that name it used to fail after training. They are drawn decoded instead."""
    import math

    from physnet.io import printable

    assert printable("caf\udcc3\udca9.csv") == "café.csv" and printable("plain") == "plain"
    rows = ["t,x,v"] + [f"{0.05 * i},{math.sin(0.05 * i)},{math.cos(0.05 * i)}" for i in range(300)]
    (tmp_path / "café.csv").write_text("\n".join(rows) + "\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LC_ALL": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0"}
    argv = ["compare", "café.csv", "--model", "nn", "--arms", "base", "--quick", "--tune", "none", "--out", "o"]
    done = subprocess.run([sys.executable, "-m", "physnet.cli.main", *argv], cwd=tmp_path, env=env, capture_output=True)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-400:]
    assert (tmp_path / "o" / "boxplot.png").is_file()


def test_a_series_read_in_small_chunks_equals_one_read_whole(tmp_path, monkeypatch):
    """The body is read chunk by chunk (bounded memory): the same arrays, groups and row numbers
    in messages whatever the chunk size, a group split across chunks included."""
    from physnet.tasks import series_file

    rows = ["run,t,x,v"] + [f"g{i // 23},{0.1 * (i % 23)},{i * 0.5},{-i}" for i in range(100)]
    (tmp_path / "s.csv").write_text("\n".join(rows) + "\n")
    whole = series_file.read_series_csv(tmp_path / "s.csv", group="run")
    monkeypatch.setattr(series_file, "CHUNK_ROWS", 7)
    chunked = series_file.read_series_csv(tmp_path / "s.csv", group="run")
    for name in ("t", "states", "groups"):
        np_equal = getattr(whole, name) == getattr(chunked, name)
        assert np_equal.all(), name
    assert whole.group_labels == chunked.group_labels == ("g0", "g1", "g2", "g3", "g4")
    bad = rows[:60] + ["g2,9.9,1,1"] + rows[60:]  # group g2 again after g1..., at row 61 (a later chunk)
    (tmp_path / "b.csv").write_text("\n".join(bad).replace("g2,9.9", "g0,9.9") + "\n")
    with pytest.raises(ValueError, match="group 'g0' appears again at row 61"):
        series_file.read_series_csv(tmp_path / "b.csv", group="run")
    nan = rows[:50] + ["g2,0.1,nan,1"] + rows[51:]
    (tmp_path / "n.csv").write_text("\n".join(nan) + "\n")
    with pytest.raises(ValueError, match="column 'x' row 51 is nan"):
        series_file.read_series_csv(tmp_path / "n.csv", group="run")


def test_a_wrong_model_is_refused_from_the_header_alone(tmp_path, monkeypatch, capsys):
    from physnet.tasks import series_file

    (tmp_path / "s.csv").write_text("t,x,v,w\n" + "".join(f"{i},{i},{i},{i}\n" for i in range(50)))
    monkeypatch.setattr(series_file, "_read_body", lambda *a: pytest.fail("the body was read"))
    assert main(["compare", str(tmp_path / "s.csv"), "--model", "hnn", "--out", str(tmp_path / "o")]) == 2
    assert "needs an even count" in capsys.readouterr().err


def test_a_refused_meta_run_leaves_no_folder(tmp_path, capsys):
    """Refused after taking its folder's lock (a bad series file): the folder it made is gone."""
    (tmp_path / "bad.csv").write_text("t,x\n0,1\n1,2\n")
    out = tmp_path / "new" / "meta"
    assert main(["meta", "clock", "--data", str(tmp_path / "bad.csv"), "--quick", "--out", str(out)]) == 2
    assert "header must be" in capsys.readouterr().err
    assert not (tmp_path / "new").exists()


def test_the_quick_budget_scales_its_epochs_down_on_big_data():
    from physnet.tasks.settings import EPOCH_BOUNDS, default_settings

    small = default_settings(10_000, 2, ("nn",))["nn"].quick_compare["epochs"]
    big = default_settings(5_000_000, 2, ("nn",))["nn"].quick_compare["epochs"]
    assert small == 7 >= EPOCH_BOUNDS[0] and big == 1  # 10,000 rows: 66 steps an epoch, 400 quick steps


def test_a_compile_failure_later_falls_back_with_one_warning(monkeypatch):
    """A kernel compiled for a new shape or dtype fails (a full temporary file system): the
    layer answers in plain code with the same numbers, and says so once."""
    import torch

    from physnet.activations import frozen_function as ff

    def broken(*args):
        raise RuntimeError("No space left on device\n" + "compiler output\n" * 2800)

    monkeypatch.setattr(ff, "_compiled", {name: ff._Guarded(name, broken) for name in ff._EAGER})
    monkeypatch.setattr(ff, "_failed", False)
    monkeypatch.setattr(ff, "_enabled", True)
    x = torch.linspace(-12.0, 12.0, 40, dtype=torch.float64).reshape(8, 5)
    table = torch.randn(3, 2 * 11, dtype=torch.float64)
    offsets = torch.tensor([0, 11, 0, 11, 0])
    with pytest.warns(RuntimeWarning, match=r"torch.compile unavailable .*No space left on device\)") as caught:
        value = ff.frozen_layer(x, table, offsets, -10.0, 0.5, 10)
        again = ff.frozen_layer(x, table, offsets, -10.0, 0.5, 10)
    assert len(caught) == 1 and ff._failed
    with ff.use_compiled(False):
        torch.testing.assert_close(value, ff.frozen_layer(x, table, offsets, -10.0, 0.5, 10), rtol=0, atol=0)
    torch.testing.assert_close(again, value, rtol=0, atol=0)


def test_warnings_on_the_command_line_are_one_line():
    from physnet.cli.main import _one_line_warning

    shown = _one_line_warning(
        RuntimeWarning("torch.compile unavailable (OSError: full)\ndetail"), RuntimeWarning, "f.py", 3
    )
    assert shown == "physnet: warning: torch.compile unavailable (OSError: full)\n"


def test_cache_dir_takes_the_compile_cache_and_an_unwritable_one_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TORCHINDUCTOR_CACHE_DIR", os.environ.get("TORCHINDUCTOR_CACHE_DIR", ""))
    monkeypatch.setenv("TMPDIR", os.environ.get("TMPDIR", "/tmp"))
    blocker = tmp_path / "file"
    blocker.write_text("")
    argv = ["simulate", "pendulum", "--orbits", "1", "--t-end", "1", "--out", str(tmp_path / "s")]
    assert main([*argv, "--cache-dir", str(blocker / "cache")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--cache-dir" in err[0] and "choose another folder" in err[0]
    assert main([*argv, "--cache-dir", str(tmp_path / "cache")]) == 0
    assert os.environ["TORCHINDUCTOR_CACHE_DIR"] == str(tmp_path / "cache" / "inductor")
    assert os.environ["TMPDIR"] == str(tmp_path / "cache")


REFUSALS = {
    "compare unknown arm": ["compare", "van-der-pol", "--arms", "base,nope"],
    "compare types without activations": ["compare", "van-der-pol", "--arms", "base,mix"],
    "compare model the task lacks": ["compare", "van-der-pol", "--model", "hnn", "--arms", "base"],
    "compare missing activations file": ["compare", "van-der-pol", "--activations", "missing.npz"],
    "compare rollout without orbits": ["compare", "mnist1d", "--arms", "base", "--loss", "rollout"],
    "reproduce no meta seeds": ["reproduce", "van-der-pol", "--meta-seeds", "0"],
    "reproduce model the task lacks": ["reproduce", "van-der-pol", "--model", "hnn"],
    "reproduce missing series": ["reproduce", "missing.csv", "--quick"],
    "meta model the task lacks": ["meta", "van-der-pol", "--model", "hnn"],
    "meta data on a simulated task": ["meta", "van-der-pol", "--data", "missing.csv"],
    "forecast missing study": ["forecast", "no-such-study", "--arm", "base"],
    "analyze missing study": ["analyze", "no-such-study", "--hessian"],
}


@pytest.mark.parametrize("argv", list(REFUSALS.values()), ids=list(REFUSALS))
def test_a_refused_command_leaves_nothing_behind(tmp_path, monkeypatch, capsys, argv):
    monkeypatch.chdir(tmp_path)
    before = set(tmp_path.iterdir())
    assert main([*argv, "--out", "out"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("physnet")
    assert set(tmp_path.iterdir()) == before  # no folder, no file


def test_a_long_budget_is_announced_with_an_estimate():
    from physnet.study.config import StudyConfig
    from physnet.study.cost import long_study_warning
    from physnet.tasks.registry import get_task

    data = get_task("henon-heiles").load(seed=0)
    assert long_study_warning(StudyConfig.for_task("henon-heiles", "hnn", quick=True), data) is None
    line = long_study_warning(StudyConfig.for_task("henon-heiles", "hnn", seeds=400, epochs=100), data)
    assert line is not None and "13,940,000 member-steps" in line and "h on one core" in line and "\n" not in line


def test_a_big_series_reads_in_bounded_memory(tmp_path):
    """A 1,000,000-row CSV (about 50 MB, four columns) read in a fresh process: the peak memory
    added by the read stays within three times the arrays it returns (chunks of 65,536 rows;
    the whole file at once through Python's csv module took several times the file's size)."""
    import numpy as np

    n = 1_000_000
    t = np.arange(n) * 0.01
    table = np.column_stack([t, np.sin(t), np.cos(t), np.sin(2 * t)])
    np.savetxt(tmp_path / "big.csv", table, delimiter=",", fmt="%.9g", header="t,x,v,w", comments="")
    script = (
        "import resource, sys\n"
        "from physnet.tasks.series_file import read_series_csv\n"
        "def rss():\n"
        "    return int(open('/proc/self/statm').read().split()[1]) * resource.getpagesize() / 2**20\n"
        "read_series_csv(sys.argv[2], state=['x', 'v', 'w'])  # every import the reader makes\n"
        "before = rss()\n"
        "s = read_series_csv(sys.argv[1], state=['x', 'v', 'w'])\n"
        "hwm = [line for line in open('/proc/self/status') if line.startswith('VmHWM')][0]\n"
        "peak = int(hwm.split()[1]) / 1024  # this program's own high-water mark (ru_maxrss keeps the parent's)\n"
        "print(peak - before, (s.t.nbytes + s.states.nbytes) / 2**20, len(s.t))\n"
    )
    np.savetxt(tmp_path / "small.csv", table[:100], delimiter=",", fmt="%.9g", header="t,x,v,w", comments="")
    argv = [sys.executable, "-c", script, str(tmp_path / "big.csv"), str(tmp_path / "small.csv")]
    done = subprocess.run(argv, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    added, arrays, rows = (float(v) for v in done.stdout.split())
    assert rows == n
    assert added < 3 * arrays + 40, (added, arrays)  # MB: the arrays, one chunk's text, the parser
