import CHDF5
import FoundationEssentials
import MoodbiomeNumerics
#if canImport(Glibc)
import Glibc
#endif

/// A BIOM 2.1 file as HDF5 describes it: everything but the two large
/// arrays (`sample/matrix/data` and `indices`), and where those lie.
///
/// Reading a table takes two steps. HDF5 parses the file into this layout
/// (``BIOM2/layout(file:source:)``) — in the `moodbiome-hdf5` helper process
/// when it is installed, since HDF5 itself can crash on a damaged file —
/// and ``table(from:source:)`` then builds the table without HDF5: the
/// deflated chunks read from the file at the addresses HDF5 gave and
/// inflated by libdeflate on all cores, every address, size and position
/// checked against the file and the dataset first.
struct BIOM2Layout: Sendable {
    var sampleIDs: [String]
    var observationIDs: [String]
    /// The stored values (both arrays hold this many).
    var nonZeros: Int
    var indptr: [Int64]
    var data: StoredArray<Double>
    var indices: StoredArray<Int32>
    var taxonomy: [String]?
    var origin: TableOrigin

    /// How one of the large arrays is stored.
    enum StoredArray<T: BitwiseCopyable & Sendable>: Sendable {
        /// Deflated chunks of `chunkLength` elements whose stored type is
        /// the memory type, to be inflated from the file.
        case deflated(chunkLength: Int, chunks: [StoredChunk])
        /// Any other layout, read (and converted) by HDF5.
        case values([T])
    }

    /// A chunk: its first element, and its compressed bytes' place in the file.
    struct StoredChunk: Sendable, Equatable {
        var offset: Int
        var address: Int
        var size: Int
    }

    /// Where the chunks' bytes are read from: the file, or the image of it
    /// held in memory (a table inside a `.qza`).
    enum Bytes {
        case file(String)
        case image([UInt8])
    }

    /// The table: the arrays read and checked, the IDs checked unique.
    func table(from bytes: Bytes, source: String) throws -> CountTable {
        let reader = try ChunkReader(bytes, source: source)
        let values = try reader.array(data, path: "sample/matrix/data", count: nonZeros, source: source)
        let indices = try reader.array(self.indices, path: "sample/matrix/indices", count: nonZeros, source: source)
        return try assemble(values: values, indices: indices, source: source)
    }

    /// Check: monotone pointers, indices in range, values finite and
    /// non-negative. The usual file (no stored zeros, indices increasing
    /// within each sample, as biom-format writes it) is taken as it is;
    /// otherwise zeros are dropped and each sample's indices sorted.
    func assemble(values: [Double], indices: [Int32], source: String) throws -> CountTable {
        let observations = observationIDs.count, nnz = nonZeros
        var values = values, indices = indices
        var integral = true, clean = true
        var starts = [Int](repeating: 0, count: sampleIDs.count + 1)
        for j in 0..<sampleIDs.count {
            let lo = Int(indptr[j]), hi = Int(indptr[j + 1])
            guard lo >= 0, lo <= hi, hi <= nnz, (j > 0 || lo == 0) else {
                throw InputError(file: source, problem: "BIOM 2.1: sample/matrix/indptr is not increasing at sample '\(sampleIDs[j])'")
            }
            starts[j + 1] = hi
            var previous: Int32 = -1
            for k in lo..<hi {
                let t = indices[k], v = values[k]
                guard t >= 0, Int(t) < observations else {
                    throw InputError(file: source, problem: "BIOM 2.1: observation index \(t) of sample '\(sampleIDs[j])' is outside 0–\(observations - 1)")
                }
                guard v.isFinite, v >= 0 else {
                    throw InputError(file: source, problem: "BIOM 2.1: abundance \(v) in sample '\(sampleIDs[j])'; abundances must be finite and non-negative")
                }
                guard v <= largestExactCount else {
                    throw InputError(file: source, problem: "BIOM 2.1: abundance \(NumberStyle.roundTrip.format(v)) in sample '\(sampleIDs[j])' is above 2^53 = 9007199254740992, beyond which a 64-bit double cannot hold every whole number, so the count would be rounded",
                                     fix: "Check the value: no sample has this many reads")
                }
                if v == 0 || t <= previous { clean = false }
                if integral && v != v.rounded(.towardZero) { integral = false }
                previous = t
            }
        }
        if starts[sampleIDs.count] != nnz {
            throw InputError(file: source, problem: "BIOM 2.1: sample/matrix/indptr ends at \(starts[sampleIDs.count]), not at the \(nnz) stored values")
        }
        if !clean { (starts, indices, values) = try sortedWithoutZeros(starts, indices, values, source: source) }
        try CountTable.checkUnique(sampleIDs, kind: "sample", file: source, lines: nil)
        try CountTable.checkUnique(observationIDs, kind: "observation", file: source, lines: nil)
        var table = CountTable(uncheckedSampleIDs: sampleIDs, taxonIDs: observationIDs, columnStarts: starts, taxonIndices: indices,
                               values: values, isIntegral: integral, taxonomy: taxonomy, source: source)
        table.origin = origin
        return table
    }

