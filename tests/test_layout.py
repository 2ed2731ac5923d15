"""Import direction: systems imports neither physnet nor video; video stands alone; only
physnet's command-line layer may import video; inside physnet each layer (a folder) imports only
the layers below it, and no module is part of an import cycle."""

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


PACKAGES = ("physnet", "systems", "video")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Module -> the modules of the three packages it imports, at any depth of its code
    (imports inside functions count: a lazy import only hides a cycle). ``from pkg import
    name`` points at ``pkg.name`` where that is a module, else at ``pkg`` itself."""
    modules = {_module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                edges.update(a.name for a in node.names if a.name in modules)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([node.module] if node.module else []))
                for a in node.names:
                    target = f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                    if target in modules and target != name:
                        edges.add(target)
        graph[name] = edges
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return cycles


def test_the_cycle_finder_finds_a_planted_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert import_cycles(graph) == [["a", "b", "c"]]


def test_no_import_cycle_in_the_three_packages():
    graph = import_graph()
    assert "physnet.jobs.reproduce_all" in graph  # the graph sees the packages
    assert import_cycles(graph) == []


def _body_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines of a function's body, its docstring left out."""
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
        body = body[1:]
    return 0 if not body else int(body[-1].end_lineno or 0) - body[0].lineno + 1


#: physnet's layers, lowest first: a module imports only its own package and layers below it.
#: ARCHITECTURE.md draws the same table; the package face ``physnet/__init__.py`` (names imported
#: on first use) stands above all of them.
LAYERS = (
    ("errors", "schema", "version"),
    ("io", "lazy_exports", "data", "compiled"),
    ("activations", "integrators", "analysis"),
    ("networks", "plots"),
    ("tasks",),
    ("training", "references"),
    ("meta",),
    ("study",),
    ("reports",),
    ("jobs",),
    ("cli",),
)
RANK = {package: rank for rank, packages in enumerate(LAYERS) for package in packages}


def _layer(module: str) -> str | None:
    """``physnet.study.run`` -> ``study``; the face ``physnet`` -> None."""
    parts = module.split(".")
    return parts[1] if parts[0] == "physnet" and len(parts) > 1 else None


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    """Every import of a physnet module that points at its own layer's other packages or above."""
    found = []
    for module, targets in graph.items():
        here = _layer(module)
        if here is None:
            continue
        for target in targets:
            there = _layer(target) if target.startswith("physnet") else None
            if target.startswith("physnet") and there is None and here != "cli":
                found.append(f"{module} imports the package face physnet")
            if there is not None and there != here and RANK[there] >= RANK[here]:
                found.append(f"{module} ({here}) imports {target} ({there})")
    return sorted(found)


def test_every_physnet_folder_has_a_layer():
    folders = {p.parent.name if p.name == "__init__.py" else p.stem for p in (ROOT / "physnet").glob("*/__init__.py")}
    modules = {p.stem for p in (ROOT / "physnet").glob("*.py")} - {"__init__"}
    assert folders | modules == set(RANK)


def test_the_layer_check_finds_a_planted_upward_import():
    graph = {"physnet.training.trainer": {"physnet.study.run"}, "physnet.study.run": {"physnet.training.trainer"}}
    assert layer_violations(graph) == ["physnet.training.trainer (training) imports physnet.study.run (study)"]


def test_each_layer_imports_only_layers_below_it():
    assert layer_violations(import_graph()) == []


ORCHESTRATION = ("physnet/jobs", "physnet/study", "physnet/reports", "physnet/meta", "physnet/training")


@pytest.mark.parametrize("package", ORCHESTRATION)
def test_orchestration_functions_stay_small(package):
    """One step per function in the orchestration layers: no function body over about 60 lines."""
    for path in sorted((ROOT / package).glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                assert _body_lines(node) <= 60, f"{path.name}: {node.name} has a {_body_lines(node)}-line body"


def _architecture_rows() -> dict[str, str]:
    """ARCHITECTURE.md's layer table: the row naming each folder (``study`` -> its row)."""
    import re

    rows = {}
    for line in (ROOT / "ARCHITECTURE.md").read_text().splitlines():
        cells = [c.strip() for c in line.split("|")]
        if line.startswith("| ") and len(cells) > 3:
            for folder in re.findall(r"`(\w+)/`", cells[2]):
                rows[folder] = line
    return rows


def test_every_module_is_in_the_architecture_table():
    """A newcomer finds every module of physnet named in its layer's row of ARCHITECTURE.md."""
    rows = _architecture_rows()
    text = (ROOT / "ARCHITECTURE.md").read_text()
    missing = []
    for path in sorted((ROOT / "physnet").rglob("*.py")):
        parts = path.relative_to(ROOT / "physnet").parts
        if path.name == "__init__.py":
            continue
        where = text if len(parts) == 1 else rows.get(parts[0], "")
        if f"`{path.name}`" not in where:
            missing.append("/".join(parts))
    assert missing == []
