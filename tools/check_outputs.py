"""Saved notebook outputs that should not be published: warnings on stderr and local absolute paths.

A notebook's saved outputs are part of the docs (tools/build_docs.py, nbdev-docs). A warning printed to
stderr (`TqdmWarning: IProgress not found`, a `FutureWarning`) says the demo is noisy or out of date, and an
absolute path (`/work/main/.venv/...`, `/tmp/tmpab12/run`) shows one machine's folders and is different on
every run. This lists every code-cell output under the given notebooks or folders (default: nbs/, with
nbs/bench/ and nbs/tutorials/) that has
- a stderr stream containing "warning" (any case), or
- any text (stream, text/plain, text/html, text/markdown, traceback) containing a local absolute path
  (/work/, /tmp/, /root/, /home/, /Users/, /var/folders/);
one line each: `file  cell N  kind  snippet`. It only reports: fix the notebook (re-run it, or make the cell
print a relative path) and run `nbdev-clean`. Exit status 1 when something is listed, 0 otherwise.
Usage: python tools/check_outputs.py [PATH ...]
"""
import argparse, json, re, sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
LOCAL = re.compile(r'(?:(?<![\w./-])|(?<=file://))/(?:work|tmp|root|home|Users|var/folders)/[^\s\'"<>)\]]*')   # also file:///tmp/... URLs
WARNING = re.compile(r'warning', re.I)
TEXT_MIMES = ('text/plain', 'text/html', 'text/markdown', 'text/latex', 'application/json')

def _text(v): return v if isinstance(v, str) else ''.join(v) if isinstance(v, list) else json.dumps(v)

def _texts(out):
    "(kind, text) of every text a cell output holds."
    t = out.get('output_type')
    if t == 'stream': yield out.get('name', 'stream'), _text(out.get('text', ''))
    elif t in ('execute_result', 'display_data'):
        for m in TEXT_MIMES:
            if m in out.get('data', {}): yield m, _text(out['data'][m])
    elif t == 'error': yield 'error', '\n'.join(_text(out.get('traceback', [])))

def _snippet(text, m, width=110):
    "The line of `text` holding match `m`, cut to about `width` characters around the match."
    a, b = text.rfind('\n', 0, m.start()) + 1, text.find('\n', m.end()); line = text[a:b if b >= 0 else None]
    i = m.start() - a; lo = max(0, min(i - 30, len(line) - width))
    return ('...' if lo else '') + line[lo:lo + width].strip() + ('...' if lo + width < len(line) else '')

def offenders(nb_path):
    "[(cell index, kind, snippet)] of the outputs of one notebook that hold a stderr warning or a local path."
    nb = json.loads(Path(nb_path).read_text(encoding='utf-8'))
    res = []
    for i, c in enumerate(nb.get('cells', [])):
        for o in c.get('outputs', []) if c.get('cell_type') == 'code' else []:
            for kind, text in _texts(o):
                if kind == 'stderr' and (m := WARNING.search(text)): res.append((i, 'stderr warning', _snippet(text, m)))
                elif (m := LOCAL.search(text)): res.append((i, f'{kind} local path', _snippet(text, m)))
    return res

def notebooks(paths):
    "The notebooks under `paths` (files or folders), checkpoints and `_proc` left out."
    out = []
    for p in map(Path, paths):
        fs = [p] if p.is_file() else sorted(p.rglob('*.ipynb'))
        out += [f for f in fs if not {'.ipynb_checkpoints', '_proc'} & set(f.parts)]
    return out

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('paths', nargs='*', default=[str(HERE/'nbs')], help='notebooks or folders (default: nbs)')
    a = ap.parse_args(argv)
    n = 0
    for f in notebooks(a.paths):
        for i, kind, snip in offenders(f):
            rel = f.resolve().relative_to(HERE) if f.resolve().is_relative_to(HERE) else f
            print(f'{rel}  cell {i}  {kind}  {snip}'); n += 1
    print(f'{n} output(s) with a warning or a local path' if n else 'no warnings or local paths in saved outputs', file=sys.stderr)
    return 1 if n else 0

if __name__ == '__main__': sys.exit(main())
