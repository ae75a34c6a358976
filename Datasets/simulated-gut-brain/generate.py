#!/usr/bin/env python3
"""Makes Datasets/simulated-gut-brain/: a SIMULATED metagenomic study of diet,
gut function and depressive symptoms (not real data).

    python3 Datasets/simulated-gut-brain/generate.py

120 participants, one stool sample each. A high-fibre diet (diet = 1, half of
them) raises Coprococcus and Faecalibacterium; Coprococcus carries the
gut–brain modules DOPAC synthesis (MGB024) and butyrate synthesis I/II
(MGB052/MGB053) complete, Faecalibacterium butyrate synthesis I; no other
species carries their orthologs. PHQ-9 falls
with Coprococcus (the association Valles-Colomer et al. 2019 reported), so the
DOPAC and butyrate modules go with lower PHQ-9 and partly carry the diet's
effect. Other species carry random parts of the other modules. Writes a
HUMAnN 3 stratified KO table (RPKs; UNMAPPED; community rows the sums of their
strata), the species' read counts and the participants' metadata. NumPy PCG64, seed 20261205.
"""
import os
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
N = 120
SPECIES = ["g__Coprococcus.s__Coprococcus_comes", "g__Faecalibacterium.s__Faecalibacterium_prausnitzii",
           "g__Bacteroides.s__Bacteroides_uniformis", "g__Bacteroides.s__Bacteroides_vulgatus",
           "g__Dialister.s__Dialister_invisus", "g__Roseburia.s__Roseburia_intestinalis",
           "g__Eubacterium.s__Eubacterium_rectale", "g__Akkermansia.s__Akkermansia_muciniphila",
           "g__Prevotella.s__Prevotella_copri", "g__Alistipes.s__Alistipes_putredinis",
           "g__Ruminococcus.s__Ruminococcus_bromii", "g__Bifidobacterium.s__Bifidobacterium_longum",
           "g__Escherichia.s__Escherichia_coli", "g__Parabacteroides.s__Parabacteroides_distasonis",
           "g__Blautia.s__Blautia_obeum", "g__Anaerostipes.s__Anaerostipes_hadrus",
           "g__Streptococcus.s__Streptococcus_thermophilus", "g__Enterococcus.s__Enterococcus_faecalis",
           "g__Veillonella.s__Veillonella_parvula", "g__Odoribacter.s__Odoribacter_splanchnicus"]


def modules(path):
    out, cur = {}, None
    for line in open(path):
        line = line.rstrip("\n")
        if line == "///":
            cur = None
        elif line.strip():
            f = line.split("\t")
            if cur is None:
                cur = f[0]
                out[cur] = []
            else:
                out[cur].append([a.split(",") for a in f if a])
    return out


