import FoundationEssentials
import MoodbiomeNumerics
#if canImport(Glibc)
import Glibc
#endif

/// How `moodbiome-hdf5` sends a file's ``BIOM2Layout`` (or why there is
/// none) to the process that started it (``HDF5Process``): little-endian
/// integers, strings (a 32-bit length and UTF-8 bytes) and chunk places
/// through the pipe; the arrays HDF5 itself read (`indptr`, and data or
/// indices in a layout other than deflated chunks) as raw values into an
/// in-memory file (descriptor 4 in the helper), written before anything
/// goes into the pipe so that they are all there once the pipe has been
/// read up to them. A pipe copies in 64 KB–1 MB turns (10⁷ values took
/// 0.2 s that way); the file is one copy in and one copy out.
enum TableWire {
    static let magic: [UInt8] = Array("MBH5".utf8) + [1]

    /// The stream ended early: the helper died while writing.
    struct Truncated: Error {}

    // MARK: Writing (in the helper)

    /// Buffered writes to a descriptor; large arrays go straight through.
    struct Writer {
        let fd: Int32
        /// Where the arrays go.
        let bulk: Int32
        var buffer: [UInt8] = []
        var failed = false

        init(fd: Int32, bulk: Int32) { self.fd = fd; self.bulk = bulk }

        mutating func bytes(_ b: some Collection<UInt8>) { buffer.append(contentsOf: b); if buffer.count >= 1 << 20 { send() } }
        mutating func integer<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { bytes($0) } }
        mutating func string(_ s: String) { integer(UInt32(s.utf8.count)); bytes(s.utf8) }
        mutating func strings(_ list: [String]) { integer(UInt64(list.count)); for s in list { string(s) } }
        mutating func optional(_ s: String?) { integer(UInt8(s == nil ? 0 : 1)); if let s { string(s) } }
        mutating func raw<T: BitwiseCopyable>(_ array: [T]) {
            array.withUnsafeBytes { writeAll($0, to: bulk) }
        }

        mutating func send() {
            buffer.withUnsafeBytes { writeAll($0, to: fd) }
            buffer.removeAll(keepingCapacity: true)
        }

        mutating func writeAll(_ data: UnsafeRawBufferPointer, to fd: Int32) {
            var done = 0
            while !failed && done < data.count {
                let n = Glibc.write(fd, data.baseAddress! + done, data.count - done)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { failed = true } else { done += n }
            }
        }

