"""Train the nuclei model on real pixels: CoNSeP train tiles with their manual labels, scored on CoNSeP test tiles.

Not a test (minutes to hours). CPU budget config by default; `--gpu-config` is what a user with a GPU should run.
Writes runs/consep-<config>/ (tile stores, model, history.csv, metrics.json). Usage:
    .venv/bin/python tools/train_consep.py [--epochs 4] [--tile 256] [--arch resnet18] [--bs 8] [--gpu-config]
"""
import argparse, json, time
from pathlib import Path
import numpy as np, pandas as pd, tifffile, torch
from PIL import Image
from stnb.core import K, shared_data, seed_all, default_device
from stnb.tiles import write_sample, set_cell_targets, open_tile_store
from stnb.learn import tiles_dls, nuclei_learner, fit_nuclei, predict_maps, tile_instances
from stnb.metrics import nucleus_metrics, dataset_metrics, bootstrap_ci

CLASSES = ['other', 'inflammatory', 'epithelial', 'spindle']   # CoNSeP type ids 1..4 (data README)

def build_store(split_dir: Path, store: Path, tile: int, limit: int = None):
    "One store sample per CoNSeP tile; the sample's 'organ' is its source image (train_NN), for a split by image."
    if (store/K.store_json).exists(): return open_tile_store(store)
    names = sorted(p.name[:-len('.jpg')] for p in (split_dir/'images').glob('*.jpg'))[:limit]
    inst_tab = pd.read_csv(split_dir/'instances.csv')
    for n in names:
        img = np.asarray(Image.open(split_dir/'images'/f'{n}.jpg').convert('RGB'))
        inst = tifffile.imread(split_dir/'labels'/f'{n}_inst.tif').astype(np.int32)
        write_sample(store, n, img, inst, mpp=0.25, organ=n.rsplit('_', 1)[0], tile=tile, min_valid=0.0, show=False)
        t = inst_tab[inst_tab.tile == n].set_index('inst_id')
        ids = sorted(set(np.unique(inst)) - {0})
        set_cell_targets(store, n, pd.DataFrame({K.type_target: t.loc[ids, 'type'].to_numpy(np.int64)}, index=ids), CLASSES)
    return open_tile_store(store)

def evaluate(model, split_dir: Path, names, device, postproc):
    res = []
    model.eval()
    for n in names:
        img = np.asarray(Image.open(split_dir/'images'/f'{n}.jpg').convert('RGB'))
        inst = tifffile.imread(split_dir/'labels'/f'{n}_inst.tif').astype(np.int32)
        typ = tifffile.imread(split_dir/'labels'/f'{n}_type.tif').astype(np.int64)
        with torch.no_grad(): pred = model(torch.from_numpy(img.transpose(2, 0, 1).copy())[None].to(device))
        fg, hv, tp = predict_maps(pred)
        pi, pt = tile_instances(fg[0], hv[0], tp[0], **postproc)
        res.append(nucleus_metrics(inst, pi, typ, pt, classes=[1, 2, 3, 4]))
    return res

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--epochs', type=int, default=4); p.add_argument('--tile', type=int, default=256)
    p.add_argument('--arch', default='resnet18'); p.add_argument('--bs', type=int, default=8); p.add_argument('--lr', type=float, default=2e-3)
    p.add_argument('--limit', type=int, default=None, help='use only the first N train tiles'); p.add_argument('--seed', type=int, default=0)
    p.add_argument('--test-limit', type=int, default=None, help='score only the first N test tiles')
    p.add_argument('--gpu-config', action='store_true', help='the full config for a GPU: resnet34, 50 epochs, bs 32')
    a = p.parse_args()
    if a.gpu_config: a.arch, a.epochs, a.bs, a.lr = 'resnet34', 50, 32, 1e-3
    root = shared_data('he/consep')
    if root is None: raise SystemExit('../shared/data/he/consep not found')
    out = Path('runs')/f'consep-{a.arch}-e{a.epochs}-t{a.tile}-n{a.limit or "all"}'; out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    ts = build_store(root/'train', out/'store_train', a.tile, a.limit)
    seed_all(a.seed)
    images = sorted(ts.index[K.organ].unique())
    dls = tiles_dls(ts, by=K.organ, valid=images[-2:], bs=a.bs, seed=a.seed, p_jpeg=0.0)   # 2 source images held out for model selection
    learn = nuclei_learner(dls, arch=a.arch, postproc=dict(ksize=21))
    t1 = time.time(); fit_nuclei(learn, a.epochs, out, lr=a.lr); t_train = time.time() - t1
    names = sorted(p.name[:-len('.jpg')] for p in (root/'test'/'images').glob('*.jpg'))[:a.test_limit]
    res = evaluate(learn.model, root/'test', names, dls.device, dict(ksize=21))
    tissue = [n.rsplit('_', 1)[0] for n in names]
    agg = dataset_metrics(res, tissue=tissue, classes=[1, 2, 3, 4])
    ci = bootstrap_ci(res, tissue=tissue, classes=[1, 2, 3, 4], n_boot=500)
    keep = [K.dice, K.aji, K.pq, K.dq, K.sq, K.f1_d, K.mpq, K.bpq]
    m = {k: float(agg[k]) for k in keep if k in agg}
    m['f1_c'] = {CLASSES[c - 1]: float(v) for c, v in agg[K.f1_c].items()}
    m.update(config=vars(a), n_train_tiles=len(ts), n_test_tiles=len(names), train_seconds=t_train, total_seconds=time.time() - t0,
             device=str(dls.device), ci={str(k): v for k, v in (ci.to_dict() if hasattr(ci, 'to_dict') else {}).items()})
    (out/'metrics.json').write_text(json.dumps(m, indent=1, default=str))
    print(json.dumps({k: m[k] for k in keep + ['f1_c', 'train_seconds'] if k in m}, indent=1))

if __name__ == '__main__': main()
