"""Import direction: systems imports neither physnet nor video; video stands alone;
only physnet's command-line layer may import video."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def imported_top_levels(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize(
    "package, forbidden",
    [("systems", {"physnet", "video"}), ("video", {"physnet", "systems"})],
)
def test_package_does_not_import(package, forbidden):
    for path in (ROOT / package).rglob("*.py"):
        assert not imported_top_levels(path) & forbidden, path


def test_only_the_cli_imports_video():
    for path in (ROOT / "physnet").rglob("*.py"):
        if "cli" in path.relative_to(ROOT / "physnet").parts:
            continue
        assert "video" not in imported_top_levels(path), path