def main():
    rng = np.random.default_rng(20261205)
    gbm = modules(os.path.join(ROOT, "Datasets", "module-databases", "GBMs.v1.0.txt"))
    gmm = modules(os.path.join(ROOT, "Datasets", "module-databases", "GMMs.v1.07.txt"))
    every = {**gbm, **gmm}
    is_ko = lambda k: len(k) == 6 and k[0] == "K" and k[1:].isdigit()
    kos = sorted({k for m in every.values() for s in m for a in s for k in a if is_ko(k)})
    others = [f"K{n:05d}" for n in rng.choice(np.arange(1, 25000), 150, replace=False) if f"K{n:05d}" not in set(kos)]

    def whole(module):
        """One alternative of every step of a module, KOs only."""
        return {k for step in every[module] for k in step[rng.integers(len(step))] if is_ko(k)}

    # The DOPAC and butyrate modules' orthologs are Coprococcus' and
    # Faecalibacterium's alone: no other species carries them.
    private = {k for m in ("MGB024", "MGB052", "MGB053") for s in every[m] for a in s for k in a}
    genomes = {}
    for sp in SPECIES + ["unclassified"]:
        g = set(rng.choice(others, 20, replace=False))
        for name, steps in every.items():
            if name in ("MGB024", "MGB052", "MGB053"):
                continue
            r = rng.random()
            share = 1.0 if r < 0.12 else 0.5 if r < 0.3 else 0.0
            for step in steps:
                if rng.random() < share:
                    g.update(k for k in step[rng.integers(len(step))] if is_ko(k) and k not in private)
        genomes[sp] = g
    genomes[SPECIES[0]] |= whole("MGB024") | whole("MGB052") | whole("MGB053")
    genomes[SPECIES[1]] |= whole("MGB052")

    diet = np.repeat([0, 1], N // 2)
    rng.shuffle(diet)
    age = rng.integers(19, 71, N)
    sex = rng.choice(["F", "M"], N)
    log_abundance = rng.normal(3, 1, (len(SPECIES) + 1, N))
    log_abundance[0] += 0.9 * diet     # Coprococcus up with fibre
    log_abundance[1] += 0.6 * diet     # Faecalibacterium up with fibre
    present = rng.random((len(SPECIES) + 1, N)) < 0.85
    present[:2] = rng.random((2, N)) < 0.95
    present[-1] = True
    abundance = np.exp(log_abundance) * present
    copro = np.log(abundance[0] + 1)
    phq9 = np.clip(np.round(14 - 2.5 * (copro - copro.mean()) / copro.std() - 1.2 * diet + 0.03 * (age - 45) + rng.normal(0, 3.5, N)), 0, 27).astype(int)

    samples = [f"GB{k:03d}" for k in range(1, N + 1)]
    strata = {}
    for s, sp in enumerate(SPECIES + ["unclassified"]):
        for ko in sorted(genomes[sp]):
            v = np.round(abundance[s] * rng.choice([1, 1, 2]) * np.exp(rng.normal(0, 0.25, N)), 4)
            v[rng.random(N) < 0.03] = 0
            if v.sum() > 0:
                strata[(ko, sp)] = v
    fmt = lambda x: "0" if x == 0 else repr(float(x))
    with open(os.path.join(HERE, "humann_ko_stratified.tsv"), "w") as f:
        f.write("# Gene Family\t" + "\t".join(s + "_Abundance-RPKs" for s in samples) + "\n")
        f.write("UNMAPPED\t" + "\t".join(fmt(x) for x in np.round(rng.uniform(2e3, 6e3, N), 2)) + "\n")
        for ko in sorted({k for k, _ in strata}):
            rows = sorted((sp, v) for (k, sp), v in strata.items() if k == ko)
            total = np.zeros(N)
            for _, v in rows:
                total = total + v
            f.write(ko + "\t" + "\t".join(fmt(x) for x in total) + "\n")
            for sp, v in rows:
                f.write(f"{ko}|{sp}\t" + "\t".join(fmt(x) for x in v) + "\n")
    # Species read counts (the taxonomic profile beside the functional one):
    # ~20,000 reads per sample, multinomial on the species' shares.
    shares = abundance / abundance.sum(axis=0)
    reads = np.stack([rng.multinomial(int(rng.integers(15000, 25000)), shares[:, k]) for k in range(N)], axis=1)
    with open(os.path.join(HERE, "counts.csv"), "w") as f:
        f.write("sample_id," + ",".join(sp.split(".s__")[-1] if sp != "unclassified" else "unclassified" for sp in SPECIES + ["unclassified"]) + "\n")
        for k in range(N):
            f.write(samples[k] + "," + ",".join(str(int(x)) for x in reads[:, k]) + "\n")
    with open(os.path.join(HERE, "metadata.csv"), "w") as f:
        f.write("sample_id,diet,age,sex,phq9_total\n")
        for k in range(N):
            f.write(f"{samples[k]},{'high_fibre' if diet[k] else 'usual'},{age[k]},{sex[k]},{phq9[k]}\n")


if __name__ == "__main__":
    main()