    /// Each sample's entries without stored zeros, in observation order (an
    /// observation twice in a sample is an error).
    func sortedWithoutZeros(_ starts: [Int], _ indices: [Int32], _ values: [Double], source: String) throws
        -> ([Int], [Int32], [Double]) {
        var keptTaxa = [Int32](), kept = [Double]()
        var keptStarts = [0]
        for j in 0..<sampleIDs.count {
            var pairs = (starts[j]..<starts[j + 1]).filter { values[$0] != 0 }.map { (indices[$0], values[$0]) }
            pairs.sort { $0.0 < $1.0 }
            for k in pairs.indices where k > 0 && pairs[k].0 == pairs[k - 1].0 {
                throw InputError(file: source, problem: "BIOM 2.1: observation '\(observationIDs[Int(pairs[k].0)])' appears twice in sample '\(sampleIDs[j])'")
            }
            for (t, v) in pairs { keptTaxa.append(t); kept.append(v) }
            keptStarts.append(kept.count)
        }
        return (keptStarts, keptTaxa, kept)
    }
}

/// Reads deflated chunks at the addresses HDF5 gave, from the file (each
/// thread its own `pread`) or from an image in memory.
final class ChunkReader: @unchecked Sendable {
    let descriptor: Int32
    let image: [UInt8]?
    let length: Int

    init(_ bytes: BIOM2Layout.Bytes, source: String) throws {
        switch bytes {
        case .image(let image):
            (descriptor, self.image, length) = (-1, image, image.count)
        case .file(let path):
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            var info = stat()
            guard fd >= 0, fstat(fd, &info) == 0 else {
                if fd >= 0 { close(fd) }
                throw InputError(file: source, problem: "cannot be read: \(String(cString: strerror(errno)))")
            }
            (descriptor, image, length) = (fd, nil, Int(info.st_size))
        }
    }

    deinit { if descriptor >= 0 { _ = Glibc.close(descriptor) } }

    /// Copies `size` bytes at `address` into `target`; false when they are
    /// not all in the file.
    func read(address: Int, size: Int, into target: UnsafeMutableRawPointer) -> Bool {
        guard address >= 0, size >= 0, address <= length - size else { return false }
        if let image {
            image.withUnsafeBytes { target.copyMemory(from: $0.baseAddress! + address, byteCount: size) }
            return true
        }
        var done = 0
        while done < size {
            let n = pread(descriptor, target + done, size - done, off_t(address + done))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            done += n
        }
        return true
    }

