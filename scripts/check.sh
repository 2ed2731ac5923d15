#!/usr/bin/env bash
# The static checks CI runs before the tests: ruff's lint and format check, and mypy on the
# three packages (settings in pyproject.toml). Run scripts/setup.sh first.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
