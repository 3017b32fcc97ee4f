"""Train the nuclei model on real pixels: CoNSeP train tiles with their manual labels, scored on CoNSeP test tiles.

Not a test (minutes to hours). CPU budget config by default; `--gpu-config` is what a user with a GPU should run.
Writes runs/consep-<config>/ (tile stores, model, history.csv, metrics.json). Usage:
    .venv/bin/python tools/train_consep.py [--epochs 6] [--mpp 0.5] [--arch resnet18] [--bs 8] [--gpu-config]
"""
import argparse, json, time
from pathlib import Path
import numpy as np, pandas as pd, tifffile, torch
from PIL import Image
from stnb.core import K, shared_data, seed_all, default_device
from stnb.tiles import write_sample, set_cell_targets, open_tile_store
import itertools
from stnb.learn import tiles_dls, nuclei_learner, fit_nuclei, predict_maps, tile_instances, load_nuclei_model
from stnb.metrics import nucleus_metrics, dataset_metrics, bootstrap_ci
from stnb.postproc import postproc_for_mpp, HV_40X

CLASSES = ['other', 'inflammatory', 'epithelial', 'spindle']   # CoNSeP type ids 1..4 (data README)

NATIVE_MPP = 0.25   # CoNSeP is 40x

def load_tile(split_dir: Path, n: str, mpp: float = NATIVE_MPP):
    "CoNSeP tile `n` (image, instances, per-pixel types) resampled from 0.25 um/px to `mpp` (area for the image, nearest for labels)."
    img = Image.open(split_dir/'images'/f'{n}.jpg').convert('RGB')
    inst = tifffile.imread(split_dir/'labels'/f'{n}_inst.tif').astype(np.int32)
    typ = tifffile.imread(split_dir/'labels'/f'{n}_type.tif').astype(np.int64)
    f = NATIVE_MPP/mpp
    if f != 1:
        size = (round(img.width*f), round(img.height*f))
        img = img.resize(size, Image.BOX)
        inst = np.asarray(Image.fromarray(inst).resize(size, Image.NEAREST)).astype(np.int32)
        typ = np.asarray(Image.fromarray(typ.astype(np.int32)).resize(size, Image.NEAREST)).astype(np.int64)
    return np.asarray(img), inst, typ

def build_store(split_dir: Path, store: Path, tile: int, limit: int = None, mpp: float = NATIVE_MPP):
    "One store sample per CoNSeP tile; the sample's 'organ' is its source image (train_NN), for a split by image."
    if (store/K.store_json).exists(): return open_tile_store(store)
    names = sorted(p.name[:-len('.jpg')] for p in (split_dir/'images').glob('*.jpg'))[:limit]
    inst_tab = pd.read_csv(split_dir/'instances.csv')
    for n in names:
        img, inst, _ = load_tile(split_dir, n, mpp)
        write_sample(store, n, img, inst, mpp=mpp, organ=n.rsplit('_', 1)[0], tile=tile, min_valid=0.0, show=False)
        t = inst_tab[inst_tab.tile == n].set_index('inst_id')
        ids = sorted(set(np.unique(inst)) - {0})   # nuclei that survive the resampling
        set_cell_targets(store, n, pd.DataFrame({K.type_target: t.loc[ids, 'type'].to_numpy(np.int64)}, index=ids), CLASSES)
    return open_tile_store(store)

def evaluate(model, split_dir: Path, names, device, postprocs: dict, mpp: float = NATIVE_MPP):
    "Predict each test tile once at the model's `mpp`; per post-processing setting (name -> keywords), instances and types brought back to 0.25 um/px (nearest) and scored against the manual labels."
    res = {k: [] for k in postprocs}
    model.eval()
    for n in names:
        _, inst, typ = load_tile(split_dir, n)
        img, _, _ = load_tile(split_dir, n, mpp)
        with torch.no_grad(): pred = model(torch.from_numpy(img.transpose(2, 0, 1).copy())[None].to(device))
        fg, hv, tp = predict_maps(pred)
        for k, pp in postprocs.items():
            pi, pt = tile_instances(fg[0], hv[0], tp[0], **pp)
            if pi.shape != inst.shape:
                size = inst.shape[::-1]
                pi = np.asarray(Image.fromarray(pi.astype(np.int32)).resize(size, Image.NEAREST))
                pt = np.asarray(Image.fromarray(pt.astype(np.int32)).resize(size, Image.NEAREST))
            res[k].append(nucleus_metrics(inst, pi, typ, pt, classes=[1, 2, 3, 4]))
    return res

POSTPROC_GRID = dict(ksize=[5, 11, 21], marker_open=[0, 3, 5], edge_thresh=[0.3, 0.5], marker_min_size=[4, 10], min_size=[6])

def tune_postproc(model, store, organs, device, grid=POSTPROC_GRID, bs=16):
    "Post-processing parameters with the best PQ on the validation images' store tiles (never the test tiles); all rows."
    ids = store.index.tile_id[store.index[K.organ].isin(organs)].tolist()
    tiles = [store[i] for i in ids]; maps = []
    model.eval()
    for i in range(0, len(tiles), bs):
        x = torch.from_numpy(np.stack([t[K.tile_image] for t in tiles[i:i + bs]]).transpose(0, 3, 1, 2).copy()).to(device)
        with torch.no_grad(): fg, hv, tp = predict_maps(model(x))
        maps += list(zip(fg, hv))
    rows = []
    for vals in itertools.product(*grid.values()):
        pp = dict(zip(grid, vals))
        res = [nucleus_metrics(np.maximum(t[K.tile_inst], 0), tile_instances(f, h, None, **pp)[0], ignore=t[K.tile_inst] < 0)
               for t, (f, h) in zip(tiles, maps)]
        agg = dataset_metrics(res); rows.append(dict(**pp, pq=float(agg[K.pq]), aji=float(agg[K.aji]), f1_d=float(agg[K.f1_d])))
    tab = pd.DataFrame(rows).sort_values('pq', ascending=False)
    return {k: type(grid[k][0])(v) for k, v in tab.iloc[0][list(grid)].items()}, tab   # back to the grid's own types

