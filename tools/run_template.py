"""Run a benchmark template's code cells in this Python process, without papermill or a Jupyter kernel.

For machines that have PyTorch but not the notebook stack (a lent GPU machine): the parameter cell's defaults, then
`-p name value` overrides (typed as for `stnb-bench`: `stnb.bench.parse_value`), then every later code cell in order, in one namespace, with matplotlib
drawing to files only. Each cell's wall time goes to stderr; the first failing cell stops the run with its traceback
and exit status 1. `stnb-bench` (papermill) stays the way to run templates where Jupyter is installed.

    python tools/run_template.py nbs/bench/consep.ipynb -p epochs 50 -p arch resnet34 -p out_dir runs/x
"""
import argparse, json, sys, time, traceback
from pathlib import Path


def code_cells(nb_path):
    "The template's parameter-cell source and the sources of the code cells after it."
    nb = json.loads(Path(nb_path).read_text())
    cells = [c for c in nb['cells'] if c['cell_type'] == 'code']
    src = lambda c: ''.join(c['source'])
    i = next((j for j, c in enumerate(cells) if 'parameters' in c.get('metadata', {}).get('tags', [])), None)
    if i is None: sys.exit(f'{nb_path}: no code cell tagged "parameters"')
    return src(cells[i]), [src(c) for c in cells[i + 1:]]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('template'); ap.add_argument('-p', nargs=2, action='append', default=[], metavar=('NAME', 'VALUE'))
    a = ap.parse_args(argv)
    from stnb.bench import parse_value
    import matplotlib; matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    plt.show = lambda *args, **kw: plt.close('all')
    params, cells = code_cells(a.template)
    ns = {'__name__': '__main__'}
    exec(compile(params, f'{a.template}[parameters]', 'exec'), ns)
    for k, v in a.p:
        if k not in ns: sys.exit(f'{a.template}: no parameter {k!r} (parameters: {", ".join(n for n in ns if not n.startswith("__"))})')
        ns[k] = parse_value(k, v, ns[k])
    for j, c in enumerate(cells):
        if c.lstrip().startswith('%'): continue                # IPython magics have no meaning here
        t0 = time.time()
        try: exec(compile(c, f'{a.template}[cell {j + 1}]', 'exec'), ns)
        except Exception:
            traceback.print_exc(); print(f'[run_template] cell {j + 1} failed after {time.time() - t0:.1f} s', file=sys.stderr); return 1
        print(f'[run_template] cell {j + 1}/{len(cells)}: {time.time() - t0:.1f} s', file=sys.stderr, flush=True)
    return 0


if __name__ == '__main__': sys.exit(main())
