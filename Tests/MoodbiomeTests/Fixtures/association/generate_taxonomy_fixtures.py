"""Taxonomy fixtures for Moodbiome's collapse and taxonomy-reader tests.

Tools: Python 3.11, pandas 3.1.1. Run from the repository root:

    python3 Tests/MoodbiomeTests/Fixtures/association/generate_taxonomy_fixtures.py

Writes beside this script:
  collapse-genus-reference.csv  GlobalPatterns collapsed to genus by the rule documented in
                                CountTable.collapsed(to:) (QIIME 2's taxa collapse, with
                                placeholder names — uncultured, Unassigned, … — made empty
                                so they form one bucket under their parent): lineage,
                                n_features, total, CL3 — computed here with pandas alone.
  taxonomy-mothur.cons.taxonomy, taxonomy-ranks.tsv, taxonomy.qza (FeatureData[Taxonomy]),
  tree.qza (Phylogeny[Rooted]): one small table's taxonomy and tree in each format.
"""
import os
import zipfile
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "../../../.."))
PLACEHOLDERS = {"", "na", "nan", "none", "unclassified", "unassigned", "unknown", "uncultured", "unidentified",
                "uncultured bacterium", "ambiguous_taxa", "__"}
PREFIXES = ["k__", "p__", "c__", "o__", "f__", "g__", "s__", "t__"]


def key(lineage, depth):
    out = []
    for i, raw in enumerate([x.strip() for x in lineage.split(";")]):
        if i >= depth:
            break
        prefix = raw[:3] if raw[:3].lower() in [p for p in PREFIXES] + ["d__"] else PREFIXES[i]
        name = raw[3:] if raw[:3].lower() in PREFIXES + ["d__"] else raw
        out.append(prefix + ("" if name.lower() in PLACEHOLDERS else name))
    while out and out[-1] == "":
        out.pop()
    return "; ".join(out)


table = pd.read_csv(os.path.join(ROOT, "Datasets/globalpatterns/feature-table.tsv"), sep="\t", skiprows=1, index_col=0)
table.index = table.index.astype(str)
tax = pd.read_csv(os.path.join(ROOT, "Datasets/globalpatterns/taxonomy.tsv"), sep="\t", index_col=0)
tax.index = tax.index.astype(str)
lineage = tax.loc[table.index, "Taxon"].map(lambda t: key(t, 6))
groups = table.groupby(lineage, sort=False)
out = pd.DataFrame({"lineage": list(groups.groups.keys())})
out["n_features"] = [len(groups.get_group(k)) for k in out.lineage]
out["total"] = [int(groups.get_group(k).values.sum()) for k in out.lineage]
out["CL3"] = [int(groups.get_group(k)["CL3"].sum()) for k in out.lineage]
out.to_csv(os.path.join(HERE, "collapse-genus-reference.csv"), index=False)

# A small table's taxonomy in every format (features f1..f5).
features = ["f1", "f2", "f3", "f4", "f5"]
lineages = [
    ["Bacteria", "Firmicutes", "Clostridia", "Lachnospirales", "Lachnospiraceae", "Coprococcus"],
    ["Bacteria", "Firmicutes", "Clostridia", "Lachnospirales", "Lachnospiraceae", "Coprococcus"],
    ["Bacteria", "Firmicutes", "Negativicutes", "Veillonellales", "Veillonellaceae", "Dialister"],
    ["Bacteria", "Firmicutes", "Clostridia", "Lachnospirales", "Lachnospiraceae", "unclassified"],
    ["Bacteria", "Proteobacteria", "unclassified", "unclassified", "unclassified", "unclassified"],
]
with open(os.path.join(HERE, "taxonomy-mothur.cons.taxonomy"), "w") as f:
    f.write("OTU\tSize\tTaxonomy\n")
    for fid, l in zip(features, lineages):
        f.write(f"{fid}\t10\t" + "".join(f"{x}(100);" for x in l) + "\n")
with open(os.path.join(HERE, "taxonomy-ranks.tsv"), "w") as f:
    f.write("otu\tKingdom\tPhylum\tClass\tOrder\tFamily\tGenus\n")
    for fid, l in zip(features, lineages):
        f.write(fid + "\t" + "\t".join("NA" if x == "unclassified" else x for x in l) + "\n")
qiime = "Feature ID\tTaxon\tConfidence\n" + "".join(
    fid + "\t" + "; ".join(p + ("" if x == "unclassified" else x) for p, x in zip(["d__", "p__", "c__", "o__", "f__", "g__"], l)) + "\t0.99\n"
    for fid, l in zip(features, lineages))
uuid = "2c9d3e1a-0b6f-4f7e-9a51-6f0d8c1e2b3a"
with zipfile.ZipFile(os.path.join(HERE, "taxonomy.qza"), "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr(f"{uuid}/metadata.yaml", f"uuid: {uuid}\ntype: FeatureData[Taxonomy]\nformat: TSVTaxonomyDirectoryFormat\n")
    z.writestr(f"{uuid}/data/taxonomy.tsv", qiime)
uuid = "7e0b1c2d-3a4f-4b5c-8d6e-9f0a1b2c3d4e"
with zipfile.ZipFile(os.path.join(HERE, "tree.qza"), "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr(f"{uuid}/metadata.yaml", f"uuid: {uuid}\ntype: Phylogeny[Rooted]\nformat: NewickDirectoryFormat\n")
    z.writestr(f"{uuid}/data/tree.nwk", "(((f1:0.1,f2:0.1):0.2,f4:0.3):0.1,(f3:0.4,f5:0.5):0.2);\n")
with open(os.path.join(HERE, "small-table.csv"), "w") as f:
    f.write("sample_id," + ",".join(features) + "\n")
    f.write("s1,10,5,0,3,1\ns2,0,2,7,0,4\ns3,1,0,0,9,0\n")
print("pandas", pd.__version__)
