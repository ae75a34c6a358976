#!/usr/bin/env python3
"""Benchmark: `moodbiome modules` against omixer-rpm 1.1 on HUMAnN KO tables of
10,000 KOs stratified by ~1,000 species (~10⁶ rows), scored for the gut–brain
modules (GBMs v1.0) and the gut metabolic modules (GMMs v1.07).

Three parts:
1. community profiles of 1,000 samples (a KO × sample table, 7.8 million
   non-zeros), GBMs and GMMs: both tools read the same file;
2. per taxon, 100 samples of the stratified table (10⁶ rows), GBMs: omixer-rpm
   reads its taxon/KO layout, Moodbiome the HUMAnN table (which also holds the
   community rows);
3. Moodbiome alone on the whole stratified table, 1,000 samples, GBMs and
   GMMs with --per-taxon (omixer-rpm ran out of a 20 GiB heap after 321 s on
   the GBM half of this: not timed).

    OMIXER_RPM_JAR=.../omixer-rpm.jar python3 scripts/bench_modules.py

omixer-rpm (Academic Non-commercial licence) is never shipped: give the jar
of github.com/omixer/omixer-rpmR (inst/java/omixer-rpm.jar) to time it; it
runs on Debian's Java 17. Without it only Moodbiome is timed. omixer-rpm reads
its own layouts, so it is given the table's community rows (`-a 1`) and its
strata as taxon and KO columns (`-a 2`), each written once beforehand (their
writing is not timed); Moodbiome reads the HUMAnN table itself, which holds
both. Both score GBMs and GMMs, community and per taxon, at coverage 0.66 with
the median; Moodbiome scores both databases in one pass (`--db gbm,gmm`),
omixer-rpm in one run per database. The agreement of the community and the
per-taxon scores is checked.
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


def generate(table, community, taxa, samples=SAMPLES):
    rng = np.random.default_rng(20261205)
    kos = module_kos()
    others = [f"K{n:05d}" for n in range(1, 30000) if f"K{n:05d}" not in set(kos)]
    kos = sorted(set(kos) | set(rng.choice(others, KOS - len(kos), replace=False)))
    species = [f"g__Genus{k // 4}.s__Genus{k // 4}_species{k % 4}" for k in range(SPECIES)] + ["unclassified"]
    # Each species is in ~12% of samples; each KO in ~100 species' genomes.
    present = rng.random((len(species), samples)) < 0.12
    present[-1] = True
    abundance = np.exp(rng.normal(2, 1.2, (len(species), samples))) * present
    carriers = [np.sort(rng.choice(len(species), 100, replace=False)) for _ in kos]
    zero = ["0"] * samples
    with open(table, "w") as t, open(community, "w") as c, open(taxa, "w") as x:
        t.write("# Gene Family\t" + "\t".join(f"P{j:04d}_Abundance-RPKs" for j in range(samples)) + "\n")
        c.write("entry\t" + "\t".join(f"P{j:04d}" for j in range(samples)) + "\n")
        x.write("taxon\tKO\t" + "\t".join(f"P{j:04d}" for j in range(samples)) + "\n")
        t.write("UNMAPPED\t" + "\t".join("1000.5" for _ in range(samples)) + "\n")
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


def timed(commands):
    """Total wall seconds and largest peak RSS (MiB) of running each command once."""
    results = [run(c) for c in commands]
    return sum(w for w, _ in results), max(m for _, m in results)


def agreement(theirs_dir, ours_csv, per_taxon):
    """The largest relative difference of omixer-rpm's abundances to ours."""
    ref = list(csv.reader(open(os.path.join(theirs_dir, "modules.tsv")), delimiter="\t"))
    skip = 2 if per_taxon else 1
    samples, worst = ref[0][skip:], 0.0
    if per_taxon:
        mine = {(r["taxon"], r["module"], r["sample_id"]): float(r["abundance"]) for r in csv.DictReader(open(ours_csv))}
    else:
        mine = {(m, r["sample_id"]): float(v) for r in csv.DictReader(open(ours_csv)) for m, v in r.items() if m != "sample_id"}
    for row in ref[1:]:
        for sample, v in zip(samples, row[skip:]):
            key = (row[0], row[1], sample) if per_taxon else (row[0], sample)
            a, b = mine.get(key, 0.0), float(v)
            worst = max(worst, abs(a - b) / b if b else abs(a))
    return worst


