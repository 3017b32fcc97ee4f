"""Benchmark (not a test): stnb.metrics.nucleus_metrics against a per-instance loop implementation, same run.

1000 synthetic 256x256 tiles with about 30 nuclei each (touching discs and ellipses), a prediction that is the truth
shifted, eroded, with some nuclei dropped, some split and some false positives, and 4 classes with 20% of the predicted
classes wrong. Both implementations compute Dice, AJI, AJI+, DQ/SQ/PQ, F_d and per-class F_c / PQ_c on every tile; the
script checks they agree (max abs difference) and prints a table of times and the speedup.
The reference is written the way HoVer-Net's compute_stats.py is: one boolean mask per nucleus, a loop over true
nuclei and the predictions under each, dense N x M IoU matrices.

Times are the sum over blocks of 50 tiles of the fastest of `--repeat` runs of each implementation on that block; the two
implementations alternate block by block, so that load from other processes hits both alike.
Usage: .venv/bin/python tools/bench_metrics.py [--n_tiles 1000] [--seed 0] [--repeat 3]   (writes runs/bench_metrics.json)
"""
import argparse, json, platform, time
import numpy as np
from scipy.optimize import linear_sum_assignment
from stnb.core import K, atomic_write, repo_root
from stnb.metrics import nucleus_metrics

CLASSES = [1, 2, 3, 4]

def make_tile(rng, size=256, n=30):
    "True instances, class map, and a perturbed prediction with its class map."
    yy, xx = np.mgrid[:size, :size]
    t = np.zeros((size, size), np.int32)
    for i in range(1, n + 1):
        cy, cx = rng.uniform(0, size, 2); a, b = rng.uniform(4, 11, 2); th = rng.uniform(0, np.pi)
        y0, y1, x0, x1 = max(int(cy) - 12, 0), min(int(cy) + 13, size), max(int(cx) - 12, 0), min(int(cx) + 13, size)
        Y, X = yy[y0:y1, x0:x1] - cy, xx[y0:y1, x0:x1] - cx
        u = X*np.cos(th) + Y*np.sin(th); v = -X*np.sin(th) + Y*np.cos(th)
        t[y0:y1, x0:x1][(u/a)**2 + (v/b)**2 <= 1] = i
    ids = np.unique(t[t > 0]); typ = np.zeros(n + 1, np.int64); typ[ids] = rng.integers(1, 5, len(ids))
    # prediction: shift, erode some, drop some, split some, add false positives, relabel
    dy, dx = rng.integers(-2, 3, 2)
    p = np.roll(t, (dy, dx), (0, 1))
    pad = np.pad(p, 1); edge = (pad[1:-1, 1:-1] != pad[:-2, 1:-1]) | (pad[1:-1, 1:-1] != pad[2:, 1:-1])
    ero = rng.random(n + 1) < 0.3; p = np.where(edge & ero[p], 0, p)
    drop = rng.random(n + 1) < 0.1; drop[0] = False; p = np.where(drop[p], 0, p)
    split = rng.random(n + 1) < 0.1; split[0] = False; p = np.where(split[p] & (xx % 2 == 0) & (yy > 128), p + 1000, p)
    for j in range(int(rng.integers(0, 4))):
        cy, cx = rng.uniform(0, size, 2); p[(yy - cy)**2 + (xx - cx)**2 <= 25] = 2000 + j   # false positives
    ptyp = np.where(rng.random(len(typ)) < 0.2, rng.integers(1, 5, len(typ)), typ)
    lut = np.zeros(2100, np.int64); lut[:n+1] = ptyp; lut[1000:1000+n+1] = ptyp; lut[2000:2004] = rng.integers(1, 5, 4)
    ids = np.unique(p[p > 0]); relab = np.zeros(2100, np.int64); relab[ids] = rng.choice(np.arange(1, 5000), len(ids), replace=False)
    return t, typ[t].astype(np.uint8), relab[p].astype(np.int32), lut[p].astype(np.uint8)   # the dtypes of real label files

