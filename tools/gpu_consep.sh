#!/usr/bin/env bash
# The CoNSeP template's GPU parameter set as one prepared script for a lent GPU machine (see nbs/bench/consep.ipynb).
#
# That machine has PyTorch but not stnb's other packages or the shared data: carry the wheels in .whl/ (fastai,
# fastcore, anndata, zarr, ...; `pip download --no-deps` for Python 3.12) and CoNSeP in .gpu/data/he/consep.
# Results go to $OUT (log, metrics.json, results.md, history, figures, GPU load, inference throughput).
#   EPOCHS=6 EXTRA='-p n_test_images 2' bash tools/gpu_consep.sh   # a shorter pass
#   SMOKE=1 bash tools/gpu_consep.sh    # the template's smoke defaults, with the packages already installed (a CPU check)
set -o pipefail
OUT=${OUT:-/tmp/gpu_consep_out}; mkdir -p "$OUT"
RUN=${RUN:-/tmp/gpu_consep_run}; rm -rf "$RUN"
PY=${PY:-python3}
export PYTHONUNBUFFERED=1 STNB_PROGRESS=0 STNB_SHARED=${STNB_SHARED:-$PWD/.gpu/data}
if [ -d .whl ] && [ -z "$SMOKE" ]; then
  $PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
  export PYTHONPATH=/tmp/site:$PWD
fi
nvidia-smi -L 2>/dev/null
$PY -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else '')" || exit 1
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=timestamp,utilization.gpu,memory.used --format=csv -l 5 > "$OUT/gpu_load.csv" 2>/dev/null & SMI=$!
fi
if [ -n "$SMOKE" ]; then P=(-p cpm15_images '[]')
else P=(-p n_train_images None -p n_test_images None -p arch resnet34 -p epochs ${EPOCHS:-50} -p bs 32 -p lr 1e-3
        -p num_workers 8 -p cpm15_images '[]' $EXTRA); fi   # EXTRA: more '-p name value'
t0=$(date +%s)
timeout ${LIMIT:-520} $PY tools/run_template.py nbs/bench/consep.ipynb -p out_dir "$RUN" "${P[@]}" 2>&1 | tee "$OUT/log.txt"
rc=$?; echo "template: rc $rc, $(( $(date +%s) - t0 )) s"
[ -n "$SMI" ] && kill $SMI
for f in metrics.json results.md model/history.csv figures/learning_curves.png figures/consep_examples.png; do
  [ -f "$RUN/$f" ] && cp "$RUN/$f" "$OUT/"
done
[ $rc -eq 0 ] || exit $rc
# inference throughput on the test tiles: the trained model, one pass, batch 32 (the maps come back to the CPU)
$PY - "$RUN" <<'EOF' | tee "$OUT/infer.txt"
import sys, json, time, torch
from pathlib import Path
from stnb.core import default_device
from stnb.model import load_nuclei_model
from stnb.datasets import CONSEP_CLASS_NAMES
from stnb.experiments import consep_tiles, predict_tiles
run = Path(sys.argv[1]); m = json.loads((run/'metrics.json').read_text()); dev = default_device()
model, meta = load_nuclei_model(run/'model'/'model.pth', class_names=CONSEP_CLASS_NAMES, device=dev)
tiles = consep_tiles('test', mpp=m['params']['mpp'], images=m['test_images'])
sync = torch.cuda.synchronize if dev.type == 'cuda' else (lambda: None)
predict_tiles(model, tiles[:32], bs=32); sync()                      # warm-up
for tta in (False, True):
    t = time.time(); predict_tiles(model, tiles, bs=32, tta=tta); sync(); dt = time.time() - t
    print(f'inference ({"flip TTA" if tta else "one pass"}): {len(tiles)} tiles in {dt:.2f} s = {len(tiles) / dt:.1f} tiles/s')
print(f"training: {m['n_train_tiles']} tiles x {m['params']['epochs']} epochs in {m['train_s']:.0f} s = "
      f"{m['n_train_tiles'] * m['params']['epochs'] / m['train_s']:.1f} tiles/s ({m['s_per_epoch']:.1f} s per epoch, validation included)")
EOF
