"""Offline HTML build of the docs, without Quarto (developer aid, not part of the library).

Reads the sidebar (and `render` list) of `nbs/_quarto.yml`, exports every notebook it names to HTML with
nbconvert into `_docs/` (git-ignored), and puts the same sidebar (Home, Tutorials, API, Experiments) on
every page; `index.html` is the home page (`nbs/index.ipynb`). Cells marked `#| hide` (or
`#| include: false`) are left out and `#| ...` directive lines are stripped, as nbdev's Quarto build does;
links to `.ipynb` files become links to the `.html` pages. The folder is replaced only when the whole
build succeeds. Users with Quarto get the full site from `nbdev-docs` instead.
Usage: python tools/build_docs.py [--nbs nbs] [--dest _docs] [--quiet]
"""
import argparse, html, os, re, sys
from pathlib import Path
import nbformat, yaml

HERE = Path(__file__).resolve().parent.parent
DIRECTIVE = re.compile(r'^\s*#\|\s*(.*?)\s*$')
HIDE = {'hide', 'include: false', 'default_exp', 'exporti'}
CSS = """
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.5;color:#222}
nav.stnb-sidebar{position:fixed;top:0;left:0;bottom:0;width:15rem;overflow-y:auto;padding:1rem;background:#f6f7f9;border-right:1px solid #ddd}
nav.stnb-sidebar h2{font-size:1.1rem;margin:.2rem 0 1rem} nav.stnb-sidebar h3{font-size:.8rem;text-transform:uppercase;color:#666;margin:1rem 0 .3rem}
nav.stnb-sidebar ul{list-style:none;padding:0;margin:0} nav.stnb-sidebar li{margin:.15rem 0}
nav.stnb-sidebar a{text-decoration:none;color:#2c5aa0} nav.stnb-sidebar a.active{font-weight:bold;color:#111}
main.stnb-main{margin-left:17rem;padding:1rem 2rem;max-width:60rem}
pre{background:#f5f5f5;padding:.5rem;overflow-x:auto} div.output_area pre{background:#fff;border-left:3px solid #ddd}
img{max-width:100%} table{border-collapse:collapse} td,th{border:1px solid #ddd;padding:.2rem .5rem}
"""

def _expand(nbs, pat):
    "Notebooks under `nbs` matched by one quarto content entry (a file, a glob, or a dict with href/file)."
    if isinstance(pat, dict): pat = pat.get('href') or pat.get('file') or ''
    return [p for p in sorted(nbs.glob(pat)) if p.suffix == '.ipynb' and not p.name.startswith(('_', '.'))
            and '.ipynb_checkpoints' not in p.parts]

def sidebar(nbs):
    "[(section title or None, [notebook paths])] from the sidebar of `nbs/_quarto.yml`, each notebook once."
    cfg = yaml.safe_load((Path(nbs)/'_quarto.yml').read_text())
    contents = (cfg.get('website', {}).get('sidebar', {}) or {}).get('contents', []) or []
    seen, out = set(), []
    def add(title, pats):
        pats = pats if isinstance(pats, list) else [pats]
        ps = [p for pat in pats for p in (_expand(nbs, pat) if not (isinstance(pat, dict) and 'section' in pat)
                                         else []) if not (p in seen or seen.add(p))]
        out.append((title, ps))
        for pat in pats:   # nested sections
            if isinstance(pat, dict) and 'section' in pat: add(pat['section'], pat.get('contents', []))
    for entry in contents:
        if isinstance(entry, dict) and 'section' in entry: add(entry['section'], entry.get('contents', []))
        else: add(None, entry)
    rest = [p for pat in (cfg.get('project', {}).get('render') or []) for p in _expand(nbs, pat) if p not in seen]
    if rest: add('Other', sorted(set(rest)))
    return [(t, ps) for t, ps in out if ps]

def title(nb, default):
    "The first `# Title` heading of a notebook."
    for c in nb.cells:
        if c.cell_type == 'markdown':
            m = re.search(r'^#\s+(.+)$', c.source, re.M)
            if m: return m.group(1).strip()
    return default

