"""Check that `nbdev-docs` can execute the cells it runs in each notebook (developer aid).

Before Quarto renders anything, `nbdev-docs` runs nbdev's docs processors (`nbdev.processors.FilterDefaults`)
on every notebook. One of them, `exec_show_docs`, executes in a fresh IPython shell, in order, only the cells
that `nbdev.processors._do_eval` selects: exported cells, `show_doc` cells and every cell that contains an
import statement anywhere (also inside `if`, `with` or `def`). A cell that imports something and also uses a
name made by an earlier test or demo cell (which is not executed) stops the whole docs build with a NameError.
So notebooks keep their imports in cells of their own.

This script runs nbdev's own processor list on each notebook, as `nbdev-docs` does (a child process per
notebook, `IN_TEST=1`, the repository root as working folder; `--cwd nbs` uses the notebook's folder), and
prints one line per notebook; for a failing one, the cell (index in the notebook file, 0-based) and the error.
Notebooks with `skip_showdoc: true` in their frontmatter, or with nothing to document, execute nothing.

Usage: python tools/check_docs_exec.py [--all] [--cwd root|nbs] [--n_workers N] [--verbose] [NB_OR_FOLDER ...]
(default: every notebook under the nbs folder). Exit status 1 when any notebook fails.
"""
import argparse, json, os, subprocess, sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

CHILD = r"""
import json, re, sys, warnings
warnings.simplefilter('ignore')
from fastcore.nbio import read_nb
import nbdev.processors as P
nb = read_nb(sys.argv[1])
for i, c in enumerate(nb.cells): c.orig_idx_ = i
fails = []
def fail(cell, e): fails.append({'cell': getattr(cell, 'orig_idx_', None), 'error': f'{type(e).__name__}: {e}',
                                 'source': getattr(cell, 'source', '')})
if sys.argv[2] == 'all':   # record every failing cell and go on, instead of stopping at the first as nbdev does
    _call = P.exec_show_docs.__call__
    def __call__(self, cell):
        try: _call(self, cell)
        except Exception as e: fail(cell, e.__cause__ or e); self.k.exc = None
    P.exec_show_docs.__call__ = __call__
try: P.FilterDefaults().nb_proc(nb).process()
except Exception as e:
    m = re.search(r' in cell (\d+) :', str(e))
    fail(next((c for c in nb.cells if m and getattr(c, 'idx_', None) == int(m[1])), None), e.__cause__ or e)
print(json.dumps(fails))
sys.exit(1 if fails else 0)
"""

def check(fn, cwd, timeout, all_cells=False):
    "Run nbdev's docs processors on notebook `fn` in a child process; return (ok, failures)."
    try: r = subprocess.run([sys.executable, '-c', CHILD, str(fn), 'all' if all_cells else 'first'], cwd=cwd,
                            capture_output=True, text=True, env={**os.environ, 'IN_TEST': '1', 'MPLBACKEND': 'Agg'},
                            timeout=timeout)
    except subprocess.TimeoutExpired: return False, [dict(cell=None, error=f'timed out after {timeout}s', source='')]
    try: fails = json.loads(r.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):   # the child itself crashed
        fails = [dict(cell=None, error=(r.stderr.strip().splitlines() or ['?'])[-1], source=r.stderr[-3000:])]
    return r.returncode == 0 and not fails, fails

def main():
    from nbdev.config import get_config
    from nbdev.doclinks import nbglob
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('paths', nargs='*', help='notebooks or folders (default: the nbs folder)')
    p.add_argument('--cwd', choices=['root', 'nbs'], default='root',
                   help="working folder: the repository root (as nbdev-docs) or the notebook's folder")
    p.add_argument('--n_workers', type=int, default=1)
    p.add_argument('--timeout', type=int, default=900, help='seconds per notebook')
    p.add_argument('--all', action='store_true', help='go on after a failing cell and report every one (nbdev stops)')
    p.add_argument('--verbose', action='store_true', help='also print the source of each failing cell')
    a = p.parse_args()
    cfg = get_config()
    files = []
    for path in (a.paths or [cfg.nbs_path]):
        path = Path(path)
        files += [path.absolute()] if path.is_file() else [Path(f).absolute() for f in nbglob(path, as_path=True)]
    files = sorted(set(files))
    cwd = lambda f: cfg.config_path if a.cwd == 'root' else f.parent
    with ThreadPoolExecutor(a.n_workers) as ex:
        res = list(ex.map(lambda f: check(f, cwd(f), a.timeout, a.all), files))
    for f, (ok, fails) in zip(files, res):
        msgs = [f"cell {d['cell']}: {(d['error'].strip().splitlines() or ['?'])[-1]}" for d in fails]
        print(f"{'ok  ' if ok else 'FAIL'} {os.path.relpath(f, cfg.config_path)}" + ('' if ok else '  ' + '; '.join(msgs)))
        if a.verbose:
            for d in fails: print(f"    --- cell {d['cell']}\n    " + d['source'].replace('\n', '\n    '))
    nfail = sum(not ok for ok, *_ in res)
    print(f'{len(files) - nfail} ok, {nfail} failed')
    return 1 if nfail else 0

if __name__ == '__main__': sys.exit(main())
