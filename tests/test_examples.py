"""Every example runs in seconds with --small."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = [
    "custom_system.py",
    "henon_heiles_chaos.py",
    "integrator_energy.py",
    "video_to_phase_space.py",
    "forecast_van_der_pol.py",
    "henon_heiles_nn_vs_hnn.py",
    "forecast_clock.py",
    "reuse_activations.py",
    "forecast_from_python.py",
    "mnist1d_diversity.py",
    "your_own_system.py",
]
#: What an example may import from this project: the public API and the public packages.
PUBLIC = {"physnet", "physnet.plots", "physnet.analysis", "systems", "video", "video.plots"}


def test_examples_use_public_names_only():
    import ast

    folder = Path(__file__).resolve().parents[1] / "examples"
    assert sorted(p.name for p in folder.glob("*.py")) == sorted(EXAMPLES)
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                modules = [node.module]
            for module in modules:
                if module.split(".")[0] in ("physnet", "systems", "video"):
                    assert module in PUBLIC, f"{path.name} imports {module}"


@pytest.mark.parametrize("script", EXAMPLES)
def test_examples_run_small(tmp_path, script):
    path = Path(__file__).resolve().parents[1] / "examples" / script
    args = [sys.executable, str(path), "--small"]
    if "--out" in path.read_text():
        args += ["--out", str(tmp_path / "out")]
    done = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()
