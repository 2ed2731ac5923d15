"""Write the API reference pages of the documentation site: one page per public name of
``import physnet`` (``docs/api/<name>.md``, rendered by mkdocstrings from the docstrings) and
one per public subpackage, with ``docs/api/index.md`` listing them all. Run by
``scripts/docs.sh`` before the build; ``tests/test_docs.py`` checks the pages are current."""

from __future__ import annotations

import importlib
import inspect
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
API = ROOT / "docs" / "api"

#: Subpackages whose public names are rendered on one page each (their ``__all__``).
PACKAGES = {
    "physnet.activations": "Neuron types: fixed, learned, frozen banks and their files",
    "physnet.networks": "Networks: conventional, Hamiltonian, classifier, ensembles",
    "physnet.integrators": "Integrators: Euler, symplectic, implicit midpoint, torchdiffeq",
    "physnet.analysis": "Analyses: participation ratio, Hessian trace and density",
    "physnet.references": "Reference models: sparse regression of the vector field (SINDy)",
    "physnet.plots": "Plots",
    "physnet.errors": "Errors: bad input told apart from bugs",
}


def defining_module(name: str, face_module: str) -> str:
    """Where ``name`` is defined (a class or function's own module), else where the face finds it."""
    value = getattr(importlib.import_module(face_module), name)
    module = getattr(value, "__module__", None) if inspect.isclass(value) or inspect.isroutine(value) else None
    return module or face_module


def pages() -> dict[str, str]:
    """File name -> page text, for every page of the API reference."""
    sys.path.insert(0, str(ROOT))
    import physnet

    out: dict[str, str] = {}
    face_rows = []
    for name, face in physnet._EXPORTS.items():
        module = defining_module(name, face)
        out[f"{name}.md"] = f"# `physnet.{name}`\n\n::: {module}.{name}\n"
        face_rows.append(f"| [`{name}`]({name}.md) | `{module}` |")
    package_rows = []
    for package, title in PACKAGES.items():
        out[f"{package}.md"] = f"# `{package}`: {title}\n\n::: {package}\n"
        package_rows.append(f"| [`{package}`]({package}.md) | {title} |")
    out["index.md"] = "\n".join(
        [
            "# API reference",
            "",
            "Generated from the docstrings (`scripts/docs_api.py`). Every public name of",
            "`import physnet` has a page; shapes are in the docstrings. Start with the",
            "[tour of the Python API](../api-tour.md).",
            "",
            "## `import physnet`",
            "",
            "| name | defined in |",
            "|---|---|",
            *face_rows,
            "",
            "## Subpackages",
            "",
            "| package | what it holds |",
            "|---|---|",
            *package_rows,
            "",
        ]
    )
    return out


def main() -> None:
    API.mkdir(parents=True, exist_ok=True)
    wanted = pages()
    for stale in set(p.name for p in API.glob("*.md")) - set(wanted):
        (API / stale).unlink()
    for name, text in wanted.items():
        (API / name).write_text(text)
    print(f"wrote {len(wanted)} pages into {API.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
