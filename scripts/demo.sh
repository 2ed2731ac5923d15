#!/usr/bin/env bash
# Set up .venv and run the main job on its small embedded default: the paper's study of
# van der Pol (mu = 2.7) at a quick budget - meta-learn two neuron types from sine,
# compare base/type1/type2/mix over 10 seeds, forecast, and write runs/demo/report.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/physnet reproduce van-der-pol --quick --out "${1:-runs/demo}"
