"""Benchmark: rasterising nucleus polygons into an instance label image (not a test).

Compares, in the same run and on the same polygons, stnb.masks (vectorised scanline fill; in memory and
chunk by chunk into zarr) with a per-polygon `skimage.draw.polygon` loop and with
`rasterio.features.rasterize` (pip install rasterio: benchmark only, not a dependency). Each case runs in
its own subprocess so that its peak resident memory (ru_maxrss) is its own; "raster MB" is the peak minus
the memory after the polygons were built. Prints a table and writes runs/bench_raster.json.

Usage: python tools/bench_raster.py [--sizes 10000,100000,1000000] [--mpp 0.5] [--skip_slow_refs_above 1000000]
"""
import argparse, json, os, sys, tempfile, time
from pathlib import Path
import numpy as np

def make_polys(n, seed=0, spacing=20., nv=13):
    "n nuclei (radius 5-9 px, 13 vertices, irregular) on a jittered grid `spacing` px apart: a slide of about n * spacing^2 px."
    rng = np.random.default_rng(seed); side = int(np.ceil(np.sqrt(n)))
    gy, gx = np.divmod(np.arange(n), side)
    c = (np.c_[gx, gy] + 0.5) * spacing + rng.uniform(-3, 3, (n, 2))
    t = np.linspace(0, 2 * np.pi, nv + 1)[:-1] + rng.uniform(0, 0.3, (n, 1))
    r = rng.uniform(5, 9, (n, 1)) * (1 + 0.12 * rng.standard_normal((n, nv))).clip(0.6, 1.4)
    xy = np.stack([c[:, :1] + r * np.cos(t), c[:, 1:] + r * np.sin(t)], -1).reshape(-1, 2)
    offsets = np.arange(n + 1, dtype=np.int64) * nv
    H = W = int(side * spacing + spacing)
    return offsets, xy, (H, W)

from stnb.bench import peak_rss_mb as rss_mb, run_child   # the peak resident memory of this process (MB)

def run_case(method, n, chunk):
    offsets, xy, shape = make_polys(n); vals = np.arange(1, n + 1)
    prep = 0.
    from stnb.masks import rasterize, label_blocks   # imports outside the timed block
    from stnb.io import write_zarr
    t = time.perf_counter(); rasterize(offsets[:2], xy[:offsets[1]], vals[:1], (8, 8))   # numba JIT (or cache load): once per process
    jit = time.perf_counter() - t
    if method == 'rasterio':
        import shapely, rasterio.features
        t = time.perf_counter()
        geoms = shapely.polygons(shapely.linearrings(xy, indices=np.repeat(np.arange(n), np.diff(offsets))))
        prep = time.perf_counter() - t
    base = rss_mb(); t = time.perf_counter()
    if method == 'stnb':
        out = rasterize(offsets, xy, vals, shape)
    elif method == 'stnb_zarr':
        d = Path(tempfile.mkdtemp())/'l.zarr'
        write_zarr(d, shape, np.int32, label_blocks(offsets, xy, vals, shape, chunk=chunk), chunks=(chunk, chunk))
        out = None
    elif method == 'skimage':
        from skimage.draw import polygon
        out = np.zeros(shape, np.int32)
        for i in range(n):
            p = xy[offsets[i]:offsets[i + 1]]; rr, cc = polygon(p[:, 1], p[:, 0], shape); out[rr, cc] = i + 1
    elif method == 'rasterio':
        from rasterio.transform import Affine as RA
        # rasterio's pixel (0, 0) covers [0, 1); stnb's pixel centres are integers: shift by half a pixel
        out = rasterio.features.rasterize(zip(geoms, vals.tolist()), out_shape=shape, dtype='int32', transform=RA.translation(-0.5, -0.5))
    dt = time.perf_counter() - t
    res = dict(method=method, n=n, seconds=dt, prep_seconds=prep, jit_seconds=jit, peak_mb=rss_mb(), base_mb=base, raster_mb=rss_mb() - base,
               pixels=shape[0] * shape[1], nonzero=None if out is None else int((out > 0).sum()))
    if out is not None and n <= 100_000:   # pixel agreement with stnb (pixel-centre rule in all three)
        ref = rasterize(offsets, xy, vals, shape); res['agree_with_stnb'] = float((ref == out).mean())
    print('RESULT ' + json.dumps(res)); sys.stdout.flush()

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--sizes', default='10000,100000,1000000'); ap.add_argument('--chunk', type=int, default=2048)
    ap.add_argument('--skip_slow_refs_above', type=int, default=10**9, help='skip the reference methods above this size')
    ap.add_argument('--case', default=None, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.case:
        m, n = a.case.split(':'); run_case(m, int(n), a.chunk); return
    rows = []
    for n in [int(s) for s in a.sizes.split(',')]:
        for m in ('stnb', 'stnb_zarr', 'rasterio', 'skimage'):
            if m in ('rasterio', 'skimage') and n > a.skip_slow_refs_above: continue
            try: got = run_child(Path(__file__), '--case', f'{m}:{n}', '--chunk', a.chunk)
            except RuntimeError as e: print(f'{m} {n} failed:', str(e)[-500:]); continue
            rows.append(got[0]); x = rows[-1]
            print(f"{m:10s} n={n:>8d}  {x['seconds']:8.2f} s  peak {x['peak_mb']:7.0f} MB  raster {x['raster_mb']:7.0f} MB", flush=True)
    print('\n(seconds exclude imports and the one-off numba compile/cache load, reported as jit_seconds in the JSON;'
          ' rasterio seconds exclude building its shapely geometries, prep_seconds)')
    print('\n| nuclei | pixels | method | seconds | nuclei/s | x skimage | x rasterio | peak RSS MB | raster MB | agree |')
    print('|---|---|---|---|---|---|---|---|---|---|')
    for r in rows:
        same = {x['method']: x['seconds'] for x in rows if x['n'] == r['n']}
        f = lambda k: f"{same[k] / r['seconds']:.1f}" if k in same else '-'
        ag = f"{r['agree_with_stnb']:.5f}" if 'agree_with_stnb' in r else '-'
        print(f"| {r['n']:,} | {r['pixels'] / 1e6:.0f} M | {r['method']} | {r['seconds']:.2f} | {r['n'] / r['seconds']:,.0f} | {f('skimage')} | {f('rasterio')} | "
              f"{r['peak_mb']:.0f} | {r['raster_mb']:.0f} | {ag} |")
    out = Path(__file__).resolve().parent.parent/'runs'; out.mkdir(exist_ok=True)
    (out/'bench_raster.json').write_text(json.dumps(dict(rows=rows, chunk=a.chunk, cpu=os.cpu_count()), indent=1))
    print(f"\nwrote {out/'bench_raster.json'}")

if __name__ == '__main__': main()
