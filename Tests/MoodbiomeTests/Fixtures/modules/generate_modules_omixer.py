#!/usr/bin/env python3
"""Fixtures for module scoring: a realistic stratified HUMAnN KO table, made
here, scored by omixer-rpm 1.1 (the reference; run only to make these files,
never shipped or called by Moodbiome).

    python3 Tests/MoodbiomeTests/Fixtures/modules/generate_modules_omixer.py OMIXER_RPMR_CHECKOUT

OMIXER_RPMR_CHECKOUT: the files of github.com/omixer/omixer-rpmR at commit
184f1cc (a clone, or `git archive 184f1cc | tar -x -C DIR`), holding inst/java/omixer-rpm.jar (omixer-rpm 1.1, Academic
Non-commercial Software License) and test/matrix.tsv, test/species_matrix.tsv.
Needs Java 17 (Debian's openjdk-17-jre-headless) and NumPy.

Writes, beside this script:
- humann-ko-stratified.tsv: 12 samples × 800 KOs (every KO of GBMs v1.0 and
  GMMs v1.07 plus others), 26 strata (25 gut species and `unclassified`),
  HUMAnN 3 layout (`# Gene Family`, `_Abundance-RPKs` columns, UNMAPPED,
  UNGROUPED with strata; community rows the sums of their strata). NumPy
  PCG64 seed 20261205: each species carries a random share of each module's
  orthologs (whole modules, partial ones, none), abundances log-normal.
- omixer/<case>/modules.tsv and modules-coverage.tsv: omixer-rpm's output
  (`-e 2`) per case, named <db>-<estimator>[-n][-c<cut-off>]-<community|taxa>;
  community cases read the unstratified rows (`-a 1`), taxa cases the strata
  as taxon, KO columns (`-a 2`).
- omixer/test-matrix-gmm-median-c0.66/, omixer/test-species-gbm-median-c0.3-taxa/:
  omixer-rpmR's own test matrices (test/matrix.tsv, test/species_matrix.tsv,
  copied here, GPL-3) scored as its tests do.
"""
import os, shutil, subprocess, sys
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
DBS = {"gbm": os.path.join(ROOT, "Datasets", "module-databases", "GBMs.v1.0.txt"),
       "gmm": os.path.join(ROOT, "Datasets", "module-databases", "GMMs.v1.07.txt")}
SPECIES = ["g__Bacteroides.s__Bacteroides_uniformis", "g__Bacteroides.s__Bacteroides_vulgatus",
           "g__Faecalibacterium.s__Faecalibacterium_prausnitzii", "g__Coprococcus.s__Coprococcus_comes",
           "g__Coprococcus.s__Coprococcus_eutactus", "g__Dialister.s__Dialister_invisus",
           "g__Roseburia.s__Roseburia_intestinalis", "g__Eubacterium.s__Eubacterium_rectale",
           "g__Akkermansia.s__Akkermansia_muciniphila", "g__Prevotella.s__Prevotella_copri",
           "g__Alistipes.s__Alistipes_putredinis", "g__Ruminococcus.s__Ruminococcus_bromii",
           "g__Bifidobacterium.s__Bifidobacterium_longum", "g__Bifidobacterium.s__Bifidobacterium_adolescentis",
           "g__Escherichia.s__Escherichia_coli", "g__Lactobacillus.s__Lactobacillus_rhamnosus",
           "g__Parabacteroides.s__Parabacteroides_distasonis", "g__Blautia.s__Blautia_obeum",
           "g__Dorea.s__Dorea_longicatena", "g__Anaerostipes.s__Anaerostipes_hadrus",
           "g__Streptococcus.s__Streptococcus_thermophilus", "g__Clostridium.s__Clostridium_sporogenes",
           "g__Enterococcus.s__Enterococcus_faecalis", "g__Veillonella.s__Veillonella_parvula",
           "g__Odoribacter.s__Odoribacter_splanchnicus"]
SAMPLES = [f"S{k:02d}" for k in range(1, 13)]


def modules(path):
    out, cur = [], None
    for line in open(path):
        line = line.rstrip("\n")
        if line == "///":
            cur = None
        elif line.strip():
            if cur is None:
                cur = []
                out.append(cur)
            else:
                cur.append([a.split(",") for a in line.split("\t") if a])
    return out


