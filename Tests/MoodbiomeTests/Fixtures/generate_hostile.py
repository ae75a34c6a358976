#!/usr/bin/env python3
"""Hostile and damaged binary inputs (Tests/MoodbiomeTests/IO/HostileInputTests.swift).

Tools: h5py 3.16 (HDF5 1.14), numpy 2, Python 3.11 (zipfile, struct).
Command: python3 Tests/MoodbiomeTests/Fixtures/generate_hostile.py

Each file below is small on disk and breaks one promise a reader must not
take on trust; the test expects each to be refused with the message named
there, without allocating what it declares:

- huge-declared.biom: sample/matrix/data and indices declare 10^10 values in
  deflated chunks of which none is stored (80 GB as doubles);
- external-link.biom: sample/matrix/data is an HDF5 external link into
  external-target.h5 (data provenance would never fingerprint);
- external-storage.biom: sample/matrix/data's values live in a raw file
  beside it (HDF5 external storage);
- float-indices.biom: sample/matrix/indices stored as float64 with 1.5 in it;
- control-id.biom: a sample ID holding ESC (an ANSI colour sequence);
- invalid-utf8-id.biom: a sample ID whose bytes are not UTF-8;
- padded-duplicate.biom: sample IDs "s0" and "s0 " (one name, twice);
- lying-size.qza: a QIIME 2 artifact whose feature-table.biom entry declares
  2 GiB in the ZIP headers but holds a few hundred deflated bytes.
"""
import os
import struct
import zipfile

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "hostile")
STRING = h5py.string_dtype("utf-8")


def skeleton(f, samples, observations=("o1", "o2")):
    f.attrs["id"] = "hostile"
    f.attrs["format-version"] = np.array([2, 1], dtype=np.int32)
    f.attrs["shape"] = np.array([len(observations), len(samples)], dtype=np.int32)
    for axis, ids in (("observation", observations), ("sample", samples)):
        g = f.create_group(axis)
        g.create_dataset("ids", data=np.array(ids, dtype=object), dtype=STRING)


def matrix(group, data, indices, pointers, index_dtype="<i4"):
    group.create_dataset("matrix/data", data=np.asarray(data, dtype="<f8"))
    group.create_dataset("matrix/indices", data=np.asarray(indices, dtype=index_dtype))
    group.create_dataset("matrix/indptr", data=np.asarray(pointers, dtype="<i4"))


def raw_ids(f, path, values):
    """A variable-length string dataset written from raw bytes (any bytes)."""
    d = f.create_dataset(path, (len(values),), dtype=h5py.string_dtype("ascii"))
    for i, v in enumerate(values):
        d[i] = v


def main():
    os.makedirs(OUT, exist_ok=True)
    with h5py.File(os.path.join(OUT, "huge-declared.biom"), "w") as f:
        skeleton(f, ["s1", "s2"])
        g = f["sample"]
        g.create_dataset("matrix/data", shape=(10**10,), dtype="<f8", chunks=(1 << 16,), compression="gzip")
        g.create_dataset("matrix/indices", shape=(10**10,), dtype="<i4", chunks=(1 << 16,), compression="gzip")
        g.create_dataset("matrix/indptr", data=np.array([0, 0, 0], dtype="<i4"))

    with h5py.File(os.path.join(OUT, "external-target.h5"), "w") as f:
        f.create_dataset("data", data=np.array([1.0, 2.0], dtype="<f8"))
    with h5py.File(os.path.join(OUT, "external-link.biom"), "w") as f:
        skeleton(f, ["s1", "s2"])
        g = f["sample"]
        g["matrix/data"] = h5py.ExternalLink("external-target.h5", "/data")
        g.create_dataset("matrix/indices", data=np.array([0, 1], dtype="<i4"))
        g.create_dataset("matrix/indptr", data=np.array([0, 1, 2], dtype="<i4"))

    with open(os.path.join(OUT, "external-storage.raw"), "wb") as raw:
        raw.write(struct.pack("<2d", 1.0, 2.0))
    with h5py.File(os.path.join(OUT, "external-storage.biom"), "w") as f:
        skeleton(f, ["s1", "s2"])
        g = f["sample"]
        g.create_dataset("matrix/data", shape=(2,), dtype="<f8", external=[("external-storage.raw", 0, 16)])
        g.create_dataset("matrix/indices", data=np.array([0, 1], dtype="<i4"))
        g.create_dataset("matrix/indptr", data=np.array([0, 1, 2], dtype="<i4"))

    with h5py.File(os.path.join(OUT, "float-indices.biom"), "w") as f:
        skeleton(f, ["s1", "s2"])
        matrix(f["sample"], [3, 4], [0, 1.5], [0, 1, 2], index_dtype="<f8")

    with h5py.File(os.path.join(OUT, "control-id.biom"), "w") as f:
        skeleton(f, ["s1", "\x1b[31mred"])
        matrix(f["sample"], [3, 4], [0, 1], [0, 1, 2])

    with h5py.File(os.path.join(OUT, "invalid-utf8-id.biom"), "w") as f:
        f.attrs["format-version"] = np.array([2, 1], dtype=np.int32)
        f.create_group("observation").create_dataset("ids", data=np.array(["o1", "o2"], dtype=object), dtype=STRING)
        raw_ids(f, "sample/ids", [b"s1", b"s\xff2"])
        matrix(f["sample"], [3, 4], [0, 1], [0, 1, 2])

    with h5py.File(os.path.join(OUT, "padded-duplicate.biom"), "w") as f:
        skeleton(f, ["s0", "s0 "])
        matrix(f["sample"], [3, 4], [0, 1], [0, 1, 2])

    # A real artifact's layout, then the entry's declared size raised to
    # 2 GiB in its local header and in the central directory.
    path = os.path.join(OUT, "lying-size.qza")
    uuid = "3f2a9c1e-7b4d-4e8a-9c55-0d6b1e2f4a10"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{uuid}/VERSION", "QIIME 2\narchive: 5\nframework: 2023.9.1\n")
        z.writestr(f"{uuid}/metadata.yaml", f"uuid: {uuid}\ntype: FeatureTable[Frequency]\nformat: BIOMV210DirFmt\n")
        z.writestr(f"{uuid}/data/feature-table.biom", b"\x89HDF\r\n\x1a\n" + bytes(300))
    data = bytearray(open(path, "rb").read())
    name = f"{uuid}/data/feature-table.biom".encode()
    # (signature, offset of the name length, of the name, of the size field)
    for signature, length_at, name_at, size_at in ((b"PK\x03\x04", 26, 30, 22), (b"PK\x01\x02", 28, 46, 24)):
        header = data.find(signature)
        while header >= 0:
            n = struct.unpack_from("<H", data, header + length_at)[0]
            if bytes(data[header + name_at:header + name_at + n]) == name:
                struct.pack_into("<I", data, header + size_at, 1 << 31)
            header = data.find(signature, header + 4)
    open(path, "wb").write(bytes(data))


if __name__ == "__main__":
    main()
