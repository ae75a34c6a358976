#!/usr/bin/env python3
"""Format fixtures and their reference values (Tests/MoodbiomeTests/IO/FormatTests.swift).

Tools: biom-format 2.1.18, scikit-bio 0.7.4, h5py 3.16, Python 3.11 (zipfile).
Command: python3 Tests/MoodbiomeTests/Fixtures/generate_formats.py

Writes into Fixtures/formats/:
- rich-sparse.qza: a QIIME 2 artifact built the way QIIME 2 lays one out
  (<uuid>/VERSION, <uuid>/metadata.yaml with type FeatureTable[Frequency],
  <uuid>/data/feature-table.biom as BIOM 2.1 written by biom-format's
  Table.to_hdf5 from rich_sparse_otu_table.biom); taxonomy.qza, a
  FeatureData[Taxonomy] artifact (to be refused as a table);
- metaphlan-merged.tsv: a merged MetaPhlAn 4 profile (header lines, every
  rank from kingdom to SGB, percentages), made here;
- bad-*: a truncated HDF5 file, a ZIP archive with no artifact inside, a JSON
  file without "shape";
formats/moodbiome-written.check.txt: what biom-format reads from
formats/moodbiome-written.biom, which `moodbiome convert
Tests/MoodbiomeTests/Fixtures/formats/rich_sparse_otu_table.biom
Tests/MoodbiomeTests/Fixtures/formats/moodbiome-written.biom` wrote (run that
first): shape, non-zeros, IDs, sample sums and taxonomy — the proof that
biom-format and QIIME 2 read Moodbiome's BIOM 2.1;
and formats-reference.csv: shannon, simpson and observed_features by
scikit-bio of every sample of every fixture table (BIOM 1.0 read by
biom-format; mothur .shared label 0.03 parsed here; MetaPhlAn species rows).
"""
import csv
import io
import os
import zipfile

import biom
import numpy as np
from skbio.diversity import alpha_diversity

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "formats")
UUID = "3f2a9c1e-7b4d-4e8a-9c55-0d6b1e2f4a10"


def artifact(path, semantic_type, files):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{UUID}/VERSION", "QIIME 2\narchive: 5\nframework: 2023.9.1\n")
        z.writestr(f"{UUID}/metadata.yaml", f"uuid: {UUID}\ntype: {semantic_type}\nformat: BIOMV210DirFmt\n")
        for name, data in files.items():
            z.writestr(f"{UUID}/data/{name}", data)


