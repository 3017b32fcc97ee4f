"""Run every notebook under nbs/ as a test (nbdev's own `test_nb`) and end with `N passed, N failed`.

`nbdev-test` only prints "Success."; CI and people need counts. Cells flagged with `tst_flags`
(`slow`, `cuda`) are skipped unless named in --flags. Usage: python tools/run_tests.py [--flags "slow"] [PATH]
"""
import argparse, os, sys, time
from pathlib import Path
from fastcore.parallel import parallel
from nbdev.config import get_config
from nbdev.doclinks import nbglob
from nbdev.test import test_nb

def _one(fn, skip_flags, force_flags, basepath):
    t0 = time.time()
    ok, _ = test_nb(fn, skip_flags=skip_flags, force_flags=force_flags, basepath=basepath, cell_timeout=1800)
    return ok, time.time() - t0

def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument('path', nargs='?', default=None, help='a notebook or folder (default: the nbs folder)')
    p.add_argument('--flags', default='', help='space-separated test flags to run (e.g. "slow cuda")')
    p.add_argument('--n_workers', type=int, default=None)
    a = p.parse_args()
    cfg = get_config()
    skip = cfg.tst_flags.split() if isinstance(cfg.tst_flags, str) else list(cfg.tst_flags)
    files = [Path(f).absolute() for f in sorted(nbglob(a.path or cfg.nbs_path, as_path=True))]
    if not files: print('no notebooks found'); print('0 passed, 1 failed'); return 1
    nw = a.n_workers if a.n_workers is not None else min(os.cpu_count() or 1, 2)
    os.chdir(cfg.nbs_path)
    res = parallel(_one, files, skip_flags=skip, force_flags=a.flags.split(), basepath=cfg.config_path,
                   n_workers=nw, pause=0.01, progress=False)
    npass = sum(ok for ok, _ in res)
    for f, (ok, t) in sorted(zip(files, res), key=lambda o: -o[1][1]):
        print(f"{'PASS' if ok else 'FAIL'} {t:7.1f}s  {f.relative_to(cfg.config_path)}")
    print(f'{npass} passed, {len(files) - npass} failed')
    return 0 if npass == len(files) else 1

if __name__ == '__main__': sys.exit(main())
