"""Run every notebook under nbs/ as a test (nbdev's own `test_nb`) and end with `N passed, N failed`.

`nbdev-test` only prints "Success."; CI and people need counts. Each notebook runs in its own Python
process (isolated memory, a crash fails one notebook only), two at a time by default. Cells flagged
with `tst_flags` (`slow`, `cuda`) are skipped unless named in --flags. Each notebook gets its own
temporary folder (TMPDIR, so every `tempfile` call and every child process lands there); it is measured
and deleted when the notebook ends, so a test run leaves nothing behind in /tmp (smoke runs of the bench
templates, stores and checkpoints amount to several GB).
Usage: python tools/run_tests.py [--flags "slow"] [--n_workers N] [PATH ...]
"""
import argparse, os, shutil, subprocess, sys, tempfile, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from nbdev.config import get_config
from nbdev.doclinks import nbglob

CHILD = """
import sys
from nbdev.test import test_nb
ok, _ = test_nb(sys.argv[1], skip_flags=sys.argv[2].split(), force_flags=sys.argv[3].split(),
                basepath=sys.argv[4], cell_timeout=1800)
sys.exit(0 if ok else 1)
"""

def du(path):
    "Bytes under `path` (files only, links not followed)."
    return sum(f.stat().st_size for f in Path(path).rglob('*') if f.is_file() and not f.is_symlink())

def run_one(fn, skip, force, root):
    t0 = time.time()
    tmp = tempfile.mkdtemp(prefix=f'stnb-test-{fn.stem}-')
    try:
        r = subprocess.run([sys.executable, '-c', CHILD, str(fn), ' '.join(skip), ' '.join(force), str(root)],
                           cwd=fn.parent, capture_output=True, text=True, env={**os.environ, 'TMPDIR': tmp})
        left = du(tmp)
    finally: shutil.rmtree(tmp, ignore_errors=True)
    return r.returncode == 0, time.time() - t0, r.stdout + r.stderr, left

def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument('paths', nargs='*', help='notebooks or folders (default: the nbs folder)')
    p.add_argument('--flags', default='', help='space-separated test flags to run (e.g. "slow cuda")')
    p.add_argument('--n_workers', type=int, default=min(os.cpu_count() or 1, 2))
    a = p.parse_args()
    cfg = get_config()
    skip = cfg.tst_flags.split() if isinstance(cfg.tst_flags, str) else list(cfg.tst_flags)
    files = []
    for path in (a.paths or [cfg.nbs_path]):
        path = Path(path)
        files += [path.absolute()] if path.is_file() else [Path(f).absolute() for f in nbglob(path, as_path=True)]
    files = sorted(set(files))
    if not files: print('no notebooks found'); print('0 passed, 1 failed'); return 1
    with ThreadPoolExecutor(a.n_workers) as ex:
        res = list(ex.map(lambda f: run_one(f, skip, a.flags.split(), cfg.config_path), files))
    for f, (ok, t, out, _) in zip(files, res):
        if not ok: print(f"\n===== FAILED: {os.path.relpath(f, cfg.config_path)} =====\n{out[-6000:]}")
    for f, (ok, t, _, left) in sorted(zip(files, res), key=lambda o: -o[1][1]):
        print(f"{'PASS' if ok else 'FAIL'} {t:7.1f}s {left / 2**20:8.1f} MB temp  {os.path.relpath(f, cfg.config_path)}")
    npass = sum(ok for ok, *_ in res)
    print(f'{npass} passed, {len(files) - npass} failed')
    return 0 if npass == len(files) else 1

if __name__ == '__main__': sys.exit(main())
