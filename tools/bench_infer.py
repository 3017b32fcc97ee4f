"""Benchmark (not a test): CPU nuclei inference throughput of stnb (NucleiNet + predict_slide) against HoVer-Net, same run.

Reference: tiatoolbox's HoVer-Net (`tiatoolbox.models.architecture.hovernet.HoVerNet`, Graham et al. 2019; mode 'fast',
256 x 256 input, 164 x 164 output, random weights), run in a throwaway virtual environment given by --tia_python
(tiatoolbox pins torch < 2.13, so it is installed there with --no-deps on top of this project's torch; see the README of
this script below). Both models get the same 256 x 256 uint8 RGB tiles, the same number of torch threads, random weights.

Rows:
- forward: the network alone, batches of --bs tiles; MP/s of input pixels and of usable output pixels (HoVer-Net 'fast'
  returns the central 164 x 164; NucleiNet returns 256 x 256 of which predict_slide keeps the core, 256 - 2*margin).
- forward + post-processing: the above plus each model's own instance post-processing per tile (stnb.postproc
  watershed / tiatoolbox HoVerNet.postproc), MP/s of usable output pixels.
- whole slide: stnb.infer.predict_slide end to end on a real H&E region (cmu_small_region.svs if ../shared/data is
  there, else a synthetic slide): reading, resampling, model, post-processing, stitching, zarr/h5ad/GeoJSON writing;
  MP/s of slide pixels. The HoVer-Net figure in that row is the slide-equivalent of its forward + post-processing
  (tiles at stride 164 cover the slide), without stitching or writing.
Rounds alternate the two implementations (the reference in a subprocess); each figure is the best of --rounds.

Setting up the reference (once):
    /root/.pyenv/versions/3.11.7/bin/python -m venv /tmp/tia_venv
    echo /work/main/.venv/lib/python3.11/site-packages > /tmp/tia_venv/lib/python3.11/site-packages/zz_stnb.pth
    /tmp/tia_venv/bin/pip install --no-deps tiatoolbox==2.1.3 timm huggingface_hub universal-pathlib openslide-python \
        openslide-bin SimpleITK transformers ; /tmp/tia_venv/bin/pip install dask
Usage: .venv/bin/python tools/bench_infer.py [--rounds 3] [--n_batches 3] [--bs 8] [--threads 2] [--tia_python /tmp/tia_venv/bin/python]
(writes runs/bench_infer.json)
"""
import argparse, json, os, platform, tempfile, time, shutil
from pathlib import Path
import numpy as np
import torch

CHILD = r'''
import json, sys, time, numpy as np, torch
torch.set_num_threads(int(sys.argv[1])); n_batches, bs, n_types, seed = (int(v) for v in sys.argv[2:6])
from tiatoolbox.models.architecture.hovernet import HoVerNet
torch.manual_seed(seed)
m = HoVerNet(num_types=n_types, mode='fast').eval()
x = torch.from_numpy(np.load(sys.argv[6]))            # (N, 3, 256, 256) uint8
fwd, post, n_inst = [], [], 0
with torch.inference_mode():
    m(x[:bs].float())                                 # warm-up
    for b in range(n_batches):
        xb = x[b * bs:(b + 1) * bs].float()
        t0 = time.perf_counter(); out = m(xb); fwd.append(time.perf_counter() - t0)
        # the maps tiatoolbox's infer_batch hands to postproc: softmax np/tp, raw hv, channels last
        npm = torch.softmax(out['np'], 1)[:, 1:].permute(0, 2, 3, 1); hv = out['hv'].permute(0, 2, 3, 1)
        tp = torch.argmax(torch.softmax(out['tp'], 1), 1, keepdim=True).permute(0, 2, 3, 1).float()
        t0 = time.perf_counter()
        for i in range(len(xb)):
            d = m.postproc([npm[i].numpy(), hv[i].numpy(), tp[i].numpy()])[0]   # watershed + per-instance info (contours, types)
            n_inst += int(np.asarray(d['predictions']).max())
        post.append(time.perf_counter() - t0)
print('RESULT ' + json.dumps(dict(fwd=sum(fwd), post=sum(post), out_px=int(out['np'].shape[-1]), n_inst=n_inst)))
'''

