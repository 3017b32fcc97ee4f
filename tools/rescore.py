"""Re-score the kept models of an E1 run (`stnb-bench main` or `stnb-bench e1_real`) with other post-processing settings.

A sensitivity check, not a test. Usage:
    .venv/bin/python tools/rescore.py RUN_FOLDER [POSTPROC_JSON | hv40x | scaled]
POSTPROC_JSON: `instances_from_maps` keywords on top of the settings scaled to the model mpp (`postproc_for_mpp`);
`hv40x`: HoVer-Net's 40x pixel settings unscaled (what stnb used before `postproc_for_mpp`); `scaled` (default): no override.
Prints per seed, arm (and test organ) the Dice/AJI/PQ/F_d, and the paired ST - manual differences with t-intervals.
"""
import json, sys
from pathlib import Path
import pandas as pd
from stnb.core import K, default_device
from stnb.learn import load_nuclei_model
from stnb.postproc import HV_40X
from stnb.experiments import cpm15_tiles, truth_tiles, score_model, summarise, mean_ci

run = Path(sys.argv[1]); how = sys.argv[2] if len(sys.argv) > 2 else 'scaled'
pp = dict(HV_40X) if how == 'hv40x' else {} if how == 'scaled' else json.loads(Path(how).read_text())
m = json.loads((run/'metrics.json').read_text()); prm = m['params']
if m['experiment'] == 'E1-real':   # the same CPM15 tiles for every seed: read once
    cpm = {'CPM15': cpm15_tiles(mpp=prm['mpp'], tile=prm['tile'], images=prm['test_images'])}
    tests = lambda seed: cpm
else:   # E1 on the simulator: the test organs' bundles of each seed
    tests = lambda seed: {o: truth_tiles(run/f'seed{seed}'/'bundles'/f'{o}_s{seed}', mpp=prm['mpp'], tile=prm['tile']) for o in prm['test_organs']}
rows = []
for seed in prm['seeds']:
    tt = tests(seed)
    for arm in ('st', 'manual'):
        model, _ = load_nuclei_model(run/f'seed{seed}'/f"model_{prm['arch']}_{arm}"/'model.pth', device=default_device())
        for o, t in tt.items(): rows.append(dict(seed=seed, arm=arm, test=o, **summarise(score_model(model, t, postproc=pp))))
df = pd.DataFrame(rows); print('post-processing overrides', how, pp); print(df.round(3).to_string(index=False))
pv = df.pivot_table(index=['seed', 'test'], columns='arm', values=[K.dice, K.aji, K.pq, K.f1_d])
for k in (K.dice, K.aji, K.pq, K.f1_d):
    d = (pv[k]['st'] - pv[k]['manual']).to_numpy()
    print(k, 'st', round(pv[k]['st'].mean(), 3), 'manual', round(pv[k]['manual'].mean(), 3),
          'st - manual', {a: round(b, 3) for a, b in mean_ci(d).items()}, f'st ahead in {(d > 0).sum()}/{len(d)}')