def loop_metrics(true, pred, ttype, ptype, classes=CLASSES):
    "Per-instance loop implementation (HoVer-Net compute_stats.py style)."
    tids = [i for i in np.unique(true) if i > 0]; pids = [j for j in np.unique(pred) if j > 0]
    tm = [true == i for i in tids]; pm = [pred == j for j in pids]
    inter = np.zeros((len(tids), len(pids))); union = np.zeros_like(inter)
    for a, m in enumerate(tm):
        for j in np.unique(pred[m]):
            if j == 0: continue
            b = pids.index(j)
            inter[a, b] = (m & pm[b]).sum(); union[a, b] = m.sum() + pm[b].sum() - inter[a, b]
    iou = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
    res = {K.metric.dice: 2*((true > 0) & (pred > 0)).sum()/((true > 0).sum() + (pred > 0).sum())}
    def aji(pairs):
        I = sum(inter[a, b] for a, b in pairs); U = sum(union[a, b] for a, b in pairs)
        pt, pp = {a for a, _ in pairs}, {b for _, b in pairs}
        U += sum(tm[a].sum() for a in range(len(tids)) if a not in pt) + sum(pm[b].sum() for b in range(len(pids)) if b not in pp)
        return I/U
    res[K.metric.aji] = aji([(a, int(np.argmax(iou[a]))) for a in range(len(tids)) if iou[a].max() > 0])
    r, c = linear_sum_assignment(-iou); res[K.metric.aji_plus] = aji([(a, b) for a, b in zip(r, c) if iou[a, b] > 0])
    pairs = [(a, b) for a in range(len(tids)) for b in range(len(pids)) if iou[a, b] > 0.5]
    tp, fp, fn = len(pairs), len(pids) - len(pairs), len(tids) - len(pairs)
    res[K.metric.dq] = tp/(tp + 0.5*fp + 0.5*fn); res[K.metric.sq] = sum(iou[a, b] for a, b in pairs)/tp if tp else 0.
    res[K.metric.pq] = res[K.metric.dq]*res[K.metric.sq]; res[K.metric.f1_d] = 2*tp/(2*tp + fp + fn)
    def vote(m, tmap):
        v, n = np.unique(tmap[m], return_counts=True); o = sorted(zip(v, n), key=lambda x: -x[1])
        return o[1][0] if o[0][0] == 0 and len(o) > 1 else o[0][0]
    tt = np.array([vote(m, ttype) for m in tm]); ptt = np.array([vote(m, ptype) for m in pm])
    pa, pb = set(a for a, _ in pairs), set(b for _, b in pairs)
    f1c, pqc = {}, {}
    for k in classes:
        tp_c = sum(1 for a, b in pairs if tt[a] == k and ptt[b] == k)
        fp_c = sum(1 for a, b in pairs if tt[a] != k and ptt[b] == k); fn_c = sum(1 for a, b in pairs if tt[a] == k and ptt[b] != k)
        fp_d = sum(1 for b in range(len(pids)) if b not in pb and ptt[b] == k); fn_d = sum(1 for a in range(len(tids)) if a not in pa and tt[a] == k)
        den = 2*tp_c + 2*fp_c + 2*fn_c + fp_d + fn_d; f1c[k] = 2*tp_c/den if den else np.nan
        s = sum(iou[a, b] for a, b in pairs if tt[a] == k and ptt[b] == k)
        fpk, fnk = fp_c + fp_d, fn_c + fn_d
        pqc[k] = np.nan if tp_c + fnk == 0 else (tp_c/(tp_c + 0.5*fpk + 0.5*fnk))*(s/tp_c if tp_c else 0.)
    res[K.metric.f1_c], res[K.metric.pq_c] = f1c, pqc
    return res

def maxdiff(a, b):
    d = 0.
    for k, v in b.items():
        if isinstance(v, dict):
            for c, x in v.items():
                y = a[k][c]
                if not (np.isnan(x) and np.isnan(y)): d = max(d, abs(x - y))
        else: d = max(d, abs(v - a[k]))
    return d

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--n_tiles', type=int, default=1000); ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--repeat', type=int, default=3, help='time each block this many times and keep the fastest (timeit style)')
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    t0 = time.perf_counter(); tiles = [make_tile(rng) for _ in range(a.n_tiles)]; t_gen = time.perf_counter() - t0
    n_true = np.mean([len(np.unique(t[t > 0])) for t, *_ in tiles]); n_pred = np.mean([len(np.unique(p[p > 0])) for _, _, p, _ in tiles])
    # alternate blocks of 50 tiles between the two implementations, so that load from other processes hits both alike
    fast, slow, t_fast, t_slow = [], [], 0., 0.
    for b in range(0, a.n_tiles, 50):
        blk = tiles[b:b+50]
        tf, ts = [], []
        for _ in range(a.repeat):
            t0 = time.perf_counter(); fb = [nucleus_metrics(t, p, tt, pt, classes=CLASSES) for t, tt, p, pt in blk]; tf.append(time.perf_counter() - t0)
            t0 = time.perf_counter(); sb = [loop_metrics(t, p, tt, pt) for t, tt, p, pt in blk]; ts.append(time.perf_counter() - t0)
        fast += fb; slow += sb; t_fast += min(tf); t_slow += min(ts)
    diff = max(maxdiff(f, s) for f, s in zip(fast, slow))
    rows = [('stnb.metrics.nucleus_metrics (bincount table)', t_fast), ('per-instance loop (HoVer-Net style)', t_slow)]
    print(f"{a.n_tiles} tiles 256x256, mean {n_true:.1f} true / {n_pred:.1f} predicted nuclei per tile, 4 classes "
          f"(tile generation {t_gen:.1f} s, not timed below)")
    print(f"{'implementation':<48}{'total s':>10}{'ms/tile':>10}   (fastest of {a.repeat} per block of 50 tiles)")
    for nm, t in rows: print(f"{nm:<48}{t:>10.2f}{1000*t/a.n_tiles:>10.2f}")
    print(f"speedup: {t_slow/t_fast:.1f}x   max |difference| over all metrics and tiles: {diff:.2e}")
    out = {'n_tiles': a.n_tiles, 'seed': a.seed, 'repeat': a.repeat, 'mean_true_nuclei': n_true, 'mean_pred_nuclei': n_pred,
           'fast_s': t_fast, 'loop_s': t_slow, 'speedup': t_slow/t_fast, 'max_abs_diff': diff,
           'machine': platform.platform(), 'python': platform.python_version()}
    root = repo_root() or __import__('pathlib').Path.cwd()
    with atomic_write(root/'runs'/K.metric.bench_json) as p: p.write_text(json.dumps(out, indent=1))
    print('wrote', root/'runs'/K.metric.bench_json)

if __name__ == '__main__': main()
