#!/usr/bin/env bash
# The main job on the embedded default data. Until the simulator and the pipeline land, it runs the
# core notebook through papermill into a new run folder under runs/.
set -euo pipefail
cd "$(dirname "$0")/.."
out="runs/demo-$(date +%Y%m%d-%H%M%S)"; mkdir -p "$out"
export MPLBACKEND=Agg
.venv/bin/papermill nbs/00_core.ipynb "$out/00_core.ipynb" --cwd nbs
echo "demo finished: $out"
