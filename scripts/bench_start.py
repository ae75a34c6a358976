#!/usr/bin/env python3
"""Benchmark: what a Moodbiome process costs before it does any work.

Run with `make bench` (builds the release CLI first).

1. `moodbiome --version`, 30 fresh processes: the median wall time.
2. The shared libraries the dynamic loader initialises at start
   (`LD_DEBUG=libs`, its "calling init" lines) for `--version`, and for a
   `diversity` run on the example table (which opens no system library: its
   job uses neither BLAS, HDF5, the figure renderer nor libcrypto).
Targets (issue 21): ≤ 5 ms and ≤ 30 libraries.
"""
import os
import statistics
import subprocess
from benchcommon import compared, run

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
BIN = os.path.join(ROOT, ".build", "release", "moodbiome")
OUT = os.path.join(ROOT, "bench-out")
RUNS = 30


def initialised(args):
    """The libraries whose initialisers the loader ran, in a run of `args`."""
    env = dict(os.environ, LD_DEBUG="libs")
    err = subprocess.run([BIN] + args, env=env, capture_output=True, text=True).stderr
    return sorted({line.split("calling init:")[1].strip() for line in err.splitlines() if "calling init:" in line})


def main():
    os.makedirs(OUT, exist_ok=True)
    walls = [run([BIN, "--version"])[0] for _ in range(RUNS)]
    version = initialised(["--version"])
    table = os.path.join(ROOT, "Datasets", "simulated-gut-mood", "counts.csv")
    diversity = initialised(["diversity", table, "--metrics", "shannon", "-o", os.path.join(OUT, "start-alpha.csv"), "--force"])
    print(f"process start; median of {RUNS}")
    print(f"  --version                  : {compared('version_ms', statistics.median(walls) * 1000, unit=' ms')} wall")
    print(f"  libraries, --version       : {compared('libraries_at_start', len(version), unit='', digits=0)} ({', '.join(os.path.basename(v) for v in version)})")
    print(f"  libraries, diversity       : {len(diversity)}")


if __name__ == "__main__":
    main()
