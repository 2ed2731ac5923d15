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
    "systems": "Dynamical systems: vector fields, energies, samplers, orbits, datasets, the clock's series",
    "video": "Pendulum footage to phase space: decoding, tracking, angles and their derivatives",
    "physnet.activations": "Neuron types: fixed, learned, frozen banks and their files",
    "physnet.networks": "Networks: conventional, Hamiltonian, classifier, ensembles",
    "physnet.integrators": "Integrators: Euler, symplectic, implicit midpoint, torchdiffeq",
    "physnet.analysis": "Analyses: participation ratio, Hessian trace and density",
    "physnet.references": "Reference models: sparse regression of the vector field (SINDy)",
    "physnet.plots": "Plots",
    "physnet.errors": "Errors: bad input told apart from bugs",
}

#: The reference grouped by concept, in the order of the path from a system to a report: each
#: concept's names of ``import physnet`` and its packages.
CONCEPTS = [
    (
        "Systems and data",
        ["Task", "TaskData", "ModelSettings", "TASKS", "get_task", "register_task", "system_task", "series_task"],
        ["systems"],
    ),
    (
        "Neuron types",
        ["FixedBank", "LearnedBank", "FrozenBank", "freeze", "save_activations", "load_activations"],
        ["physnet.activations"],
    ),
    ("Networks", ["build_model", "arm_bank"], ["physnet.networks"]),
    ("Integrators", ["METHODS", "ConvergenceError", "get_method", "odeint"], ["physnet.integrators"]),
    (
        "Training and meta-learning",
        ["TrainConfig", "train", "MetaConfig", "MetaResult", "meta_config_for", "meta_learn"],
        [],
    ),
    (
        "Studies",
        ["StudyConfig", "StudyResult", "compare", "load_arm", "hidden_layers"],
        ["physnet.references", "physnet.analysis"],
    ),
    (
        "Forecasts and simulation",
        ["load_forecaster", "Forecaster", "EnsembleForecast", "forecast", "SimulationConfig", "simulate"],
        [],
    ),
    (
        "Reports, files and errors",
        ["prepare_output_dir", "write_figure", "UserError"],
        ["physnet.plots", "physnet.errors"],
    ),
    ("Video", [], ["video"]),
]


def defining_module(name: str, face_module: str) -> str:
    """Where ``name`` is defined (a class or function's own module), else where the face finds it."""
    value = getattr(importlib.import_module(face_module), name)
    module = getattr(value, "__module__", None) if inspect.isclass(value) or inspect.isroutine(value) else None
    return module or face_module


def pages() -> dict[str, str]:
    """File name -> page text, for every page of the API reference."""
    sys.path.insert(0, str(ROOT))
    import physnet

    listed = {n for _, names, _ in CONCEPTS for n in names}
    missing = set(physnet._EXPORTS) - listed
    if missing:
        raise SystemExit(f"scripts/docs_api.py: public names in no concept: {', '.join(sorted(missing))}")
    out: dict[str, str] = {}
    lines = [
        "# API reference",
        "",
        "Generated from the docstrings (`scripts/docs_api.py`), grouped by concept along the path from",
        "a system to a report. Every public name of `import physnet` has a page, and so does each",
        "public package; shapes are in the docstrings. Start with the [tour of the Python API](../api-tour.md).",
        "",
    ]
    for title, names, packages in CONCEPTS:
        lines += [f"## {title}", "", "| name | defined in |", "|---|---|"]
        for name in names:
            module = defining_module(name, physnet._EXPORTS[name])
            out[f"{name}.md"] = f"# `physnet.{name}`\n\n::: {module}.{name}\n"
            lines.append(f"| [`physnet.{name}`]({name}.md) | `{module}` |")
        for package in packages:
            out[f"{package}.md"] = f"# `{package}`: {PACKAGES[package]}\n\n::: {package}\n"
            lines.append(f"| [`{package}`]({package}.md) (package) | {PACKAGES[package]} |")
        lines.append("")
    out["index.md"] = "\n".join(lines)
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
