"""Bad input and bugs told apart: a UserError (and a standalone package's own ValueError) is one
line and exit 2; any other exception is a bug and reaches the user with its traceback."""

from __future__ import annotations

import pytest

from physnet.cli import simulate_cmd
from physnet.cli.main import main
from physnet.errors import UserError


def _failing_run(error: BaseException):
    def run(args):
        raise error

    return run


def test_a_user_error_is_one_line_and_exit_2(monkeypatch, capsys):
    monkeypatch.setattr(simulate_cmd, "run", _failing_run(UserError("--orbits must be positive, got 0")))
    assert main(["simulate", "van-der-pol", "--out", "unused"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "physnet simulate: error: --orbits must be positive, got 0"


@pytest.mark.parametrize("bug", [ValueError("operands could not be broadcast"), TypeError("takes 2 arguments")])
def test_a_bug_keeps_its_traceback(monkeypatch, bug):
    monkeypatch.setattr(simulate_cmd, "run", _failing_run(bug))
    with pytest.raises(type(bug), match=str(bug)):
        main(["simulate", "van-der-pol", "--out", "unused"])


def test_a_real_bad_option_is_a_user_error(tmp_path, capsys):
    """An error raised by physnet's own checks is a UserError (and still a ValueError)."""
    code = main(["compare", "van-der-pol", "--seeds", "0", "--out", str(tmp_path / "s")])
    assert code == 2
    assert "error:" in capsys.readouterr().err
    assert issubclass(UserError, ValueError)


def test_a_standalone_packages_own_value_error_is_bad_input(monkeypatch, tmp_path, capsys):
    from video.frames import probe_video

    missing = tmp_path / "clip.mp4"
    monkeypatch.setattr(simulate_cmd, "run", lambda args: probe_video(missing))
    assert main(["simulate", "van-der-pol", "--out", "unused"]) == 2
    assert f"video file not found: {missing}" in capsys.readouterr().err


def test_a_value_error_from_a_library_is_a_bug(monkeypatch):
    """Only physnet's UserError and the standalone packages' own raise sites count."""
    import numpy as np

    monkeypatch.setattr(simulate_cmd, "run", lambda args: np.zeros(3).reshape(2, 2))
    with pytest.raises(ValueError, match="reshape"):
        main(["simulate", "van-der-pol", "--out", "unused"])
