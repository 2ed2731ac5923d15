"""Documentation that runs: every code block of README.md and docs/ that is meant to run is
executed here on small data - Python blocks as scripts, the ``physnet`` commands of bash blocks
through the command line - with ``PHYSNET_SMOKE=1`` (every budget shrinks to a smoke test:
4 seeds of 2 epochs, 2 outer steps). A block is left out only where the line before it says
``<!-- not run: REASON -->``; the files the commands read are written first
(``tests/docs_fixtures.py``). The blocks of one page run in order in one folder, so a command
may read what an earlier one wrote, as a reader following the page would."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from docs_fixtures import write_fixtures

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["README.md", *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"(?P<before>[^\n]*)\n```(?P<lang>\w+)\n(?P<body>.*?)^```", re.S | re.M)
SKIP = re.compile(r"<!-- not run: (?P<why>.+?) -->")
#: The user modules the pages import (written by the fixtures, or the examples folder's).
USER_MODULES = ("my_systems", "mymodule", "custom_system")


def blocks(page: str) -> list[tuple[str, str, str | None]]:
    """``(language, body, reason left out or None)`` of every fenced block of a page."""
    text = "\n" + (ROOT / page).read_text()
    out = []
    for m in FENCE.finditer(text):
        skip = SKIP.search(m.group("before"))
        out.append((m.group("lang"), m.group("body"), skip.group("why") if skip else None))
    return out


def commands(body: str) -> list[str]:
    """A bash block's commands: continuation lines joined, comments and blank lines dropped."""
    joined = body.replace("\\\n", " ")
    found = []
    for line in joined.splitlines():
        line = line.split(" #")[0].strip()
        if line and not line.startswith("#"):
            found.append(line)
    return found


def test_every_block_is_run_or_says_why_not():
    for page in PAGES:
        for lang, body, why in blocks(page):
            if why is None and lang in ("bash", "sh"):
                for command in commands(body):
                    words = shlex.split(command)
                    env = [w for w in words if re.match(r"^[A-Z_]+=", w)]
                    assert words[len(env)] == "physnet", f"{page}: `{command}` is not a physnet command: mark it"


def _run_physnet(command: str, folder: Path, monkeypatch) -> None:
    from physnet.cli.main import main

    words = shlex.split(command)
    while re.match(r"^[A-Z_]+=", words[0]):
        name, _, value = words.pop(0).partition("=")
        if name == "PYTHONPATH":
            monkeypatch.syspath_prepend(str(ROOT / value))
        else:
            monkeypatch.setenv(name, value)
    try:
        code = main(words[1:])
    except SystemExit as done:  # --help
        code = done.code
    assert code in (0, None), f"`{command}` failed"


@pytest.mark.parametrize("page", PAGES)
def test_the_pages_code_runs(page, tmp_path, monkeypatch):
    runnable = [(lang, body) for lang, body, why in blocks(page) if why is None and lang in ("python", "bash", "sh")]
    if not runnable:
        pytest.skip(f"{page} has no block meant to run")
    write_fixtures(tmp_path, (ROOT / page).read_text())
    for name in USER_MODULES:  # another test's module of the same name must not answer for this page's
        monkeypatch.delitem(sys.modules, name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("PHYSNET_SMOKE", "1")
    for lang, body in runnable:
        if lang == "python":  # in a process of its own: a script registers tasks and imports systems
            env = {**os.environ, "PHYSNET_SMOKE": "1", "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
            done = subprocess.run([sys.executable, "-c", body], cwd=tmp_path, env=env, capture_output=True, text=True)
            assert done.returncode == 0, f"{page}: a Python block failed:\n{done.stderr[-3000:]}"
        else:
            for command in commands(body):
                _run_physnet(command, tmp_path, monkeypatch)
