#!/usr/bin/env bash
# Set up .venv and run the test suite (extra arguments go to pytest). By default the tests
# marked slow are left out (CI's 15-minute budget); `--all` as the first argument runs them too.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ "${1:-}" = "--all" ]; then
  shift
  .venv/bin/python -m pytest "$@"
else
  .venv/bin/python -m pytest -m "not slow" "$@"
fi
