#!/usr/bin/env bash
# Build the documentation site into site/ in strict mode (broken links, missing pages and
# unresolved API references fail): the API pages are regenerated from the public names first.
# Installs the docs extra into .venv when missing. Open site/index.html to read it.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! .venv/bin/python -c "import mkdocs, material, mkdocstrings_handlers.python" 2>/dev/null; then
  .venv/bin/python -m pip install --quiet -e ".[docs]"
fi
.venv/bin/python scripts/docs_api.py
NO_MKDOCS_2_WARNING=1 .venv/bin/mkdocs build --strict --quiet
echo "docs built into site/ (open site/index.html)"
