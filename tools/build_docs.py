"""Offline HTML build of the docs, without Quarto (developer aid, not part of the library).

`nbdev-docs` runs nbdev's docs processors on the notebooks (into `_proc/`) and hands the result to Quarto.
This script runs the same processors (`nbdev.processors.FilterDefaults`) on every notebook that the
sidebar (and `render` list) of `nbs/_quarto.yml` names, converts the processed notebooks to HTML with
nbconvert into `_docs/` (git-ignored), and puts the sidebar of `_quarto.yml` (Home, Tutorials, API,
Experiments) on every page. So the pages read like nbdev's site:

- each exported function or class appears as nbdev's `show_doc` entry (heading, `source` link to the
  line on GitHub, signature, docstring and a table of the docments-commented parameters) instead of
  its code; `#| hide` and `#| export` cells are left out; `# Title` and `> summary` become the page
  title and description; backticked stnb names link to their entries;
- no `In [ ]:`/`Out[ ]:` prompts; the Quarto options the processors leave are honoured (`echo: false`,
  `output: false`, `output: asis`, `include: false`, `code-fold`) and Quarto markup is converted
  (`::: {.callout-note}` and other fenced divs, `[text](url){attrs}` links, `[text]{.class}` spans,
  heading attributes);
- a table of contents per page from its `##`/`###` headings, with pandoc's heading ids;
- pages are named as Quarto names them (frontmatter `output-file`: `00_core.ipynb` -> `core.html`), so
  nbdev's links to `<Documentation url>/core.html#check_param` become relative links within `_docs/`.

Where this differs from nbdev-docs, and why:
- the CLI `nbdev-proc-nbs` installs Quarto first (it tries `sudo`) and rewrites `nbs/nbdev.yml`;
  `nbdev.serve.proc_nbs` needs no Quarto but always writes `<repo>/_proc/` and stops at the first
  notebook that fails. We run the same processor list per notebook in child processes (the repository
  root as working folder, as nbdev does) into a temporary folder, and report every failing notebook;
  `--proc DIR` keeps the processed notebooks and re-processes only those older than their notebook (or
  than this script or pyproject.toml), nbdev's rule for `_proc/` (links to other modules' names can go
  stale that way: build without `--proc` before publishing).
- nbdev's `exec_show_docs` executes every cell that imports anything, so a test cell that also uses
  earlier results fails (nbdev's FAQ asks for imports in cells of their own); ours executes the
  exported cells, the `show_doc` cells and, of any other cell, only its top-level import statements.
- fastcore 2.2 renders the signature as a commented code block; we show the signature and a
  parameter table (Type, Default, Details), the layout of nbdev 2 sites such as docs.fast.ai.
- source links use the live `[project.urls]` of pyproject.toml (`Repository`; `Documentation` for the
  hosted pages), not the copy in `stnb/_modidx.py`, which is refreshed only by `nbdev-export`.
The folder is replaced only when the whole build succeeds. Users with Quarto get the full site from
`nbdev-docs` instead.

`nbdev-docs` (with Quarto) is stricter than this script: before Quarto runs, nbdev's `exec_show_docs`
executes, in one fresh shell, every exported cell, every `show_doc` cell and every cell with an import
statement anywhere in it (also inside `if`, `with` or `def`), and stops the whole build at the first
error. A test or demo cell that imports something and uses names of cells nbdev does not run fails there
with a NameError. So the notebooks keep their imports in cells of their own (the hidden import cell at
the top, or a small import cell right before the cell that needs it). `python tools/check_docs_exec.py`
runs nbdev's own processors on each notebook and names every notebook that would stop `nbdev-docs`.

Usage:
  python tools/build_docs.py [--nbs nbs] [--dest _docs] [--n_workers 2] [--proc _proc] [--quiet]   # build _docs/
  python tools/screenshot_docs.py [OUT]     # then PNG screenshots of a few pages in headless Chromium
"""
import argparse, ast, html, os, re, subprocess, sys, tempfile
from pathlib import Path
import nbformat, yaml