def score_test(model, root, names, device, postprocs: dict, mpp):
    "Test metrics (with bootstrap intervals) per post-processing setting."
    tissue = [n.rsplit('_', 1)[0] for n in names]
    out = {}
    for k, res in evaluate(model, root/'test', names, device, postprocs, mpp).items():
        agg = dataset_metrics(res, tissue=tissue, classes=[1, 2, 3, 4])
        keep = [K.dice, K.aji, K.pq, K.dq, K.sq, K.f1_d, K.mpq, K.bpq]
        m = {kk: float(agg[kk]) for kk in keep if kk in agg}
        m['f1_c'] = {CLASSES[c - 1]: float(v) for c, v in agg[K.f1_c].items()}
        m['ci'] = bootstrap_ci(res, tissue=tissue, classes=[1, 2, 3, 4], n_boot=500)
        out[k] = m
    return out

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--epochs', type=int, default=6); p.add_argument('--tile', type=int, default=None, help='tile px (default: the CoNSeP tile at --mpp)')
    p.add_argument('--mpp', type=float, default=0.5, help='train and predict at this resolution (CoNSeP is 0.25; 0.5 = 4x fewer pixels)')
    p.add_argument('--arch', default='resnet18'); p.add_argument('--bs', type=int, default=8); p.add_argument('--lr', type=float, default=2e-3)
    p.add_argument('--limit', type=int, default=None, help='use only the first N train tiles'); p.add_argument('--seed', type=int, default=0)
    p.add_argument('--test-limit', type=int, default=None, help='score only the first N test tiles')
    p.add_argument('--gpu-config', action='store_true', help='the full config for a GPU: resnet34, 50 epochs, bs 32')
    p.add_argument('--eval-only', action='store_true', help='skip training: tune post-processing and score the run\'s model.pth again')
    a = p.parse_args()
    if a.gpu_config: a.arch, a.epochs, a.bs, a.lr, a.mpp = 'resnet34', 50, 32, 1e-3, NATIVE_MPP
    if a.tile is None: a.tile = round(256*NATIVE_MPP/a.mpp)
    root = shared_data('he/consep')
    if root is None: raise SystemExit('../shared/data/he/consep not found')
    out = Path('runs')/f'consep-{a.arch}-e{a.epochs}-mpp{a.mpp}-n{a.limit or "all"}-s{a.seed}'; out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    ts = build_store(root/'train', out/'store_train', a.tile, a.limit, a.mpp)
    images = sorted(ts.index[K.organ].unique()); valid = images[-2:]   # 2 source images held out for model selection
    t_train = None
    if not a.eval_only:
        seed_all(a.seed)
        dls = tiles_dls(ts, by=K.organ, valid=valid, bs=a.bs, seed=a.seed, p_jpeg=0.0)
        learn = nuclei_learner(dls, arch=a.arch)   # validation post-processing: postproc_for_mpp(a.mpp)
        t1 = time.time(); fit_nuclei(learn, a.epochs, out, lr=a.lr); t_train = time.time() - t1
    device = default_device()
    model, meta = load_nuclei_model(out/'model.pth', class_names=CLASSES, device=device)   # the best epoch
    best_pp, grid = tune_postproc(model, ts, valid, device)
    grid.to_csv(out/'postproc_grid.csv', index=False); (out/'postproc.json').write_text(json.dumps(best_pp))
    names = sorted(p.name[:-len('.jpg')] for p in (root/'test'/'images').glob('*.jpg'))[:a.test_limit]
    pps = dict(tuned=best_pp, default=postproc_for_mpp(a.mpp), hv_40x=dict(HV_40X))   # chosen on validation / scaled to the mpp / HoVer-Net's 40x pixels
    sc = score_test(model, root, names, device, pps, a.mpp)
    m = sc['tuned']
    m.update(postproc=best_pp, default_postproc=pps['default'], at_default_postproc={k: v for k, v in sc['default'].items() if k != 'ci'},
             at_hv_40x_postproc={k: v for k, v in sc['hv_40x'].items() if k != 'ci'},
             config=vars(a), n_train_tiles=len(ts), n_test_tiles=len(names), valid_images=valid,
             train_seconds=t_train if t_train is not None else json.loads((out/'metrics.json').read_text()).get('train_seconds') if (out/'metrics.json').exists() else None,
             total_seconds=time.time() - t0, device=str(device))
    (out/'metrics.json').write_text(json.dumps(m, indent=1, default=lambda o: o.to_dict() if hasattr(o, 'to_dict') else str(o)))
    print(json.dumps({k: m[k] for k in [K.dice, K.aji, K.pq, K.f1_d, 'f1_c', 'postproc', 'default_postproc', 'at_default_postproc', 'at_hv_40x_postproc', 'train_seconds'] if k in m}, indent=1, default=str))

if __name__ == '__main__': main()