        /// Sends what is buffered; false if the reader went away.
        mutating func flush() -> Bool { send(); return !failed }
    }

    static func encode(_ layout: BIOM2Layout, into w: inout Writer) {
        // The arrays first (see above), in the order they are decoded.
        w.raw(layout.indptr)
        if case .values(let v) = layout.data { w.raw(v) }
        if case .values(let v) = layout.indices { w.raw(v) }
        w.bytes(magic + [0])
        w.integer(UInt64(layout.nonZeros))
        w.strings(layout.sampleIDs)
        w.strings(layout.observationIDs)
        encode(layout.data, into: &w)
        encode(layout.indices, into: &w)
        w.integer(UInt8(layout.taxonomy == nil ? 0 : 1))
        if let taxonomy = layout.taxonomy { w.strings(taxonomy) }
        let origin = layout.origin
        w.string(origin.format); w.optional(origin.type); w.optional(origin.generatedBy); w.optional(origin.creationDate)
        w.strings(origin.notes)
    }

    static func encode<T>(_ array: BIOM2Layout.StoredArray<T>, into w: inout Writer) {
        switch array {
        case .values(let v):
            w.integer(UInt8(1)); w.integer(UInt64(v.count))
        case .deflated(let chunkLength, let chunks):
            w.integer(UInt8(0)); w.integer(UInt64(chunkLength)); w.integer(UInt64(chunks.count))
            for c in chunks { w.integer(UInt64(c.offset)); w.integer(UInt64(c.address)); w.integer(UInt64(c.size)) }
        }
    }

    static func encode(_ error: InputError, into w: inout Writer) {
        w.bytes(magic + [1])
        w.string(error.problem)
        w.optional(error.fix)
    }

    static func encode(unavailable reason: String, into w: inout Writer) {
        w.bytes(magic + [2])
        w.string(reason)
    }

    // MARK: Reading (in Moodbiome)

    /// The answer's head: returns when the helper succeeded, throws the
    /// input error it found, or the reason HDF5 could not be loaded.
    static func status(_ d: Decoder, source: String) throws {
        guard try d.bytes(magic.count) == magic else { throw Truncated() }
        switch try d.integer(UInt8.self) {
        case 0: return
        case 1:
            let problem = try d.string(), fix = try d.optional()
            throw InputError(file: source, problem: problem, fix: fix)
        case 2: throw SystemLibrary.Unavailable(.hdf5, reason: try d.string())
        default: throw Truncated()
        }
    }

    static func encode(_ layout: DistanceFileLayout, into w: inout Writer) {
        w.bytes(magic + [0])
        w.strings(layout.order)
        w.string(layout.format)
        for key in DistanceFileLayout.stringKeys { w.optional(layout.strings[key]) }
        for key in DistanceFileLayout.integerKeys {
            let values = layout.integers[key] ?? []
            w.integer(UInt8(values.count))
            for v in values { w.integer(v) }
        }
        w.string(layout.dataset)
        w.integer(UInt8(layout.dims.count))
        for d in layout.dims { w.integer(d) }
        w.integer(UInt64(layout.elementSize)); w.integer(UInt64(layout.address)); w.integer(UInt64(layout.bytes))
        w.strings(layout.tableColumns); w.strings(layout.tableKinds); w.strings(layout.tableCells)
    }

    static func decodeDistances(from r: PipeReader, bulk: Int32, source: String) throws -> DistanceFileLayout {
        let d = Decoder(reader: r, bulk: bulk)
        try status(d, source: source)
        let order = try d.strings(), format = try d.string()
        var strings = [String: String](), integers = [String: [Int64]]()
        for key in DistanceFileLayout.stringKeys { strings[key] = try d.optional() }
        for key in DistanceFileLayout.integerKeys {
            let count = Int(try d.integer(UInt8.self))
            guard count <= 4 else { throw Truncated() }
            if count > 0 { integers[key] = try (0..<count).map { _ in try d.integer(Int64.self) } }
        }
        let dataset = try d.string()
        let rank = Int(try d.integer(UInt8.self))
        guard (1...2).contains(rank) else { throw Truncated() }
        let dims = try (0..<rank).map { _ in try d.integer(Int64.self) }
        var layout = DistanceFileLayout(order: order, format: format, strings: strings, integers: integers, dataset: dataset, dims: dims,
                                        elementSize: try d.count(), address: try d.count(), bytes: try d.count())
        layout.tableColumns = try d.strings()
        layout.tableKinds = try d.strings()
        layout.tableCells = try d.strings()
        return layout
    }

    static func decode(from r: PipeReader, bulk: Int32, source: String) throws -> BIOM2Layout {
        var d = Decoder(reader: r, bulk: bulk)
        try status(d, source: source)
        let nonZeros = try d.count()
        let sampleIDs = try d.strings(), observationIDs = try d.strings()
        let indptr = try d.raw(Int64.self, count: sampleIDs.count + 1)
        let data = try d.stored(Double.self), indices = try d.stored(Int32.self)
        let taxonomy = try d.integer(UInt8.self) == 1 ? try d.strings() : nil
        var origin = TableOrigin(format: try d.string(), type: try d.optional(), generatedBy: try d.optional(), creationDate: try d.optional())
        origin.notes = try d.strings()
        guard taxonomy.map({ $0.count == observationIDs.count }) ?? true else { throw Truncated() }
        return BIOM2Layout(sampleIDs: sampleIDs, observationIDs: observationIDs, nonZeros: nonZeros, indptr: indptr, data: data,
                           indices: indices, taxonomy: taxonomy, origin: origin)
    }

    struct Decoder {
        let reader: PipeReader
        let bulk: Int32
        var offset = 0

        func bytes(_ n: Int) throws -> [UInt8] {
            try [UInt8](unsafeUninitializedCapacity: n) { buffer, count in
                try reader.fill(UnsafeMutableRawBufferPointer(buffer))
                count = n
            }
        }
        func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
            var v = T.zero
            try withUnsafeMutableBytes(of: &v) { try reader.fill($0) }
            return T(littleEndian: v)
        }
        func count() throws -> Int {
            let n = try integer(UInt64.self)
            guard n < UInt64(Int32.max) * 64 else { throw Truncated() }
            return Int(n)
        }
        mutating func stored<T: BitwiseCopyable & Sendable>(_ type: T.Type) throws -> BIOM2Layout.StoredArray<T> {
            if try integer(UInt8.self) == 1 { return .values(try raw(T.self, count: try count())) }
            let chunkLength = try count()
            let chunks = try (0..<count()).map { _ in BIOM2Layout.StoredChunk(offset: try count(), address: try count(), size: try count()) }
            return .deflated(chunkLength: chunkLength, chunks: chunks)
        }
        func string() throws -> String { String(decoding: try bytes(Int(try integer(UInt32.self))), as: UTF8.self) }
        func optional() throws -> String? { try integer(UInt8.self) == 1 ? try string() : nil }
        func strings() throws -> [String] { try (0..<count()).map { _ in try string() } }
        /// The next array from the in-memory file.
        mutating func raw<T: BitwiseCopyable>(_ type: T.Type, count n: Int) throws -> [T] {
            let start = offset
            offset += n * MemoryLayout<T>.stride
            return try [T](unsafeUninitializedCapacity: n) { [bulk] buffer, count in
                let bytes = UnsafeMutableRawBufferPointer(buffer)
                var done = 0
                while done < bytes.count {
                    let got = pread(bulk, bytes.baseAddress! + done, bytes.count - done, off_t(start + done))
                    if got < 0 && errno == EINTR { continue }
                    guard got > 0 else { throw Truncated() }
                    done += got
                }
                count = n
            }
        }
    }
}
