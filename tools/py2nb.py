"""Build a notebook from a percent-format script (developer aid, not part of the library).

Cells start with `# %%` (code) or `# %% [markdown]` (markdown; each line's leading `# ` is stripped).
A code cell whose first line is `# %% tags=parameters` gets papermill's `parameters` tag.
Usage: python tools/py2nb.py SRC.py DEST.ipynb [--run]   (--run executes it and saves outputs in place)
"""
import sys, re, json, subprocess
from pathlib import Path
import nbformat
from nbformat.v4 import new_notebook, new_code_cell, new_markdown_cell

def convert(src: Path) -> nbformat.NotebookNode:
    cells, cur, kind, tags = [], [], None, []
    def flush():
        if kind is None: return
        text = '\n'.join(cur).strip('\n')
        if kind == 'md':
            text = '\n'.join(re.sub(r'^# ?', '', l) for l in text.splitlines())
            cells.append(new_markdown_cell(text))
        else:
            c = new_code_cell(text)
            if tags: c.metadata['tags'] = list(tags)
            cells.append(c)
    for line in src.read_text().splitlines():
        m = re.match(r'^# %%(.*)$', line)
        if m:
            flush(); cur = []
            rest = m.group(1)
            kind = 'md' if '[markdown]' in rest else 'code'
            tags = ['parameters'] if 'tags=parameters' in rest else []
            continue
        cur.append(line)
    flush()
    nb = new_notebook(cells=cells)
    nb.metadata['kernelspec'] = dict(display_name='python3', language='python', name='python3')
    return nb

if __name__ == '__main__':
    src, dest = Path(sys.argv[1]), Path(sys.argv[2])
    nb = convert(src)
    dest.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, dest)
    if '--run' in sys.argv:
        r = subprocess.run([sys.executable, '-m', 'jupyter', 'nbconvert', '--to', 'notebook', '--execute', '--inplace',
                            '--ExecutePreprocessor.timeout=1800', dest.name], cwd=dest.parent)
        sys.exit(r.returncode)
