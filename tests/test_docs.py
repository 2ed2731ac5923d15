"""The documentation site's sources: every public name of ``import physnet`` has an API page,
the generated pages are current, every page is in the navigation, and the README's links
resolve. (``bash scripts/docs.sh`` builds the site itself in strict mode, in CI.)"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import yaml

import physnet

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _docs_api():
    spec = importlib.util.spec_from_file_location("docs_api", ROOT / "scripts" / "docs_api.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_public_name_has_an_api_page():
    names = set(physnet.__all__) - {"__version__"}
    assert names
    for name in names:
        page = DOCS / "api" / f"{name}.md"
        assert page.exists(), f"no API page for physnet.{name}: run python scripts/docs_api.py"
        assert re.search(rf"^::: [\w.]+\.{name}$", page.read_text(), re.M), page


def test_the_generated_api_pages_are_current():
    wanted = _docs_api().pages()
    on_disk = {p.name: p.read_text() for p in (DOCS / "api").glob("*.md")}
    assert on_disk == wanted, "run python scripts/docs_api.py and commit docs/api/"


def _nav_files(node) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [f for value in node.values() for f in _nav_files(value)]
    return [f for item in node for f in _nav_files(item)]


def test_every_page_is_in_the_navigation_and_exists():
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text().replace("!!python/name:", ""))
    nav = set(_nav_files(config["nav"]))
    pages = {str(p.relative_to(DOCS)) for p in DOCS.glob("*.md")}
    assert pages == nav - {"api/index.md"}
    assert (DOCS / "api" / "index.md").exists()


def test_the_readme_is_short_and_its_links_resolve():
    text = (ROOT / "README.md").read_text()
    assert len(text.splitlines()) <= 170
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
        if not target.startswith("http"):
            assert (ROOT / target).exists(), f"README links to a missing {target}"
