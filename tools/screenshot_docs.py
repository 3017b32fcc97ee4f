"""Screenshots of the offline docs in a real headless browser (developer aid, not part of the library).

Builds the docs with `tools/build_docs.py` into `--docs` (default `_docs/`; `--no-build` uses the pages
already there), then renders a few pages (the home page, two API pages and a tutorial) with
`chromium --headless --screenshot` into PNG files in OUT (default `_docs/_screenshots/`, git-ignored
with `_docs/`), one per page, named after it (`tutorials/train_simulated.html` ->
`tutorials_train_simulated.png`). Look at them: sidebar on the left, "On this page" on the right,
`show_doc` entries with their parameter tables, no `In [ ]:` prompts.
Chromium is the system's (`apt-get install chromium` on Debian, as root; or set CHROMIUM=/path/to/chrome);
without one the script stops with a one-line message and exit status 1, before building anything.
Usage:
  python tools/build_docs.py                       # build _docs/
  python tools/screenshot_docs.py [OUT] [--no-build] [--docs DIR] [--pages index.html core.html ...] [--width 1400] [--height 1800]
"""
import argparse, os, shutil, subprocess, sys, tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
PAGES = ['index.html', 'baseline.html', 'postproc.html', 'tutorials/train_simulated.html']
BROWSERS = ('chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome')

def find_chromium():
    "Path of a Chromium (or Chrome) binary: $CHROMIUM, else the first of `BROWSERS` on PATH; None if there is none."
    env = os.environ.get('CHROMIUM')
    if env: return env if shutil.which(env) else None
    return next((p for b in BROWSERS if (p := shutil.which(b))), None)

def screenshot(chrome, html_file, png, width=1400, height=1800, timeout=120):
    "Render `html_file` in headless `chrome` into `png` (a `width` x `height` window); return `png`."
    png = Path(png); png.parent.mkdir(parents=True, exist_ok=True); png.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix='stnb-chromium-') as prof:
        cmd = [chrome, '--headless', '--no-sandbox',   # no sandbox: containers run as root, and the pages are our own files
               '--disable-gpu', '--disable-dev-shm-usage', '--hide-scrollbars', '--no-first-run', f'--user-data-dir={prof}',
               f'--window-size={width},{height}', '--virtual-time-budget=3000', f'--screenshot={png}',
               Path(html_file).resolve().as_uri()]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if not png.is_file() or png.stat().st_size == 0:
        raise SystemExit(f'screenshot_docs: {chrome} wrote no screenshot of {html_file} (exit {r.returncode}): {r.stderr.strip()[-300:]}')
    return png

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('out', nargs='?', default=None, help='folder for the PNG files (default: DOCS/_screenshots)')
    ap.add_argument('--docs', default=str(HERE/'_docs'), help='docs folder (default: _docs)')
    ap.add_argument('--no-build', action='store_true', help='use the pages already in --docs instead of building them')
    ap.add_argument('--pages', nargs='+', default=PAGES, help=f'pages to render, relative to --docs (default: {" ".join(PAGES)})')
    ap.add_argument('--width', type=int, default=1400); ap.add_argument('--height', type=int, default=1800)
    a = ap.parse_args(argv)
    chrome = find_chromium()
    if not chrome: sys.exit('screenshot_docs: no Chromium found (looked for $CHROMIUM, ' + ', '.join(BROWSERS)
                            + '); install it with `apt-get install chromium` (Debian, as root) or set CHROMIUM=/path/to/chrome')
    docs = Path(a.docs)
    if not a.no_build:
        r = subprocess.run([sys.executable, str(HERE/'tools'/'build_docs.py'), '--quiet', '--dest', str(docs)], cwd=HERE)
        if r.returncode: sys.exit(f'screenshot_docs: tools/build_docs.py failed (exit {r.returncode})')
    missing = [p for p in a.pages if not (docs/p).is_file()]
    if missing: sys.exit(f'screenshot_docs: no page {", ".join(missing)} in {docs} (build it with python tools/build_docs.py)')
    out = Path(a.out or docs/'_screenshots')
    for p in a.pages:
        png = screenshot(chrome, docs/p, out/(Path(p).with_suffix('').as_posix().replace('/', '_') + '.png'), a.width, a.height)
        print(png)

if __name__ == '__main__': main()