def main():
    checkout = sys.argv[1]
    jar = os.path.join(checkout, "inst", "java", "omixer-rpm.jar")
    rng = np.random.default_rng(20261205)
    mods = modules(DBS["gbm"]) + modules(DBS["gmm"])
    kos = sorted({k for m in mods for s in m for a in s for k in a if k.startswith("K") and len(k) == 6})
    others = sorted(set(f"K{n:05d}" for n in rng.choice(np.arange(1, 25000), 400, replace=False)) - set(kos))
    all_kos = sorted(set(kos) | set(others[:800 - len(kos)]))
    # Each species' genome: for each module a random completeness.
    genomes = {}
    for sp in SPECIES + ["unclassified"]:
        g = set(rng.choice(others, 60, replace=False))
        for m in mods:
            r = rng.random()
            share = 1.0 if r < 0.15 else 0.6 if r < 0.3 else 0.25 if r < 0.45 else 0.0
            for step in m:
                if rng.random() < share:
                    alt = step[rng.integers(len(step))]
                    g.update(k for k in alt if k in set(all_kos) and rng.random() < 0.92)
        genomes[sp] = sorted(g)
    strata = {}
    for sp in SPECIES + ["unclassified"]:
        present = rng.random(len(SAMPLES)) < (0.95 if sp == "unclassified" else 0.7)
        abundance = np.exp(rng.normal(3, 1.5, len(SAMPLES))) * present
        for ko in genomes[sp]:
            copies = rng.choice([1, 1, 1, 2, 3])
            v = abundance * copies * np.exp(rng.normal(0, 0.3, len(SAMPLES)))
            v[rng.random(len(SAMPLES)) < 0.05] = 0
            if v.sum() > 0:
                strata[(ko, sp)] = [float(x) for x in np.round(v, 6)]
    community = {}
    for (ko, sp), v in strata.items():
        community[ko] = [a + b for a, b in zip(community.get(ko, [0.0] * len(SAMPLES)), v)]
    table = os.path.join(HERE, "humann-ko-stratified.tsv")
    fmt = lambda x: "0" if x == 0 else repr(x)
    with open(table, "w") as f:
        f.write("# Gene Family\t" + "\t".join(s + "_Abundance-RPKs" for s in SAMPLES) + "\n")
        f.write("UNMAPPED\t" + "\t".join(fmt(float(x)) for x in np.round(rng.uniform(5e3, 2e4, len(SAMPLES)), 3)) + "\n")
        ung = {sp: [float(x) for x in np.round(rng.uniform(100, 900, len(SAMPLES)), 4)] for sp in ["unclassified", SPECIES[0]]}
        f.write("UNGROUPED\t" + "\t".join(fmt(a + b) for a, b in zip(*ung.values())) + "\n")
        for sp, v in ung.items():
            f.write(f"UNGROUPED|{sp}\t" + "\t".join(fmt(x) for x in v) + "\n")
        for ko in sorted(community):
            f.write(ko + "\t" + "\t".join(fmt(x) for x in community[ko]) + "\n")
            for sp in sorted(sp for (k, sp) in strata if k == ko):
                f.write(f"{ko}|{sp}\t" + "\t".join(fmt(x) for x in strata[(ko, sp)]) + "\n")
    work = os.path.join(HERE, "omixer-input")
    os.makedirs(work, exist_ok=True)
    comm_in, taxa_in = os.path.join(work, "community.tsv"), os.path.join(work, "taxa.tsv")
    with open(comm_in, "w") as f:
        f.write("entry\t" + "\t".join(SAMPLES) + "\n")
        for ko in sorted(community):
            f.write(ko + "\t" + "\t".join(fmt(x) for x in community[ko]) + "\n")
    with open(taxa_in, "w") as f:
        f.write("taxon\tKO\t" + "\t".join(SAMPLES) + "\n")
        for (ko, sp) in sorted(strata, key=lambda k: (k[1], k[0])):
            f.write(f"{sp}\t{ko}\t" + "\t".join(fmt(x) for x in strata[(ko, sp)]) + "\n")
    out_root = os.path.join(HERE, "omixer")
    shutil.rmtree(out_root, ignore_errors=True)
    version = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]

    def run(case, db, estimator, normalize, cutoff, annotation, inp):
        out = os.path.join(out_root, case)
        args = ["java", "-jar", jar, "-c", str(cutoff), "-s", estimator, "-d", db, "-i", inp, "-o", out, "-a", str(annotation), "-e", "2"]
        if normalize:
            args.append("-n")
        subprocess.run(args, check=True, capture_output=True)
        with open(os.path.join(out, "COMMAND"), "w") as f:
            f.write(f"# omixer-rpm 1.1 ({os.path.basename(jar)} of omixer-rpmR 184f1cc) on {version}\n")
            f.write(" ".join(os.path.relpath(a, ROOT) if os.path.isabs(a) else a for a in args) + "\n")

    for db in ["gbm", "gmm"]:
        for estimator in ["median", "average", "sum"]:
            for normalize in [False, True]:
                run(f"{db}-{estimator}{'-n' if normalize else ''}-community", DBS[db], estimator, normalize, 0.66, 1, comm_in)
        for estimator in ["median", "average"]:
            run(f"{db}-{estimator}-taxa", DBS[db], estimator, False, 0.66, 2, taxa_in)
    run("gmm-median-c0.5-community", DBS["gmm"], "median", False, 0.5, 1, comm_in)
    run("gbm-median-n-c0.5-taxa", DBS["gbm"], "median", True, 0.5, 2, taxa_in)
    for name in ["matrix.tsv", "species_matrix.tsv"]:
        shutil.copy(os.path.join(checkout, "test", name), os.path.join(HERE, "omixer-test-" + name))
    run("test-matrix-gmm-median-c0.66", DBS["gmm"], "median", False, 0.66, 1, os.path.join(HERE, "omixer-test-matrix.tsv"))
    run("test-species-gbm-median-c0.3-taxa", DBS["gbm"], "median", False, 0.3, 2, os.path.join(HERE, "omixer-test-species_matrix.tsv"))
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