def main():
    rich = biom.load_table(os.path.join(OUT, "rich_sparse_otu_table.biom"))
    h5 = os.path.join(OUT, "rich-sparse-tmp.biom")
    import h5py
    with h5py.File(h5, "w") as f:
        rich.to_hdf5(f, "Moodbiome fixture (biom-format 2.1.18)")
    with open(h5, "rb") as fh:
        biom_bytes = fh.read()
    os.remove(h5)
    artifact(os.path.join(OUT, "rich-sparse.qza"), "FeatureTable[Frequency]", {"feature-table.biom": biom_bytes})
    artifact(os.path.join(OUT, "taxonomy.qza"), "FeatureData[Taxonomy]",
             {"taxonomy.tsv": "Feature ID\tTaxon\tConfidence\nGG_OTU_1\tk__Bacteria; p__Proteobacteria\t0.99\n"})

    # A merged MetaPhlAn 4 profile: every rank, percentages per sample.
    species = {
        "k__Bacteria|p__Firmicutes|c__Clostridia|o__Eubacteriales|f__Lachnospiraceae|g__Coprococcus|s__Coprococcus_comes": [12.5, 3.0, 0.0],
        "k__Bacteria|p__Firmicutes|c__Clostridia|o__Eubacteriales|f__Oscillospiraceae|g__Faecalibacterium|s__Faecalibacterium_prausnitzii": [30.0, 45.5, 10.0],
        "k__Bacteria|p__Bacteroidetes|c__Bacteroidia|o__Bacteroidales|f__Bacteroidaceae|g__Bacteroides|s__Bacteroides_vulgatus": [50.0, 40.0, 70.0],
        "k__Bacteria|p__Actinobacteria|c__Coriobacteriia|o__Eggerthellales|f__Eggerthellaceae|g__Eggerthella|s__Eggerthella_lenta": [7.5, 11.5, 20.0],
    }
    samples = ["P01_profile", "P02_profile", "P03_profile"]
    rows = []
    seen = {}
    for clade, values in species.items():
        parts = clade.split("|")
        for depth in range(1, len(parts) + 1):
            key = "|".join(parts[:depth])
            seen.setdefault(key, [0.0, 0.0, 0.0])
            seen[key] = [a + b for a, b in zip(seen[key], values)]
    for key in sorted(seen, key=lambda k: (k.count("|"), k)):
        rows.append((key, seen[key]))
    for i, (clade, values) in enumerate(species.items()):
        rows.append((clade + "|t__SGB" + str(1001 + i), values))
    with open(os.path.join(OUT, "metaphlan-merged.tsv"), "w") as fh:
        fh.write("#mpa_vJan21_CHOCOPhlAnSGB_202103\n")
        fh.write("clade_name\t" + "\t".join(samples) + "\n")
        for clade, values in rows:
            fh.write(clade + "\t" + "\t".join(f"{v:.5f}" for v in values) + "\n")

    with open(os.path.join(HERE, "..", "..", "..", "Datasets", "globalpatterns", "feature-table.biom"), "rb") as fh:
        head = fh.read(4096)
    with open(os.path.join(OUT, "bad-truncated.biom"), "wb") as fh:
        fh.write(head)
    with zipfile.ZipFile(os.path.join(OUT, "bad-no-artifact.qza"), "w") as z:
        z.writestr("readme.txt", "not an artifact\n")
    with open(os.path.join(OUT, "bad-no-shape.biom"), "w") as fh:
        fh.write('{"id": null, "format": "Biological Observation Matrix 1.0.0", "rows": [], "columns": [], "data": []}\n')

    written = os.path.join(OUT, "moodbiome-written.biom")
    if os.path.exists(written):
        t = biom.load_table(written)
        with open(os.path.join(OUT, "moodbiome-written.check.txt"), "w") as fh:
            fh.write(f"biom-format {biom.__version__} load_table\n")
            fh.write(f"shape {t.shape[0]} {t.shape[1]}\nnnz {t.nnz}\ntype {t.type}\n")
            fh.write("samples " + " ".join(t.ids()) + "\n")
            fh.write("observations " + " ".join(t.ids(axis="observation")) + "\n")
            fh.write("sums " + " ".join(repr(float(x)) for x in t.sum(axis="sample")) + "\n")
            fh.write("taxonomy0 " + "; ".join(t.metadata(axis="observation")[0]["taxonomy"]) + "\n")

    # References by scikit-bio.
    metrics = ["shannon", "simpson", "observed_features"]
    out = [("dataset", "sample_id", "metric", "value")]

    def add(name, ids, counts):
        for m in metrics:
            values = alpha_diversity(m, counts, ids=ids)
            for sid, v in zip(ids, values):
                out.append((name, sid, m, repr(float(v))))

    for name in ["rich_sparse_otu_table", "rich_dense_otu_table", "min_sparse_otu_table", "min_dense_otu_table"]:
        t = biom.load_table(os.path.join(OUT, name + ".biom"))
        add(name, list(t.ids()), t.matrix_data.toarray().T)
    with open(os.path.join(OUT, "esophagus.fn.shared")) as fh:
        lines = [l.rstrip("\n").rstrip("\t").split("\t") for l in fh]
    ids, counts = [], []
    for fields in lines[1:]:
        if fields[0] == "0.03":
            ids.append(fields[1])
            counts.append([int(x) for x in fields[3:3 + int(fields[2])]])
    add("esophagus-0.03", ids, np.array(counts))
    add("metaphlan-species", samples, np.array([[species[c][j] for c in species] for j in range(3)]))
    with open(os.path.join(HERE, "formats-reference.csv"), "w", newline="") as fh:
        fh.write("# scikit-bio 0.7.4 alpha_diversity; tables read with biom-format 2.1.18; see generate_formats.py\n")
        csv.writer(fh, lineterminator="\n").writerows(out)


if __name__ == "__main__":
    main()
