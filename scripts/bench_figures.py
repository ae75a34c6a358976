#!/usr/bin/env python3
"""Benchmark: figures exported as PDF and 300 dpi PNG, against rsvg-convert.

Run with `make bench` (builds the release CLI first). Needs `rsvg-convert`
(Debian librsvg2-bin), the command-line tool of the renderer Moodbiome links.

1. `moodbiome analyze` on the example study (4 metrics, 5 covariates: 13
   figures) without and with `--figure-formats pdf,png --dpi 300`, each in a
   fresh process, best of 3; the difference is the export's cost.
2. The peer: what a user does by hand with the SVGs — `rsvg-convert -z 3.125
   -b white -f png` and `rsvg-convert -f pdf`, one process per figure and
   format, timed as a whole (peak memory: the largest process).
3. Checks every PNG has the size rsvg-convert gives the same figure.
"""
import glob
import os
import shutil
import struct
import subprocess
import sys
import time
from benchcommon import compared, run

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
OUT = os.path.join(ROOT, "bench-out", "figures")
BIN = os.path.join(ROOT, ".build", "release", "moodbiome")
DATA = os.path.join(ROOT, "Datasets", "simulated-gut-mood")
REPEATS = 3


def analyze(directory, extra):
    shutil.rmtree(directory, ignore_errors=True)
    return run([BIN, "analyze", "--counts", f"{DATA}/counts.csv", "--metadata", f"{DATA}/metadata.csv",
                "--outcome", "phq9_total", "--covariates", "age,sex,bmi,antidepressant,bristol_stool_type",
                "--metrics", "shannon,simpson,observed_features,chao1", "--out-dir", directory] + extra)


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    return struct.unpack(">II", head[16:24])


def main():
    if shutil.which("rsvg-convert") is None:
        sys.exit("bench_figures: rsvg-convert is missing (Debian: apt install librsvg2-bin)")
    os.makedirs(OUT, exist_ok=True)
    plain = min(analyze(f"{OUT}/svg", []) for _ in range(REPEATS))
    exported = min(analyze(f"{OUT}/all", ["--figure-formats", "pdf,png", "--dpi", "300"]) for _ in range(REPEATS))
    svgs = sorted(glob.glob(f"{OUT}/all/figures/*.svg"))
    peer_dir = f"{OUT}/rsvg-convert"
    best = None
    for _ in range(REPEATS):
        shutil.rmtree(peer_dir, ignore_errors=True)
        os.makedirs(peer_dir)
        start, peak = time.perf_counter(), 0.0
        for svg in svgs:
            stem = os.path.join(peer_dir, os.path.basename(svg)[:-4])
            peak = max(peak, run(["rsvg-convert", "-z", "3.125", "-b", "white", "-f", "png", "-o", stem + ".png", svg])[1])
            peak = max(peak, run(["rsvg-convert", "-f", "pdf", "-o", stem + ".pdf", svg])[1])
        wall = time.perf_counter() - start
        best = min(best, (wall, peak)) if best else (wall, peak)
    for svg in svgs:
        ours, theirs = svg[:-4] + ".png", os.path.join(peer_dir, os.path.basename(svg)[:-4] + ".png")
        if png_size(ours) != png_size(theirs):
            sys.exit(f"bench_figures: {ours} is {png_size(ours)}, rsvg-convert gives {png_size(theirs)}")
    version = subprocess.run(["rsvg-convert", "--version"], capture_output=True, text=True).stdout.strip()
    cost = exported[0] - plain[0]
    print(f"figure export: {len(svgs)} figures of the example study as PDF + 300 dpi PNG; best of {REPEATS}")
    print(f"  analyze, SVG only          : {plain[0]:7.3f} s wall, peak RSS {plain[1]:7.1f} MiB")
    print(f"  analyze + PDF and PNG      : {exported[0]:7.3f} s wall, peak RSS {exported[1]:7.1f} MiB (export {cost:.3f} s)")
    print(f"  {version:<27}: {best[0]:7.3f} s wall, peak RSS {best[1]:7.1f} MiB (one process per file)")
    print(f"  speed-up                   : {compared('figure_export_vs_rsvg_convert', best[0] / cost)} on the export; every PNG the size rsvg-convert gives")


if __name__ == "__main__":
    main()