def clean(nb):
    "Drop hidden cells and strip `#|` directive lines, as nbdev's docs build does."
    cells = []
    for c in nb.cells:
        if c.cell_type == 'code':
            lines = c.source.splitlines()
            dirs = [m.group(1) for l in lines if (m := DIRECTIVE.match(l))]
            if any(d.split()[0] in HIDE or d in HIDE for d in dirs if d): continue
            c.source = '\n'.join(l for l in lines if not DIRECTIVE.match(l)).strip('\n')
            if not c.source and not c.get('outputs'): continue
        cells.append(c)
    nb.cells = cells
    return nb

def _html_name(nb_path, nbs): return Path(nb_path).relative_to(nbs).with_suffix('.html')

def _nav(sections, titles, here, nbs, project):
    rel = lambda p: Path(os.path.relpath(_html_name(p, nbs), _html_name(here, nbs).parent if here else Path('.'))).as_posix()
    home = Path(os.path.relpath('index.html', _html_name(here, nbs).parent if here else Path('.'))).as_posix()
    out = [f'<nav class="stnb-sidebar"><h2><a href="{home}">{html.escape(project)}</a></h2>']
    for sec, ps in sections:
        if sec: out.append(f'<h3>{html.escape(sec)}</h3>')
        out.append('<ul>' + ''.join(f'<li><a href="{rel(p)}"{" class=active" if p == here else ""}>'
                                    f'{html.escape(titles[p])}</a></li>' for p in ps) + '</ul>')
    return ''.join(out) + '</nav>'

def _fix_links(body):
    "Relative links to notebooks point at their HTML pages."
    return re.sub(r'href="(?!https?:|mailto:|#)([^"#]+?)\.ipynb(#[^"]*)?"', lambda m: f'href="{m.group(1)}.html{m.group(2) or ""}"', body)

def page(body, nav, name, css_href):
    return (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{html.escape(name)}</title>'
            f'<link rel="stylesheet" href="{css_href}"></head>\n<body>{nav}<main class="stnb-main">\n{body}\n</main></body></html>\n')

def build_docs(nbs=None, dest=None, quiet=False, project='stnb'):
    "Export the notebooks named by `nbs/_quarto.yml` to HTML pages with a shared sidebar in `dest`; return the pages."
    from nbconvert import HTMLExporter
    from pygments.formatters import HtmlFormatter
    from stnb.core import atomic_dir
    nbs = Path(nbs or HERE/'nbs').resolve(); dest = Path(dest or HERE/'_docs')
    sections = sidebar(nbs)
    nb_paths = [p for _, ps in sections for p in ps]
    if not nb_paths: raise SystemExit(f'no notebooks listed in {nbs/"_quarto.yml"}')
    books = {p: nbformat.read(p, as_version=4) for p in nb_paths}
    titles = {p: title(nb, p.stem) for p, nb in books.items()}
    exp = HTMLExporter(template_name='basic')
    written = []
    with atomic_dir(dest, overwrite=True) as tmp:
        (tmp/'stnb-docs.css').write_text(CSS + HtmlFormatter().get_style_defs('.highlight'))
        for p, nb in books.items():
            body, _ = exp.from_notebook_node(clean(nb))
            name = _html_name(p, nbs); f = tmp/name
            f.parent.mkdir(parents=True, exist_ok=True)
            css = Path(os.path.relpath('stnb-docs.css', name.parent)).as_posix()
            f.write_text(page(_fix_links(body), _nav(sections, titles, p, nbs, project), titles[p], css))
            written.append(dest/name)
            if not quiet: print(f'{p.relative_to(nbs)} -> {dest/name}')
        if not (tmp/'index.html').exists():   # no nbs/index.ipynb: a home page that is just the sidebar
            (tmp/'index.html').write_text(page(f'<h1>{html.escape(project)}</h1>', _nav(sections, titles, None, nbs, project),
                                               project, 'stnb-docs.css'))
            written.append(dest/'index.html')
    if not quiet: print(f'wrote {len(written)} pages to {dest}')
    return written

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--nbs', default=None, help='notebook folder holding _quarto.yml (default: nbs)')
    ap.add_argument('--dest', default=None, help='output folder (default: _docs)')
    ap.add_argument('--quiet', action='store_true', help='print only errors')
    a = ap.parse_args()
    build_docs(a.nbs, a.dest, a.quiet)