def tiles_from(img, n, size=256, seed=0):
    "n random size x size tiles of an RGB image, (n, 3, size, size) uint8."
    rng = np.random.default_rng(seed); H, W = img.shape[:2]
    ys, xs = rng.integers(0, H - size, n), rng.integers(0, W - size, n)
    return np.stack([img[y:y + size, x:x + size] for y, x in zip(ys, xs)]).transpose(0, 3, 1, 2).copy()

def slide_region(size):
    "A real H&E region (cmu_small_region.svs at 0.5 um/px) if available, else a synthetic slide; (image, mpp, name)."
    from stnb.core import shared_data
    svs = shared_data('he/unannotated/cmu_small_region.svs')
    if svs is not None:
        from stnb.image import SlideSource
        s = SlideSource(svs, target_mpp=0.5)
        y0, x0 = (s.shape[0] - size) // 2, (s.shape[1] - size) // 2
        return s.window(y0, x0, size, size), 0.5, 'cmu_small_region.svs (centre, 0.5 um/px)'
    from skimage.draw import ellipse
    rng = np.random.default_rng(0); img = np.empty((size, size, 3), np.float32); img[:] = (0.93, 0.72, 0.84)
    for _ in range(size * size // 400):
        yy, xx = ellipse(*rng.integers(0, size, 2), *rng.uniform(3, 7, 2), shape=(size, size), rotation=rng.uniform(0, np.pi))
        img[yy, xx] = (0.35, 0.22, 0.55)
    return (np.clip(img + rng.normal(0, 0.05, img.shape), 0, 1) * 255).astype(np.uint8), 0.5, 'synthetic (no ../shared/data)'

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--rounds', type=int, default=3); p.add_argument('--n_batches', type=int, default=3)
    p.add_argument('--bs', type=int, default=8); p.add_argument('--threads', type=int, default=min(os.cpu_count() or 1, 2))
    p.add_argument('--slide', type=int, default=1024, help='side of the whole-slide region in pixels at 0.5 um/px')
    p.add_argument('--margin', type=int, default=32); p.add_argument('--n_types', type=int, default=4)
    p.add_argument('--tia_python', default='/tmp/tia_venv/bin/python')
    a = p.parse_args()
    os.environ['STNB_PROGRESS'] = '0'; torch.set_num_threads(a.threads)
    from stnb.core import seed_all, atomic_write, repo_root
    from stnb.bench import run_child
    from stnb.model import NucleiNet, predict_maps, save_nuclei_model
    from stnb.postproc import instances_from_maps
    from stnb.infer import predict_slide

    img, mpp, img_name = slide_region(max(a.slide, 512))
    x = tiles_from(img, a.n_batches * a.bs)
    seed_all(0)
    net = NucleiNet(a.n_types, 'resnet18', img_size=256).eval()
    meta = dict(class_names=[f'class{i}' for i in range(1, a.n_types + 1)], tile=256, mpp=mpp, model=net.config)
    tmp = Path(tempfile.mkdtemp()); np.save(tmp/'x.npy', x)
    ckpt = tmp/'model.pth'; save_nuclei_model(net, ckpt, meta)
    have_tia = Path(a.tia_python).exists()
    if not have_tia: print(f'reference skipped: {a.tia_python} not found (see the set-up in this script\'s docstring)')
    res = {k: [] for k in ('stnb_fwd', 'stnb_post', 'stnb_slide', 'tia_fwd', 'tia_post')}
    n_stnb, n_tia = 0, 0
    for r in range(a.rounds):
        # --- stnb: forward and post-processing on the same tiles
        with torch.inference_mode():
            net(torch.from_numpy(x[:a.bs]))
            fwd = post = 0.
            for b in range(a.n_batches):
                xb = torch.from_numpy(x[b * a.bs:(b + 1) * a.bs])
                t0 = time.perf_counter(); out = net(xb); fwd += time.perf_counter() - t0
                t0 = time.perf_counter(); fg, hv, tp = predict_maps(out)
                for i in range(len(fg)): n_stnb += int(instances_from_maps(fg[i], hv[i], tp[i])[0].max())
                post += time.perf_counter() - t0
        res['stnb_fwd'].append(fwd); res['stnb_post'].append(post)
        # --- stnb: whole slide
        o = tmp/f'pred{r}'
        t0 = time.perf_counter(); predict_slide(ckpt, img, mpp, o, margin=a.margin, batch_size=a.bs, device='cpu', show=False)
        res['stnb_slide'].append(time.perf_counter() - t0); shutil.rmtree(o)
        # --- reference
        if have_tia:
            try: d = run_child(CHILD, a.threads, a.n_batches, a.bs, a.n_types + 1, 0, tmp/'x.npy', python=os.path.abspath(a.tia_python), threads=a.threads, cwd=tmp)[-1]
            except RuntimeError as e: print(e); have_tia = False; continue   # the reference's own failure: reported, the stnb figures kept
            res['tia_fwd'].append(d['fwd']); res['tia_post'].append(d['post']); tia_out = d['out_px']; n_tia += d['n_inst']
    best = {k: min(v) if v else float('nan') for k, v in res.items()}
    n_tiles = a.n_batches * a.bs; mp_in = n_tiles * 256 * 256 / 1e6
    core = 256 - 2 * a.margin; mp_stnb_out = n_tiles * core * core / 1e6
    rows = [('forward, input px', mp_in / best['stnb_fwd'], mp_in / best['tia_fwd']),
            ('forward, usable output px', mp_stnb_out / best['stnb_fwd'], (n_tiles * tia_out ** 2 / 1e6) / best['tia_fwd'] if have_tia else np.nan),
            ('forward + post-processing, usable output px', mp_stnb_out / (best['stnb_fwd'] + best['stnb_post']),
             (n_tiles * tia_out ** 2 / 1e6) / (best['tia_fwd'] + best['tia_post']) if have_tia else np.nan)]
    mp_slide = img.shape[0] * img.shape[1] / 1e6
    rows.append(('whole slide (stnb: predict_slide end to end)', mp_slide / best['stnb_slide'], rows[-1][2]))
    print(f"\nCPU nuclei inference, {a.threads} torch threads, {platform.processor() or platform.machine()}, torch {torch.__version__}; "
          f"{n_tiles} tiles of 256 px from {img_name}; best of {a.rounds} rounds")
    print(f"stnb: NucleiNet resnet18 U-Net (3 heads, {sum(p.numel() for p in net.parameters()) / 1e6:.1f} M params), margin {a.margin} "
          f"(core {core} px); reference: tiatoolbox HoVer-Net 'fast' ({'%d px output' % tia_out if have_tia else 'not run'}), random weights\n")
    print(f"{'':48s} {'stnb MP/s':>10s} {'HoVer-Net MP/s':>15s} {'ratio':>7s}")
    for name, s, h in rows: print(f"{name:48s} {s:10.3f} {h:15.3f} {s / h:7.2f}")
    print(f"\nwhole slide: {mp_slide:.2f} MP in {best['stnb_slide']:.1f} s; instances found per tile (random weights, meaningless): "
          f"stnb {n_stnb / (a.rounds * n_tiles):.1f}, HoVer-Net {n_tia / max(1, len(res['tia_fwd']) * n_tiles):.1f}")
    out = dict(threads=a.threads, n_tiles=n_tiles, image=img_name, slide_px=list(img.shape[:2]), margin=a.margin, times=res, best=best,
               table=[dict(row=n, stnb_mps=s, hovernet_mps=h, ratio=s / h) for n, s, h in rows], torch=torch.__version__,
               reference='tiatoolbox HoVerNet fast' if have_tia else None)
    root = repo_root() or Path.cwd()
    with atomic_write(root/'runs'/'bench_infer.json') as f: f.write_text(json.dumps(out, indent=1, default=float))
    print(f"wrote {root/'runs'/'bench_infer.json'}")
    shutil.rmtree(tmp, ignore_errors=True)

if __name__ == '__main__': main()
