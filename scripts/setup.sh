#!/usr/bin/env bash
# Create .venv (if missing) and install physnet with its test, ray, lint and docs extras into it.
# torch is installed first and pinned (TORCH_SPEC): an unpinned torch would pull a
# multi-GB CUDA build; on the project's machines torch==2.13.0 (CPU) is in the local
# wheel cache. Elsewhere set TORCH_SPEC, e.g. TORCH_SPEC="torch" with a CPU index.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
TORCH_SPEC="${TORCH_SPEC:-torch==2.13.0}"
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
  rm -rf .venv  # missing, or left half-made by an interrupted set-up
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet "$TORCH_SPEC"
.venv/bin/python -m pip install --quiet -e ".[test,ray,lint,docs]"