HERE = Path(__file__).resolve().parent.parent
DIRECTIVE = re.compile(r'^\s*#\|\s*(.*?)\s*$')
CSS = """
body{margin:0;font-family:"Source Sans Pro",system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
  font-size:17px;line-height:1.5;color:#373a3c;background:#fff}
a{color:#2780e3;text-decoration:none} a:hover{text-decoration:underline}
nav.stnb-sidebar{position:fixed;top:0;left:0;bottom:0;width:15rem;overflow-y:auto;padding:1rem 1.2rem;box-sizing:border-box;
  background:#f7f7f7;border-right:1px solid #e4e4e4;font-size:.9rem}
nav.stnb-sidebar h2{font-size:1.25rem;margin:.2rem 0 1rem} nav.stnb-sidebar h2 a{color:#373a3c}
nav.stnb-sidebar h3{font-size:.75rem;text-transform:uppercase;letter-spacing:.04em;color:#6c757d;margin:1.1rem 0 .3rem}
nav.stnb-sidebar ul{list-style:none;padding:0;margin:0} nav.stnb-sidebar li{margin:.2rem 0}
nav.stnb-sidebar a{color:#495057} nav.stnb-sidebar a.active{font-weight:600;color:#2780e3}
nav.stnb-toc{position:fixed;top:0;right:0;width:14rem;max-height:100vh;overflow-y:auto;padding:1.5rem 1rem;box-sizing:border-box;font-size:.82rem}
nav.stnb-toc h2{font-size:.85rem;font-weight:600;margin:0 0 .4rem} nav.stnb-toc ul{list-style:none;padding-left:0;margin:0;border-left:1px solid #e4e4e4}
nav.stnb-toc ul ul{border:0;padding-left:.8rem} nav.stnb-toc li{margin:.15rem 0} nav.stnb-toc a{color:#6c757d;padding-left:.6rem;display:block}
main.stnb-main{margin-left:15rem;margin-right:14rem;padding:1.5rem 2.5rem 4rem;max-width:56rem}
@media (max-width:1100px){nav.stnb-toc{display:none} main.stnb-main{margin-right:0}}
header.stnb-title h1{font-size:2.4rem;font-weight:400;margin:.5rem 0 .3rem}
h1,h2,h3,h4{font-weight:500;line-height:1.2} h2{font-size:1.7rem;margin-top:2.2rem;padding-bottom:.3rem;border-bottom:1px solid #e4e4e4}
h3{font-size:1.3rem;margin-top:1.6rem} a.anchor-link{visibility:hidden;margin-left:.3rem;color:#aaa} h2:hover a.anchor-link,h3:hover a.anchor-link{visibility:visible}
hr{border:0;border-top:1px solid #dee2e6;margin:2rem 0 .6rem}
code,pre{font-family:SFMono-Regular,Menlo,Monaco,Consolas,"Liberation Mono","Courier New",monospace;font-size:.85em}
:not(pre)>code{color:#9753b8;background:#f8f8f8;padding:.1em .25em;border-radius:3px} main a code{color:#2780e3}
pre{white-space:pre-wrap;word-break:break-word;margin:0}
.highlight{background:#f5f5f5;border-radius:4px;padding:.5rem .8rem;margin:.5rem 0;overflow-x:auto}
div.cell{margin:.9rem 0} div.output_wrapper{margin-top:.3rem}
div.output_subarea{overflow-x:auto} div.output_subarea>pre{margin-left:.8rem;padding:.3rem .6rem;border-left:2px solid lightsalmon;background:none}
div.output_stderr>pre{border-left-color:#d9534f;background:#fdf3f2} div.output_png img,div.output_jpeg img{max-width:100%;height:auto}
img{max-width:100%} table{border-collapse:collapse;margin:.6rem 0;font-size:.9rem}
td,th{border-bottom:1px solid #dee2e6;padding:.3rem .6rem;text-align:left;vertical-align:top} thead th{border-bottom:2px solid #adb5bd}
table.dataframe{font-size:.8rem;border:0} table.dataframe td,table.dataframe th{text-align:right;border:0;border-bottom:1px solid #dee2e6}
table.dataframe thead th{border-bottom:1px solid #adb5bd}
a.source-link{float:right;font-size:smaller}
details.code-fold summary{cursor:pointer;color:#6c757d;font-size:.9rem}
div.callout{border-left:5px solid #2780e3;background:#f3f8fd;border-radius:4px;padding:.4rem 1rem;margin:1rem 0}
div.callout-title{font-weight:600;margin:.2rem 0} div.callout-warning{border-color:#ff7518;background:#fff6ef}
div.callout-important{border-color:#d9534f;background:#fdf3f2} div.callout-tip{border-color:#3fb618;background:#f3fbf1}
div.callout-caution{border-color:#f0ad4e;background:#fef9f1}
div.description{font-style:italic;font-size:120%;opacity:75%;margin-bottom:1.5rem}
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

# ---------------------------------------------------------------- nbdev's processors, in child processes
_PROC_WORKER = '--proc-worker'

def _table_markdown(self):
    "nbdev's show_doc (rule, source link, heading), then the signature and a docments table as nbdev 2 showed them."
    from fastcore.docments import DocmentText, _fmt_default, _type_str, _ital_first
    from nbdev.doclinks import NbdevLookup
    from inspect import Parameter
    md = '---\n\n'
    src = NbdevLookup().code(self.fn)
    if src and src.startswith('http'): md += f'[source]({src}){{target="_blank" .source-link}}\n\n'   # none without a Repository url
    nm = self.nm.replace('_', r'\_')   # `TileStore.__getitem__` is a name, not bold text
    md += f"{'#' * self.title_level} {nm}\n\n"
    dm = self.dm
    if not isinstance(dm, DocmentText): return md + f'```python\n{dm}\n```\n\n' + (_ital_first(self.docs) if self.docs else '')
    ret = dm.dm.get('return', {})
    anno = ret.get('anno', Parameter.empty)
    sig = f"{self.nm}({', '.join(p for p, _ in dm.params)})" + (f' -> {_type_str(anno)}' if anno is not Parameter.empty else '')
    md += f'```python\n{sig}\n```\n\n'
    if self.docs: md += _ital_first(self.docs) + '\n\n'
    rows = [(k, v) for k, v in dm.dm.items() if k != 'return']
    if any(v.get('docment') for _, v in dm.dm.items()):
        cell = lambda s: str(s).replace('|', '\\|').replace('\n', ' ')
        star = {Parameter.VAR_POSITIONAL: '*', Parameter.VAR_KEYWORD: '**'}
        md += '| | **Type** | **Default** | **Details** |\n| -- | -- | -- | -- |\n'
        for k, v in rows:
            a = v.get('anno', Parameter.empty)
            md += (f"| {cell(star.get(v.get('kind'), '') + k)} | {cell(_type_str(a)) if a is not Parameter.empty else ''} | "
                   f"{cell(_fmt_default(v.get('default', Parameter.empty)))} | {cell(v.get('docment') or '')} |\n")
        if anno is not Parameter.empty or ret.get('docment'):
            md += f"| **Returns** | **{cell(_type_str(anno)) if anno is not Parameter.empty else ''}** | | {cell(ret.get('docment') or '')} |\n"
    return md

def _defs_source(cell):
    "What the docs build executes of `cell`: all of it (exported, show_doc), only its imports, or None."
    from nbdev.processors import cell_lang, _show_docs
    if cell.cell_type != 'code' or cell_lang(cell) != 'python' or not cell.source: return None
    if str(cell.directives_.get('eval', '')).lower() == 'false': return None
    try: trees = cell.parsed_()
    except Exception: return None
    if not trees: return None
    if cell.directives_.keys() & {'export', 'exports', 'exporti', 'exec_doc'} or _show_docs(trees): return cell.source
    imps = [t for t in trees if isinstance(t, (ast.Import, ast.ImportFrom))]
    return '\n'.join(ast.unparse(t) for t in imps) or None

def _proc_worker(out, nbs, paths):
    "Run nbdev's docs processors on notebooks `paths` (under `nbs`) and write them under `out`; exit 1 naming every failure."
    os.environ['IN_TEST'] = '1'   # as nbdev.serve_drv does: notebooks can skip work while being documented
    from fastcore.nbio import read_nb, write_nb
    import nbdev.doclinks, nbdev.showdoc
    from nbdev.config import get_config
    from nbdev.processors import FilterDefaults, exec_show_docs
    cfg = get_config()
    live = {'git_url': cfg.git_url, 'branch': cfg.branch, 'doc_host': cfg.doc_host, 'doc_baseurl': cfg.doc_baseurl}
    qual = nbdev.doclinks._qual_syms
    nbdev.doclinks._qual_syms = lambda e: qual({**e, 'settings': {**e.get('settings', {}), **live}}) \
        if e.get('settings', {}).get('lib_path') == cfg.d.get('lib_path') else qual(e)   # our own symbols: live URLs
    nbdev.showdoc.BasicMarkdownRenderer._repr_markdown_ = _table_markdown

    class exec_defs(exec_show_docs):
        "nbdev's `exec_show_docs`, except that a cell mixing imports with other code runs only its imports."
        def __call__(self, cell):
            if not self.nb.has_docs_ or not hasattr(self, 'k'): return
            if str((getattr(self.nb, 'frontmatter_', {}) or {}).get('skip_showdoc', False)).lower() == 'true': return
            src = _defs_source(cell)
            if src is None: return
            if src == cell.source: self.k.cell(cell)
            else: self.k.run(src)
            if self.k.exc: raise Exception(f'cell {cell.idx_}:\n{src}\n{type(self.k.exc).__name__}: {self.k.exc}') from self.k.exc

    class Filter(FilterDefaults):
        def base_procs(self): return [exec_defs if p is exec_show_docs else p for p in super().base_procs()]

    failed = []
    for p in map(Path, paths):
        try:
            nb = read_nb(p); Filter()(nb)
            dst = Path(out)/p.relative_to(nbs); dst.parent.mkdir(parents=True, exist_ok=True)
            tmp = dst.with_name(f'.tmp-{dst.name}'); write_nb(nb, tmp); os.replace(tmp, dst)   # never half a notebook
        except Exception as e: failed.append(f'{p}: {type(e).__name__}: {e}')
    if failed: print('\n\n'.join(f'docs processing failed for {f}' for f in failed), file=sys.stderr); sys.exit(1)

def process(nb_paths, nbs, out, n_workers=2):
    """Processed copies of `nb_paths` (nbdev's docs processors) under `out`, same relative paths; `n_workers` child processes.
    A copy newer than its notebook, this script and pyproject.toml is kept (nbdev's rule for `_proc/`)."""
    out, nbs = Path(out), Path(nbs)
    dst = {p: out/Path(p).relative_to(nbs) for p in nb_paths}
    newest = lambda p: max(Path(p).stat().st_mtime, Path(__file__).stat().st_mtime, (HERE/'pyproject.toml').stat().st_mtime)
    todo = sorted((p for p in nb_paths if not (dst[p].is_file() and dst[p].stat().st_mtime > newest(p))),
                  key=lambda p: -Path(p).stat().st_size)   # biggest first: balanced workers
    groups = [g for g in (todo[i::max(1, n_workers)] for i in range(max(1, n_workers))) if g]
    procs = [subprocess.Popen([sys.executable, __file__, _PROC_WORKER, str(out), str(nbs), *map(str, g)], cwd=HERE,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for g in groups]
    errs = [(p, p.communicate()[1]) for p in procs]
    bad = [e.strip() for p, e in errs if p.returncode]
    if bad: raise SystemExit('\n'.join(e[e.find('docs processing failed'):] if 'docs processing failed' in e else e[-3000:] for e in bad))
    return dst

# ---------------------------------------------------------------- Quarto markup and options -> HTML
_FM = re.compile(r'^---\s*\n(.*?)\n---\s*$', re.S)
_ATTR = re.compile(r'(\.[\w-]+)|(#[\w.:-]+)|([\w-]+)=("[^"]*"|\S+)')

def _attrs(s):
    "Pandoc attributes `{.a .b #id key=\"v\"}` -> (classes, id, {key: value})."
    cls, ident, kv = [], None, {}
    for c, i, k, v in _ATTR.findall(s):
        if c: cls.append(c[1:])
        elif i: ident = i[1:]
        elif k: kv[k] = v.strip('"')
    return cls, ident, kv

def _html_attrs(cls, ident, kv):
    out = (f' id="{html.escape(ident)}"' if ident else '') + (f' class="{html.escape(" ".join(cls))}"' if cls else '')
    return out + ''.join(f' {k}="{html.escape(v)}"' for k, v in kv.items())

_CALLOUT_TITLES = dict(note='Note', tip='Tip', warning='Warning', important='Important', caution='Caution')
_DIV = re.compile(r'^\s*:{3,}\s*(?:\{([^}]*)\}|([\w-]+))?\s*:*\s*$')

def quarto_md(src):
    "Quarto/pandoc markdown -> markdown with HTML for what nbconvert's renderer lacks (fenced divs, callouts, attributes)."
    out, depth, in_code = [], 0, False
    for line in src.splitlines():
        if re.match(r'^\s*(```|~~~)', line): in_code = not in_code
        m = None if in_code else _DIV.match(line)
        if m and (m.group(1) is not None or m.group(2)):   # opening fence
            cls, ident, kv = _attrs(m.group(1) or '.' + m.group(2))
            depth += 1
            co = next((c for c in cls if c.startswith('callout-')), None)
            head = ''
            if co:
                cls = ['callout'] + cls
                head = f'<div class="callout-title">{html.escape(kv.pop("title", _CALLOUT_TITLES.get(co[8:], co[8:].title())))}</div>'
                kv = {k: v for k, v in kv.items() if k not in ('collapse', 'appearance', 'icon')}
            out += ['', f'<div{_html_attrs(cls, ident, kv)}>{head}', '']
        elif m and depth:                                  # closing fence
            depth -= 1; out += ['', '</div>', '']
        elif not in_code:
            line = re.sub(r'^(#{1,6}\s+.*?)\s*\{[^}]*\}\s*$', r'\1', line)                  # heading attributes
            line = re.sub(r'\[([^\]]+)\]\(([^)\s]+)\)\{([^}]*)\}',                           # link attributes
                          lambda m: f'<a href="{html.escape(m.group(2))}"{_html_attrs(*_attrs(m.group(3)))}>{m.group(1)}</a>', line)
            line = re.sub(r'(?<!!)\[([^\]]+)\]\{([^}]*)\}',                                   # bracketed spans
                          lambda m: f'<span{_html_attrs(*_attrs(m.group(2)))}>{m.group(1)}</span>', line)
            out.append(line)
        else: out.append(line)
    return '\n'.join(out + ['', '</div>'] * depth)

def _opts(cell):
    "Quarto cell options (the `#| key: value` lines opening a code cell) and the cell's source without them."
    opts, lines = {}, cell.source.splitlines()
    while lines and (m := DIRECTIVE.match(lines[0])):
        k, _, v = m.group(1).partition(':'); opts[k.strip()] = v.strip().strip('"\'')
        lines.pop(0)
    return opts, '\n'.join(lines).strip('\n')

def _md_outputs(cell):
    return ''.join(''.join(o.get('data', {}).get('text/markdown', '')) if o.get('output_type') != 'stream' else o.get('text', '')
                   for o in cell.get('outputs', []))

def frontmatter(nb):
    "The frontmatter nbdev's processors put in the first raw cell (title, description, output-file), or {}."
    c = nb.cells[0] if nb.cells else None
    m = _FM.match(c.source.strip()) if c is not None and c.cell_type == 'raw' else None
    return (yaml.safe_load(m.group(1)) or {}) if m else {}

_CELL_KEYS = {'id', 'cell_type', 'metadata', 'source', 'outputs', 'execution_count', 'attachments'}

def prepare(nb):
    "A processed notebook -> the cells to show: Quarto options applied, Quarto markup converted, frontmatter out."
    cells = []
    for c in nb.cells:
        for k in set(c) - _CELL_KEYS: del c[k]   # nbdev's marks (`has_sd`) are not nbformat,
        c.get('metadata', {}).pop('execution', None)   # nor is the float timing execnb records for cells it ran
        if c.cell_type == 'raw' and _FM.match(c.source.strip()): continue
        if c.cell_type == 'markdown':
            if c.source.strip().startswith('<!-- WARNING: THIS FILE WAS AUTOGENERATED'): continue
            c.source = quarto_md(c.source)
        elif c.cell_type == 'code':
            opts, c.source = _opts(c)
            if opts.get('include') == 'false' or opts.keys() & {'hide', 'default_exp', 'exporti', 'export'}: continue
            if opts.get('output') == 'false': c.outputs = []
            if opts.get('output') == 'asis':   # the outputs are markdown of the page (show_doc)
                md = nbformat.v4.new_markdown_cell(quarto_md(_md_outputs(c)))
                c.outputs = []
                if opts.get('echo') != 'false' and c.source: cells.append(c)
                cells.append(md); continue
            if opts.get('echo') == 'false': c.metadata.setdefault('transient', {})['remove_source'] = True
            if 'code-fold' in opts and c.source:
                summ = html.escape(opts.get('code-summary', 'Code'))
                cells.append(nbformat.v4.new_markdown_cell(
                    f'<details class="code-fold"{" open" if opts["code-fold"] == "show" else ""}><summary>{summ}</summary>\n\n'
                    f'```python\n{c.source}\n```\n\n</details>'))
                if not c.get('outputs'): continue
                c.metadata.setdefault('transient', {})['remove_source'] = True
            if not c.source and not c.get('outputs'): continue
        cells.append(c)
    nb.cells = cells
    return nb

# ---------------------------------------------------------------- pages
def pandoc_id(text, seen):
    "Pandoc's auto identifier for a heading `text` (lower case, punctuation but `_-.` dropped, spaces -> `-`), unique in `seen`."
    s = re.sub(r'[^\w\s.-]', '', html.unescape(re.sub(r'<[^>]+>', '', text)).strip().lower())
    s = re.sub(r'\s+', '-', s); s = re.sub(r'^[^a-z]+', '', s) or 'section'
    base, i = s, 0
    while s in seen: i += 1; s = f'{base}-{i}'
    seen.add(s)
    return s

_HEAD = re.compile(r'<h([1-6])(?:\s+id="([^"]*)")?>(.*?)</h\1>', re.S)

def headings(body):
    "Give every heading pandoc's id (nbdev's anchors, e.g. `#check_param`) and return (body, [(level, id, text)])."
    seen, toc, ren = set(), [], {}
    def sub(m):
        inner = re.sub(r'<a class="anchor-link"[^>]*>.*?</a>', '', m.group(3), flags=re.S)
        i = pandoc_id(inner, seen)
        if m.group(2): ren[m.group(2)] = i
        toc.append((int(m.group(1)), i, html.unescape(re.sub(r'<[^>]+>', '', inner)).strip()))
        return f'<h{m.group(1)} id="{i}">{inner}<a class="anchor-link" href="#{i}">¶</a></h{m.group(1)}>'
    body = _HEAD.sub(sub, body)
    body = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{ren.get(m.group(1), m.group(1))}"', body)
    return body, toc

def toc_html(toc, depth=3):
    "Quarto's 'On this page' from the `##`..`###` headings."
    items = [(l, i, t) for l, i, t in toc if 2 <= l <= depth]
    if not items: return ''
    out, cur = [], 1
    for l, i, t in items:
        l = min(l, cur + 1)   # an `###` before any `##` sits at the top level
        if l > cur: out.append('<ul>')
        else: out.append('</li>' + '</ul></li>' * (cur - l))
        out.append(f'<li><a href="#{i}">{html.escape(t)}</a>'); cur = l
    out.append('</li>' + '</ul></li>' * (cur - 2) + '</ul>')
    return '<nav class="stnb-toc" id="TOC"><h2>On this page</h2>' + ''.join(out) + '</nav>'

def page_name(nb_path, nbs, fm=None):
    "Where a notebook's page goes, relative to the site: Quarto's `output-file` (nbdev: numeric prefix dropped)."
    rel = Path(nb_path).relative_to(nbs)
    of = (fm or {}).get('output-file') or re.sub(r'^\d+[a-zA-Z0-9]*_', '', rel.name.lower())
    return rel.parent/Path(of).with_suffix('.html')

def _rel(target, here): return Path(os.path.relpath(target, here.parent)).as_posix()

def _nav(sections, titles, names, here, project):
    here_page = names[here] if here else Path('index.html')
    out = [f'<nav class="stnb-sidebar"><h2><a href="{_rel("index.html", here_page)}">{html.escape(project)}</a></h2>']
    for sec, ps in sections:
        if sec: out.append(f'<h3>{html.escape(sec)}</h3>')
        out.append('<ul>' + ''.join(f'<li><a href="{_rel(names[p], here_page)}"{" class=active" if p == here else ""}>'
                                    f'{html.escape(titles[p])}</a></li>' for p in ps) + '</ul>')
    return ''.join(out) + '</nav>'

_A_HREF = re.compile(r'(<a\s[^>]*?)href="([^"#]+)(#[^"]*)?"')   # links of <a> tags only: code text shows `href="` unescaped

def _fix_links(body, here_nb=None, names=None, nbs=None, doc_url=''):
    "Links to notebooks point at their pages; links to the hosted docs (`doc_url`) at the same page here."
    names = names or {}; here_page = names.get(here_nb, Path('index.html'))
    by_page = {n.as_posix(): n for n in names.values()}
    def href(url, frag):
        if doc_url and url.startswith(doc_url + '/'):
            tgt = url[len(doc_url) + 1:].removesuffix('.md')
            if tgt in by_page: return _rel(by_page[tgt], here_page) + frag
        elif url.endswith('.ipynb') and not re.match(r'[a-z]+:', url):
            tgt = Path(os.path.normpath(Path(here_nb).parent/url)) if here_nb is not None else None
            return _rel(names[tgt], here_page) + frag if tgt in names else url[:-6] + '.html' + frag
        return url + frag
    return _A_HREF.sub(lambda m: f'{m.group(1)}href="{href(m.group(2), m.group(3) or "")}"', body)

_LINK = re.compile(r'<a href="([^"#:]*)#([^"]+)"([^>]*)>(.*?)</a>', re.S)

def drop_dead_anchors(pages):
    "Unlink links to a heading that is not there (nbdev links every exported name, hidden helpers too); keep their text."
    ids = {p.resolve(): set(re.findall(r' id="([^"]+)"', p.read_text())) for p in pages}
    for p in pages:
        s = p.read_text()
        def keep(m):
            tgt = (p.parent/m.group(1)).resolve() if m.group(1) else p.resolve()
            return m.group(0) if tgt not in ids or m.group(2) in ids[tgt] else m.group(4)
        new = _LINK.sub(keep, s)
        if new != s: p.write_text(new)

def page(body, nav, name, css_href, toc='', head=''):
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{html.escape(name)}</title><link rel="stylesheet" href="{css_href}"></head>\n'
            f'<body>{nav}{toc}<main class="stnb-main">\n{head}{body}\n</main></body></html>\n')

def build_docs(nbs=None, dest=None, quiet=False, project='stnb', n_workers=2, proc=None):
    """nbdev's docs processors, then nbconvert: the notebooks named by `nbs/_quarto.yml` as pages with a sidebar in `dest`; return the pages.
    `proc`: a folder that keeps the processed notebooks for the next build (default: a temporary one)."""
    from nbconvert import HTMLExporter
    from pygments.formatters import HtmlFormatter
    from nbdev.config import get_config
    from stnb.core import atomic_dir
    nbs = Path(nbs or HERE/'nbs').resolve(); dest = Path(dest or HERE/'_docs')
    sections = sidebar(nbs)
    nb_paths = [p for _, ps in sections for p in ps]
    if not nb_paths: raise SystemExit(f'no notebooks listed in {nbs/"_quarto.yml"}')
    cfg = get_config(HERE)
    doc_url = (cfg.doc_host + cfg.doc_baseurl).rstrip('/') if cfg.doc_host else ''
    exp = HTMLExporter(template_name='basic', exclude_input_prompt=True, exclude_output_prompt=True)
    written = []
    with tempfile.TemporaryDirectory(prefix='stnb-proc-') as tproc, atomic_dir(dest, overwrite=True) as tmp:
        procd = process(nb_paths, nbs, proc or tproc, n_workers)
        books = {p: nbformat.read(procd[p], as_version=4) for p in nb_paths}
        fms = {p: frontmatter(nb) for p, nb in books.items()}
        names = {p: page_name(p, nbs, fms[p]) for p in nb_paths}
        titles = {p: str(fms[p].get('title') or title(nbformat.read(p, as_version=4), p.stem)) for p in nb_paths}
        (tmp/'stnb-docs.css').write_text(CSS + HtmlFormatter().get_style_defs('.highlight'))
        for p, nb in books.items():
            body, _ = exp.from_notebook_node(prepare(nb))
            body, toc = headings(_fix_links(body, p, names, nbs, doc_url))
            name = names[p]; f = tmp/name
            f.parent.mkdir(parents=True, exist_ok=True)
            head = f'<header class="stnb-title"><h1 class="title">{html.escape(titles[p])}</h1>'
            if fms[p].get('description'): head += f'<div class="description"><p>{html.escape(str(fms[p]["description"]))}</p></div>'
            f.write_text(page(body, _nav(sections, titles, names, p, project), titles[p], _rel('stnb-docs.css', name),
                              toc_html(toc), head + '</header>\n'))
            written.append(dest/name)
            if not quiet: print(f'{p.relative_to(nbs)} -> {dest/name}')
        if not (tmp/'index.html').exists():   # no nbs/index.ipynb: a home page that is just the sidebar
            (tmp/'index.html').write_text(page(f'<h1>{html.escape(project)}</h1>', _nav(sections, titles, names, None, project),
                                               project, 'stnb-docs.css'))
            written.append(dest/'index.html')
        drop_dead_anchors([tmp/p.relative_to(dest) for p in written])
    if not quiet: print(f'wrote {len(written)} pages to {dest}')
    return written

if __name__ == '__main__':
    if sys.argv[1:2] == [_PROC_WORKER]: _proc_worker(sys.argv[2], Path(sys.argv[3]), sys.argv[4:]); sys.exit(0)
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--nbs', default=None, help='notebook folder holding _quarto.yml (default: nbs)')
    ap.add_argument('--dest', default=None, help='output folder (default: _docs)')
    ap.add_argument('--n_workers', type=int, default=2, help='processes running nbdev\'s processors (default: 2)')
    ap.add_argument('--proc', default=None, help='keep the processed notebooks here for the next build (nbdev uses _proc)')
    ap.add_argument('--quiet', action='store_true', help='print only errors')
    a = ap.parse_args()
    build_docs(a.nbs, a.dest, a.quiet, n_workers=a.n_workers, proc=a.proc)
