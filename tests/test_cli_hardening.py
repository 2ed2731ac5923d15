"""Hardening of the command line: finished work is never overwritten, refused commands leave
no trace, cheap checks come before expensive work, files follow the umask."""

from __future__ import annotations

import os
import socket
import stat
import time

import pytest

from physnet.cli.main import main
from physnet.io import write_json

SMALL = ["--quick", "--no-progress", "--hidden", "8", "--width", "4", "--outer-steps", "1", "--inner-steps", "2"]


def _one_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


def test_meta_never_overwrites_a_run(tmp_path, capsys):
    out = tmp_path / "m"
    assert main(["meta", "van-der-pol", "--out", str(out), *SMALL]) == 0
    before = (out / "activations.npz").read_bytes()
    capsys.readouterr()
    assert main(["meta", "van-der-pol", "--out", str(out), *SMALL, "--seed", "1"]) == 2
    assert "holds a finished meta-learning run" in _one_line(capsys)
    assert (out / "activations.npz").read_bytes() == before
    (out / "activations.npz").unlink()  # as if interrupted before the end
    assert main(["meta", "van-der-pol", "--out", str(out), *SMALL]) == 2
    assert "holds an unfinished meta-learning run" in _one_line(capsys)
    assert main(["meta", "van-der-pol", "--out", str(out), *SMALL, "--resume"]) == 0
    assert (out / "activations.npz").read_bytes() == before  # resumed to the same result
    assert main(["meta", "van-der-pol", "--out", str(out), *SMALL, "--force", "--seed", "1"]) == 0
    assert (out / "activations.npz").read_bytes() != before


def test_resume_without_checkpoint_is_refused(tmp_path, capsys):
    assert main(["meta", "van-der-pol", "--out", str(tmp_path / "m"), *SMALL, "--resume"]) == 2
    assert "no checkpoint.pt" in _one_line(capsys)
    assert not (tmp_path / "m").exists()


@pytest.mark.parametrize(
    "argv, message",
    [
        (["compare", "clock", "--address", "auto"], "pass it with --backend ray"),
        (["reproduce", "clock", "--backend", "ray", "--address", "nohostport"], "expected HOST:PORT"),
        (["meta", "van-der-pol", "--device", "tpu"], "expected cpu, cuda, cuda:N or mps"),
        (["analyze", "/nonexistent/study"], "not a study folder"),
    ],
)
def test_refused_before_work_and_without_trace(tmp_path, capsys, argv, message):
    out = tmp_path / "deep" / "out"
    assert main([*argv, "--out", str(out)]) == 2
    assert message in _one_line(capsys)
    assert not (tmp_path / "deep").exists()


def test_unreachable_ray_cluster_is_refused_quickly(tmp_path, capsys):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    began = time.perf_counter()
    assert (
        main(["reproduce", "clock", "--backend", "ray", "--address", f"127.0.0.1:{port}", "--out", str(tmp_path / "r")])
        == 2
    )
    assert "cannot reach the Ray cluster" in _one_line(capsys)
    assert time.perf_counter() - began < 30 and not (tmp_path / "r").exists()


def test_written_files_follow_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        path = write_json(tmp_path / "config.json", {"a": 1})
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~old


@pytest.mark.parametrize(
    "failure, message",
    [
        (OSError(28, "No space left on device"), "No space left on device"),
        (
            RuntimeError("[enforce fail at inline_container.cc:626] . PytorchStreamWriter failed writing file data/0"),
            "PytorchStreamWriter failed writing",
        ),
    ],
)
def test_a_full_disk_is_one_line_and_leaves_no_temporary_file(tmp_path, failure, message):
    from physnet.io import write_atomically

    target = tmp_path / "models.pt"
    target.write_text("finished work")

    def write(p):
        p.write_text("half")
        raise failure

    with pytest.raises(OSError, match=f"cannot write {target}.*{message}"):
        write_atomically(target, write)
    assert target.read_text() == "finished work"  # the previous file is intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["models.pt"]


def test_other_runtime_errors_are_not_taken_for_a_full_disk(tmp_path):
    from physnet.io import write_atomically

    def write(p):
        raise RuntimeError("shape mismatch")

    with pytest.raises(RuntimeError, match="shape mismatch"):
        write_atomically(tmp_path / "x", write)
