"""Re-score the models of an E1-real run on CPM15 with other post-processing parameters (a sensitivity check, not a test).

Usage: .venv/bin/python tools/rescore_e1_real.py RUN_FOLDER POSTPROC_JSON
Prints per seed and arm the pooled Dice/AJI/PQ/F_d, and the paired ST - manual differences with t-intervals.
"""
import json, sys
from pathlib import Path
import pandas as pd
from stnb.core import K, default_device
from stnb.learn import load_nuclei_model
from stnb.experiments import cpm15_tiles, score_model, summarise, mean_ci

run, pp = Path(sys.argv[1]), json.loads(Path(sys.argv[2]).read_text())
prm = json.loads((run/'metrics.json').read_text())['params']
test = cpm15_tiles(mpp=prm['mpp'], tile=prm['tile'], images=prm['test_images'])
rows = []
for seed in prm['seeds']:
    for arm in ('st', 'manual'):
        model, _ = load_nuclei_model(run/f'seed{seed}'/f"model_{prm['arch']}_{arm}"/'model.pth', device=default_device())
        rows.append(dict(seed=seed, arm=arm, **summarise(score_model(model, test, postproc=pp))))
df = pd.DataFrame(rows); print('post-processing', pp); print(df.round(3).to_string(index=False))
pv = df.pivot(index='seed', columns='arm', values=[K.dice, K.aji, K.pq, K.f1_d])
for k in (K.dice, K.aji, K.pq, K.f1_d):
    print(k, 'st', round(mean_ci(pv[k]['st'])['mean'], 3), 'manual', round(mean_ci(pv[k]['manual'])['mean'], 3),
          'st - manual', {a: round(b, 3) for a, b in mean_ci((pv[k]['st'] - pv[k]['manual']).to_numpy()).items()})
