#!/usr/bin/env bash
# The whole test suite: notebooks must be clean, the package must be exported, then every notebook runs.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
snap() { find "$@" -type f \( -name '*.ipynb' -o -name '*.py' \) -not -path '*/.ipynb_checkpoints/*' -not -path '*/__pycache__/*' -print0 | sort -z | xargs -0 sha256sum; }
before=$(snap nbs); "$BIN/nbdev-clean" >/dev/null; after=$(snap nbs)
if [ "$before" != "$after" ]; then
  echo "nbdev-clean changed these notebooks (run nbdev-clean and commit):"; diff <(echo "$before") <(echo "$after") | grep '^>' | awk '{print $3}'
  echo "0 passed, 1 failed"; exit 1
fi
before=$(snap stnb); "$BIN/nbdev-export"; after=$(snap stnb)
if [ "$before" != "$after" ]; then
  echo "nbdev-export changed stnb/ (run nbdev-export and commit):"; diff <(echo "$before") <(echo "$after") | grep '^[<>]' | awk '{print $3}' | sort -u
  echo "0 passed, 1 failed"; exit 1
fi
export MPLBACKEND=Agg STNB_PROGRESS=${STNB_PROGRESS:-0}
exec "$BIN/python" tools/run_tests.py "$@"
