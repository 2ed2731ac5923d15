#!/usr/bin/env bash
# Set up .venv and run the main job on its small embedded default:
# van der Pol orbits (mu = 2.7) drawn onto their limit cycle, written to runs/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/physnet simulate van-der-pol --out "${1:-runs/demo}"