def main():
    os.makedirs(OUT, exist_ok=True)
    table = os.path.join(OUT, f"bench-humann-{SAMPLES}x{KOS}.tsv")
    community, taxa = os.path.join(OUT, "bench-omixer-community.tsv"), os.path.join(OUT, "bench-omixer-taxa.tsv")
    small, small_taxa = os.path.join(OUT, "bench-humann-100.tsv"), os.path.join(OUT, "bench-omixer-taxa-100.tsv")
    if not all(os.path.exists(p) for p in (table, community, taxa)):
        generate(table, community, taxa)
    if not all(os.path.exists(p) for p in (small, small_taxa)):
        generate(small, os.devnull, small_taxa, samples=100)
    jar = os.environ.get("OMIXER_RPM_JAR")
    omixer = lambda db, annotation, inp, out: ["java", "-Xmx20g", "-jar", jar, "-c", "0.66", "-s", "median", "-d", DBS[db], "-i", inp,
                                               "-o", os.path.join(OUT, out), "-a", str(annotation), "-e", "2", "-t", "2"]
    ours = lambda inp, db, out, *extra: [BIN, "modules", inp, "--db", db, *extra, "--out-dir", os.path.join(OUT, out), "--force"]

    print(f"Modules, community profiles: {SAMPLES:,} samples × {KOS:,} KOs, GBMs and GMMs; best of 2")
    o = min(run(ours(community, "gbm,gmm", "modules-both")) for _ in range(2))
    print(f"  moodbiome          : {o[0]:7.2f} s wall, peak RSS {o[1]:7.1f} MiB")
    if jar:
        t = timed([omixer(db, 1, community, f"omixer-{db}-1") for db in DBS])
        worst = max(agreement(os.path.join(OUT, f"omixer-{db}-1"), os.path.join(OUT, "modules-both", "abundance.csv"), False) for db in DBS)
        print(f"  omixer-rpm 1.1     : {t[0]:7.2f} s wall, peak RSS {t[1]:7.1f} MiB  ({compared('modules_community_vs_omixer_rpm', t[0] / o[0])} slower)")
        print(f"  agreement          : max relative difference {worst:.1e}")

    rows = sum(1 for _ in open(small_taxa)) - 1
    print(f"Modules per taxon: 100 samples, {rows:,} stratified rows, GBMs")
    o = min(run(ours(small, "gbm", "modules-taxa-gbm", "--per-taxon")) for _ in range(2))
    print(f"  moodbiome          : {o[0]:7.2f} s wall, peak RSS {o[1]:7.1f} MiB")
    if jar:
        t = run(omixer("gbm", 2, small_taxa, "omixer-gbm-2"))
        worst = agreement(os.path.join(OUT, "omixer-gbm-2"), os.path.join(OUT, "modules-taxa-gbm", "per-taxon.csv"), True)
        print(f"  omixer-rpm 1.1     : {t[0]:7.2f} s wall, peak RSS {t[1]:7.1f} MiB  ({compared('modules_per_taxon_vs_omixer_rpm', t[0] / o[0])} slower)")
        print(f"  agreement          : max relative difference {worst:.1e}")
    else:
        print("  (set OMIXER_RPM_JAR to omixer-rpmR's inst/java/omixer-rpm.jar to time omixer-rpm 1.1 beside it)")

    print(f"Modules, whole stratified table: {SAMPLES:,} samples × {KOS:,} KOs, {os.path.getsize(table) / 2**30:.1f} GiB, GBMs and GMMs, per taxon")
    o = run(ours(table, "gbm,gmm", "modules-all", "--per-taxon"))
    print(f"  moodbiome          : {o[0]:7.2f} s wall, peak RSS {o[1]:7.1f} MiB  (omixer-rpm 1.1: out of a 20 GiB heap after 321 s on the GBM half)")


if __name__ == "__main__":
    main()
