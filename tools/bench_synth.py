"""Benchmark of the simulator (stnb.data.synth.simulate_run): seconds and peak memory per mm2 of tissue.

Each size runs in a fresh single-threaded child process (OMP/BLAS threads 1, cv2.setNumThreads(1)), which
reports its wall time and peak resident memory. A reference workload runs in the same way at the same
size: rendering-free I/O floor = JPEG-compress and write the H&E-sized RGB image as a pyramidal OME-TIFF
(what any simulator at 0.25 um/px must at least do). The ratio sim/reference is less sensitive to the
machine's load than the seconds are.

Usage: python tools/bench_synth.py [--organ breast] [--sizes 500 1000] [--he_mpp 0.25]
Prints a table and writes runs/bench_synth.json (runs/ is git-ignored).
"""
import argparse, json, sys, time
from pathlib import Path

CHILD = r"""
import os, sys, time, json, tempfile
import cv2; cv2.setNumThreads(1)
from stnb.bench import peak_rss_mb
import numpy as np
mode, organ, size, mpp = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
out = tempfile.mkdtemp()
t0 = time.perf_counter()
info = {}
if mode == 'sim':
    from stnb.data.synth import simulate_run
    b = simulate_run(os.path.join(out, 'b'), organ, (size, size), seed=0, he_mpp=mpp)
    r = json.loads((b/'ground_truth'/'params.json').read_text())['realized']
    info = dict(cells=r['n_st_cells'], true_nuclei=r['n_true_nuclei'], transcripts=r['n_transcripts'])
else:
    from stnb.image import write_ome_tiff
    n = int(size/mpp)
    img = np.random.default_rng(0).integers(150, 255, (n, n, 3), dtype=np.uint8)
    img = cv2.GaussianBlur(img, (0, 0), 2)
    write_ome_tiff(os.path.join(out, 'he.ome.tif'), img, mpp, compression='jpeg', level=90)
dt = time.perf_counter() - t0
print('RESULT ' + json.dumps(dict(seconds=dt, peak_mb=peak_rss_mb(), **info)))
"""

def run(mode, organ, size, mpp):
    from stnb.bench import run_child
    return run_child(CHILD, mode, organ, size, mpp, threads=1)[-1]   # one thread for every numeric library

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--organ', default='breast')
    p.add_argument('--sizes', type=float, nargs='+', default=[500., 1000.], help='square side lengths in um')
    p.add_argument('--he_mpp', type=float, default=.25)
    a = p.parse_args()
    rows = []
    for s in a.sizes:
        sim, ref = run('sim', a.organ, s, a.he_mpp), run('ref', a.organ, s, a.he_mpp)
        mm2 = (s/1000)**2
        rows.append(dict(organ=a.organ, side_um=s, mm2=mm2, he_mpp=a.he_mpp, sim_s=sim['seconds'], sim_s_per_mm2=sim['seconds']/mm2,
                         sim_peak_mb=sim['peak_mb'], sim_peak_mb_per_mm2=sim['peak_mb']/mm2, ref_s=ref['seconds'], ref_peak_mb=ref['peak_mb'],
                         ratio_s=sim['seconds']/ref['seconds'], cells=sim.get('cells'), true_nuclei=sim.get('true_nuclei'),
                         transcripts=sim.get('transcripts')))
        r = rows[-1]
        print(f"{r['organ']:>10} {r['mm2']:6.3f} mm2: sim {r['sim_s']:7.1f} s ({r['sim_s_per_mm2']:6.1f} s/mm2), peak {r['sim_peak_mb']:7.0f} MB"
              f" | reference (write H&E) {r['ref_s']:6.1f} s, {r['ref_peak_mb']:6.0f} MB | ratio {r['ratio_s']:5.1f}"
              f" | {r['true_nuclei']} nuclei, {r['cells']} cells, {r['transcripts']} transcripts", flush=True)
    out = Path(__file__).resolve().parent.parent/'runs'; out.mkdir(exist_ok=True)
    (out/'bench_synth.json').write_text(json.dumps(dict(rows=rows, python=sys.version, time=time.strftime('%Y-%m-%dT%H:%M:%S')), indent=2))
    print(f"wrote {out/'bench_synth.json'}")

if __name__ == '__main__': main()
