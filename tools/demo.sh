#!/usr/bin/env bash
# The main job on the embedded default data (simulated Xenium runs with H&E): experiment E1 through the
# benchmark runner, CPU-sized (minutes measured: see the README). Results: runs/main-<timestamp>/ (results.md,
# metrics.json, figures/, env.json). Extra arguments go to stnb-bench, e.g. `-p seeds [0]`.
set -euo pipefail
cd "$(dirname "$0")/.."
export MPLBACKEND=Agg STNB_PROGRESS=${STNB_PROGRESS:-0}
.venv/bin/stnb-bench main -p size_um 192 -p tile 64 -p bs 16 -p epochs 20 -p seeds "[0,1,2]" -p typing image_oriented "$@"
run=$(ls -td runs/main-* | head -1)
echo "results: $run/results.md"; cat "$run/results.md"
