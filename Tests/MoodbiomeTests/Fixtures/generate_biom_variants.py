#!/usr/bin/env python3
"""BIOM 2.1 files in every layout HDF5 allows, and the table each must read as
(Tests/MoodbiomeTests/IO/BIOMVariantTests.swift).

Tools: h5py 3.16 (HDF5 1.14), biom-format 2.1.18, numpy 2, Python 3.11.
Command: python3 Tests/MoodbiomeTests/Fixtures/generate_biom_variants.py

biom-format itself writes float64 data, int32 indices and indptr, gzip level
4 in h5py's automatic chunks. Other writers (rhdf5, h5py scripts, older
pipelines) store integer counts, other widths, big-endian words, several
small chunks, shuffle or Fletcher-32 filters, or no compression; scripts
write columns whose indices are unsorted or carry explicit zeros. Each file
below holds the same 23 samples × 37 observations (integer counts, about
70 % zeros; numpy seed 7) in one such layout, its `sample/matrix` group
being the table. `variants/expected.csv` is the table as biom-format reads
the reference file (samples as rows), which every variant must equal.

`variants/lzf.biom` uses h5py's own LZF filter, which the HDF5 C library
does not have: it must be refused with a message, never read as garbage.
"""
import os

import biom
import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "formats", "variants")
SAMPLES, OBSERVATIONS = 23, 37


def table():
    rng = np.random.default_rng(7)
    counts = rng.poisson(rng.gamma(0.6, 40, size=(OBSERVATIONS, SAMPLES)))
    counts[rng.random((OBSERVATIONS, SAMPLES)) < 0.7] = 0
    counts[:, 5] = 0  # one sample with no reads
    return counts


def write(path, counts, data_dtype="<f8", index_dtype="<i4", pointer_dtype="<i4", chunks=None,
          compression="gzip", shuffle=False, fletcher32=False, scrambled=False, userblock=0):
    """Writes `counts` (observations × samples) as BIOM 2.1 in the given layout."""
    observations = [f"OTU_{i}" for i in range(counts.shape[0])]
    samples = [f"S{j}" for j in range(counts.shape[1])]
    string = h5py.string_dtype("utf-8")

    def dataset(group, name, values, dtype):
        options = {}
        if compression is not None or shuffle or fletcher32 or chunks:
            options["chunks"] = (chunks,) if chunks and len(values) > 0 else True if len(values) > 0 else None
        if compression is not None and len(values) > 0:
            options["compression"] = compression
        if shuffle and len(values) > 0:
            options["shuffle"] = True
        if fletcher32 and len(values) > 0:
            options["fletcher32"] = True
        if options.get("chunks") is None:
            options = {}
        group.create_dataset(name, data=np.asarray(values, dtype=dtype), **options)

    def axis(f, name, ids, matrix):
        group = f.create_group(name)
        group.create_dataset("ids", data=np.array(ids, dtype=object), dtype=string)
        group.create_group("metadata")
        group.create_group("group-metadata")
        data, indices, pointers = [], [], [0]
        for column in matrix.T:
            rows = list(np.nonzero(column)[0])
            if scrambled:
                # Explicit zeros and reversed order: what a script writing
                # CSC columns by hand may do; the table is unchanged.
                rows = list(reversed(rows)) + ([0] if column[0] == 0 else [])
            for r in rows:
                indices.append(r)
                data.append(column[r])
            pointers.append(len(data))
        dataset(group, "matrix/data", data, data_dtype)
        dataset(group, "matrix/indices", indices, index_dtype)
        dataset(group, "matrix/indptr", pointers, pointer_dtype)

    with h5py.File(path, "w", userblock_size=userblock) as f:
        f.attrs["id"] = "variant"
        f.attrs["type"] = "OTU table"
        f.attrs["format-url"] = "http://biom-format.org"
        f.attrs["format-version"] = np.array([2, 1], dtype=np.int32)
        f.attrs["generated-by"] = "Moodbiome fixture (h5py)"
        f.attrs["creation-date"] = "2026-12-04T00:00:00"
        f.attrs["shape"] = np.array(counts.shape, dtype=np.int32)
        f.attrs["nnz"] = int(np.count_nonzero(counts))
        axis(f, "observation", observations, counts.T)
        axis(f, "sample", samples, counts)


def main():
    os.makedirs(OUT, exist_ok=True)
    counts = table()
    variants = {
        "reference": {},
        "int64-chunked": dict(data_dtype="<i8", chunks=16),
        "int32-chunked": dict(data_dtype="<i4", chunks=16),
        "uint16-chunked": dict(data_dtype="<u2", chunks=16),
        "float32-chunked": dict(data_dtype="<f4", chunks=16),
        "float64-big-endian": dict(data_dtype=">f8", index_dtype=">i4", pointer_dtype=">i8", chunks=16),
        "int64-indices": dict(index_dtype="<i8", pointer_dtype="<i8", chunks=16),
        "uint32-indices": dict(index_dtype="<u4", pointer_dtype="<u4"),
        "contiguous": dict(compression=None),
        "chunked-uncompressed": dict(compression=None, chunks=16),
        "shuffle-gzip": dict(data_dtype="<i8", chunks=16, shuffle=True),
        "fletcher32": dict(chunks=16, fletcher32=True),
        "gzip-level-9-one-chunk": dict(compression=9),
        "scrambled-columns": dict(scrambled=True, chunks=16),
        "lzf": dict(compression="lzf", chunks=16),
        # HDF5 addresses count from the end of a user block; the file's
        # signature is then at byte 512, not 0.
        "userblock-chunked": dict(chunks=16, userblock=512),
    }
    for name, options in variants.items():
        write(os.path.join(OUT, f"{name}.biom"), counts, **options)
    reference = biom.load_table(os.path.join(OUT, "reference.biom"))
    dense = reference.matrix_data.toarray().T
    with open(os.path.join(OUT, "expected.csv"), "w") as out:
        out.write("sample_id," + ",".join(reference.ids("observation")) + "\n")
        for sample, row in zip(reference.ids("sample"), dense):
            out.write(sample + "," + ",".join(str(int(v)) for v in row) + "\n")
    # biom-format reads every variant it can to the same table.
    for name in variants:
        if name == "lzf":
            continue
        other = biom.load_table(os.path.join(OUT, f"{name}.biom"))
        assert np.array_equal(other.matrix_data.toarray().T, dense), name


if __name__ == "__main__":
    main()