    /// The `count` elements of an array stored as `stored`.
    func array<T: BitwiseCopyable & Sendable>(_ stored: BIOM2Layout.StoredArray<T>, path: String, count: Int, source: String) throws -> [T] {
        switch stored {
        case .values(let values):
            guard values.count == count else { throw InputError(file: source, problem: "BIOM 2.1: '\(path)' does not hold \(count) values") }
            return values
        case .deflated(let chunkLength, let chunks):
            try check(chunks, chunkLength: chunkLength, count: count, path: path, source: source)
            return try inflate(chunks, chunkLength: chunkLength, count: count, path: path, source: source)
        }
    }

    /// Every chunk once, at a multiple of the chunk length inside the
    /// dataset, its bytes inside the file: then the chunks cover the
    /// dataset exactly, whatever the file claims.
    func check(_ chunks: [BIOM2Layout.StoredChunk], chunkLength: Int, count: Int, path: String, source: String) throws {
        let expected = chunkLength > 0 ? (count + chunkLength - 1) / chunkLength : -1
        var seen = [Bool](repeating: false, count: Swift.max(expected, 0))
        for chunk in chunks {
            let slot = chunkLength > 0 && chunk.offset % chunkLength == 0 ? chunk.offset / chunkLength : -1
            guard expected == chunks.count, slot >= 0, slot < expected, !seen[slot],
                  chunk.address >= 0, chunk.size >= 0, chunk.address <= length - chunk.size else {
                throw InputError(file: source, problem: "BIOM 2.1: the chunks of '\(path)' do not cover the dataset, or lie outside the file",
                                 fix: "The file is truncated or damaged; export the table again")
            }
            seen[slot] = true
        }
    }

    /// The chunks inflated on all cores, straight into the result.
    func inflate<T: BitwiseCopyable>(_ chunks: [BIOM2Layout.StoredChunk], chunkLength: Int, count: Int, path: String,
                                      source: String) throws -> [T] {
        if mb_deflate_load() != 0 { throw SystemLibrary.Unavailable(.hdf5, reason: String(cString: mb_deflate_error())) }
        let size = MemoryLayout<T>.size, chunkBytes = chunkLength * size
        return try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            initialized = 0
            guard let base = buffer.baseAddress else { return }
            let address = Int(bitPattern: base)
            let ok = parallelChunkMap(count: chunks.count) { range -> Bool in
                guard let inflater = mb_inflater() else { return false }
                defer { mb_free_inflater(inflater) }
                var compressed = [UInt8](), scratch = [UInt8]()
                for chunk in chunks[range] {
                    let whole = Swift.min(chunkLength, count - chunk.offset)
                    if compressed.count < chunk.size { compressed = [UInt8](repeating: 0, count: chunk.size) }
                    let target = UnsafeMutableRawPointer(bitPattern: address + chunk.offset * size)!
                    let good = compressed.withUnsafeMutableBytes { input -> Bool in
                        guard read(address: chunk.address, size: chunk.size, into: input.baseAddress!) else { return false }
                        let bytes = input.baseAddress!.assumingMemoryBound(to: UInt8.self)
                        if whole == chunkLength {
                            return mb_inflate(inflater, bytes, chunk.size, target.assumingMemoryBound(to: UInt8.self), chunkBytes) == 0
                        }
                        // The last chunk is stored whole; keep its part inside the dataset.
                        if scratch.isEmpty { scratch = [UInt8](repeating: 0, count: chunkBytes) }
                        let status = scratch.withUnsafeMutableBufferPointer { mb_inflate(inflater, bytes, chunk.size, $0.baseAddress!, chunkBytes) }
                        scratch.withUnsafeBytes { target.copyMemory(from: $0.baseAddress!, byteCount: whole * size) }
                        return status == 0
                    }
                    if !good { return false }
                }
                return true
            }
            guard ok.allSatisfy({ $0 }) else {
                throw InputError(file: source, problem: "BIOM 2.1: a deflated chunk of '\(path)' is damaged")
            }
            initialized = count
        }
    }
}
