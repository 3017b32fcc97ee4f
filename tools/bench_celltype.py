"""Benchmark of cell typing (stnb.celltype.label_cells; not a test): time and peak memory of each typing method on simulated counts.

Counts: `n` cells x `genes` genes drawn from the toy cell-type profiles (gamma-Poisson, 50-300 counts per
cell), saved once as a sparse .npz. Each method then runs in its own fresh process (so peak memory is its
own): peak = the kernel's high-water mark after the call minus the resident size just before it, the mark reset there
(libraries already imported; `stnb.bench.reset_peak`). The yardstick, measured in
the same run, is scanpy's own normalize_total + log1p + PCA (30 components) on the same matrix; the table
reports each method's time and memory as a multiple of it.

Usage: .venv/bin/python tools/bench_celltype.py [--n 100000] [--genes 500] [--methods all] [--out runs/]
Writes runs/bench_celltype_<n>x<genes>.json and prints a table.
"""
import argparse, json, os, tempfile, time
from pathlib import Path
import numpy as np, scipy.sparse as sp
from stnb.bench import run_child

METHODS = {
    'scanpy normalise+log1p+PCA (yardstick)': "import scanpy as sc; sc.pp.normalize_total(a); sc.pp.log1p(a); sc.pp.pca(a, n_comps=30)",
    'B2 markers': "label_cells(a, 'markers', markers=mk)",
    'B3 reference (SingleR-style correlation, default)': "label_cells(a, 'reference', reference=ref)",
    'B3 reference, logistic regression': "label_cells(a, 'reference', reference=ref, how='logreg')",
    'B1 leiden (PCA, 50k subsample graph + Leiden, kNN transfer)': "label_cells(a, 'leiden', markers=mk)",
    'image-oriented (a) posterior + (c) targets': "label_cells(a, 'image_oriented', markers=mk, taxonomy=False)",
}

CHILD = r'''
import os, sys, time, warnings, json
warnings.filterwarnings('ignore')
import numpy as np, pandas as pd, scipy.sparse as sp, anndata as ad
from stnb.celltype import label_cells
from stnb.expression import toy_profiles
import scanpy, sklearn.linear_model, sklearn.neighbors, scipy.optimize, matplotlib, threadpoolctl, igraph, leidenalg  # imports before the baseline RSS
from stnb.core import K
from stnb.bench import reset_peak, peak_rss_mb
C = sp.load_npz(sys.argv[1]).tocsr()
F, genes, mk = toy_profiles(C.shape[1], seed=0)
types = list(mk)
ref = pd.DataFrame(np.repeat(F, 2, 0) * 1e4, columns=genes).assign(cell_type=np.repeat(types, 2))
a = ad.AnnData(C, var=pd.DataFrame(index=genes)); a.layers[K.obs.counts] = C
r0 = reset_peak(); t0 = time.perf_counter()   # the peak counter starts at what is resident now (libraries and the matrix loaded)
exec(sys.argv[2])
dt = time.perf_counter() - t0
peak = peak_rss_mb()
acc = None
if 'ct_' in sys.argv[2] or "label_cells" in sys.argv[2]:
    key = [k for k in a.obs if k.startswith('ct_') and isinstance(a.obs[k].dtype, pd.CategoricalDtype) and not k.endswith(('_fine', '_cluster'))]
    if key: acc = float((a.obs[key[0]].astype(str).to_numpy() == np.array(types)[np.load(sys.argv[3])]).mean())
print('RESULT ' + json.dumps(dict(time_s=dt, peak_mb=max(peak - r0, 0.), rss_before_mb=r0, accuracy=acc)))
'''

def make_counts(n, g, path, seed=0, chunk=50_000):
    from stnb.expression import toy_profiles, sample_counts
    F, _, _ = toy_profiles(g, seed=seed)
    rng = np.random.default_rng(seed); y = rng.integers(0, len(F), n); parts = []
    for s in range(0, n, chunk):
        yy = y[s:s + chunk]
        parts.append(sp.csr_matrix(sample_counts(F[yy], rng.integers(50, 300, len(yy)), 10., rng)))
    C = sp.vstack(parts).tocsr(); sp.save_npz(path, C, compressed=False)
    np.save(str(path).replace('.npz', '_y.npy'), y)
    return C.nnz

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--n', type=int, default=100_000); p.add_argument('--genes', type=int, default=500)
    p.add_argument('--methods', default='all', help='comma-separated substrings of method names, or all')
    p.add_argument('--out', default='runs'); p.add_argument('--timeout', type=int, default=1800)
    a = p.parse_args()
    tmp = Path(tempfile.mkdtemp()); cp = tmp/'counts.npz'
    t = time.perf_counter(); nnz = make_counts(a.n, a.genes, cp)
    print(f'{a.n} cells x {a.genes} genes, {nnz / a.n:.0f} nonzeros per cell, made in {time.perf_counter() - t:.1f}s', flush=True)
    sel = [m for m in METHODS if a.methods == 'all' or any(s.strip().lower() in m.lower() for s in a.methods.split(','))]
    yard = next(iter(METHODS))
    if yard not in sel: sel = [yard] + sel
    res = {}
    for m in sel:
        try: res[m] = run_child(CHILD, cp, METHODS[m], str(cp).replace('.npz', '_y.npy'), timeout=a.timeout)[-1]
        except RuntimeError as e: res[m] = dict(error=str(e).strip().splitlines()[-1])
        print(f'  {m}: {res[m]}', flush=True)
    y = res[yard]
    print(f"\n{'method':62s} {'time s':>8s} {'x yard':>7s} {'peak MB':>8s} {'x yard':>7s} {'accuracy':>8s}")
    for m, r in res.items():
        if 'error' in r: print(f'{m:62s} ERROR {r["error"]}'); continue
        r['time_ratio'] = r['time_s'] / y['time_s']; r['mem_ratio'] = r['peak_mb'] / max(y['peak_mb'], 1e-9)
        acc = '' if r.get('accuracy') is None else f"{r['accuracy']:.3f}"
        print(f"{m:62s} {r['time_s']:8.1f} {r['time_ratio']:7.2f} {r['peak_mb']:8.0f} {r['mem_ratio']:7.2f} {acc:>8s}")
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    f = out/f'bench_celltype_{a.n}x{a.genes}.json'
    f.write_text(json.dumps(dict(n_cells=a.n, n_genes=a.genes, nnz_per_cell=nnz / a.n, cpus=os.cpu_count(), results=res), indent=2))
    print(f'\nwrote {f}')
    for q in tmp.iterdir(): q.unlink()
    tmp.rmdir()

if __name__ == '__main__': main()
