import FoundationEssentials
import MoodbiomeNumerics

/// A distance matrix read as whole rows, block after block, so that a
/// computation over it (a randomized PCoA) holds one block, never n × n.
public protocol DistanceRows: Sendable {
    var ids: [String] { get }
    var source: String { get }
    /// Calls `body` with consecutive blocks of at most `rows` rows, first to
    /// last: the block's row range and its values, row after row (n each).
    /// With `validating`, every property of a distance matrix is checked on
    /// the way (finite, non-negative, zero diagonal, symmetric).
    func forEachBlock(rows: Int, validating: Bool, _ body: (Range<Int>, UnsafeBufferPointer<Double>) throws -> Void) throws
}

extension DistanceRows {
    public var count: Int { ids.count }

    /// Rows per block for about `bytes` of doubles (at least one row).
    public func rowsPerBlock(bytes: Int = 32 << 20) -> Int { Swift.max(1, bytes / Swift.max(1, 8 * count)) }
}

extension DistanceMatrix: DistanceRows {
    /// Read and checked in full already; a column of the symmetric matrix is its row.
    public func forEachBlock(rows: Int, validating: Bool, _ body: (Range<Int>, UnsafeBufferPointer<Double>) throws -> Void) throws {
        let n = count
        try values.storage.withUnsafeBufferPointer { all in
            var first = 0
            while first < n {
                let range = first..<Swift.min(n, first + rows)
                try body(range, UnsafeBufferPointer(rebasing: all[(range.lowerBound * n)..<(range.upperBound * n)]))
                first = range.upperBound
            }
        }
    }
}

/// A whole distance matrix in an HDF5 file (unifrac-binaries' layout), read
/// row block by row block from disk: memory is one block whatever n is.
public struct DistanceMatrixFile: DistanceRows {
    public let ids: [String]
    public let source: String
    let layout: DistanceFileLayout

    /// Opens the matrix at `path` and checks its shape and IDs; the values
    /// are checked as they are read.
    public init(_ path: String) throws {
        let layout = try DistanceHDF5.layout(path)
        try DistanceHDF5.checkWholeMatrix(layout, path: path)
        try CountTable.checkUnique(layout.order, kind: "sample", file: path, lines: nil)
        self.ids = layout.order
        self.source = path
        self.layout = layout
    }

    /// The bytes the values take on disk.
    public var storedBytes: Int { layout.bytes }

    /// The next block is read on another thread while `body` works on the
    /// current one, into the other of two buffers allocated once (memory:
    /// two blocks); one HDF5 call at a time.
    public func forEachBlock(rows: Int, validating: Bool, _ body: (Range<Int>, UnsafeBufferPointer<Double>) throws -> Void) throws {
        let n = count, layout = layout, source = source, rows = Swift.max(rows, 1)
        var symmetry = validating ? SymmetryCheck(n: n) : nil
        let ranges = stride(from: 0, to: n, by: rows).map { $0..<Swift.min(n, $0 + rows) }
        let buffers = (0..<(ranges.count > 1 ? 2 : 1)).map { _ in UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(1, Swift.min(n, rows) * n)) }
        let addresses = buffers.map { Int(bitPattern: $0) }
        let read = { @Sendable (b: Int) in
            try DistanceHDF5.read(layout, from: source, first: ranges[b].lowerBound * n, count: ranges[b].count * n,
                                  into: UnsafeMutablePointer<Double>(bitPattern: addresses[b % addresses.count])!)
        }
        var next: Prefetched<Void>? = nil
        defer {
            _ = try? next?.value()
            for buffer in buffers { buffer.deallocate() }
        }
        for (b, range) in ranges.enumerated() {
            if let next { try next.value() } else { try read(b) }
            next = b + 1 < ranges.count ? Prefetched { try read(b + 1) } : nil
            let block = UnsafeBufferPointer(start: buffers[b % buffers.count], count: range.count * n)
            if validating {
                try checkValues(block, rows: range)
                symmetry?.add(block, rows: range)
            }
            try body(range, block)
        }
        if let symmetry, let row = symmetry.firstMismatch { try reportAsymmetry(row: row) }
    }

    private func checkValues(_ block: UnsafeBufferPointer<Double>, rows: Range<Int>) throws {
        let n = count
        for (r, i) in rows.enumerated() {
            for j in 0..<n {
                let v = block[r * n + j]
                guard v.isFinite, v >= 0 else {
                    throw InputError(file: source, problem: "distance \(NumberStyle.roundTrip.format(v)) between '\(ids[i])' and '\(ids[j])' (row \(i + 1), column \(j + 1) of 'matrix')",
                                     fix: "Distances are finite, non-negative numbers")
                }
            }
            guard block[r * n + i] == 0 else {
                throw InputError(file: source, problem: "the distance of '\(ids[i])' to itself is \(NumberStyle.roundTrip.format(block[r * n + i])), not 0",
                                 fix: "A distance matrix has zeros on its diagonal")
            }
        }
    }

    /// Row `i`'s pairs disagree somewhere: find the first column that does and name it.
    private func reportAsymmetry(row i: Int) throws -> Never {
        let n = count
        let upper = try DistanceHDF5.values(layout, from: source, first: i * n, count: n)
        for j in (i + 1)..<n {
            let lower = try DistanceHDF5.values(layout, from: source, first: j * n + i, count: 1)[0]
            if lower != upper[j] {
                throw InputError(file: source, problem: "the matrix is not symmetric: '\(ids[i])'–'\(ids[j])' is \(NumberStyle.roundTrip.format(upper[j])) but '\(ids[j])'–'\(ids[i])' is \(NumberStyle.roundTrip.format(lower))",
                                 fix: "Give a symmetric distance matrix")
            }
        }
        throw InputError(file: source, problem: "the matrix is not symmetric (row \(i + 1), '\(ids[i])')", fix: "Give a symmetric distance matrix")
    }
}

/// Symmetry of a matrix seen one row block at a time, in one pass and
/// O(n) memory: for every row i, a hash sum over its upper pairs (i, j > i)
/// of (i, j, bits of d_ij) and one over the same pairs read from the lower
/// triangle (d_ji); a symmetric matrix gives equal sums, any difference
/// (but with probability 2⁻⁶⁴) unequal ones, and the row to look in.
struct SymmetryCheck {
    var upper: [UInt64], lower: [UInt64]

    init(n: Int) {
        upper = [UInt64](repeating: 0, count: n)
        lower = [UInt64](repeating: 0, count: n)
    }

    /// SplitMix64's finalizer of the pair and the value's bits.
    @inline(__always) static func hash(_ i: Int, _ j: Int, _ v: Double) -> UInt64 {
        var z = UInt64(i) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(j) &* 0xC2B2_AE3D_27D4_EB4F ^ (v == 0 ? 0.0 : v).bitPattern
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func add(_ block: UnsafeBufferPointer<Double>, rows: Range<Int>) {
        let n = upper.count
        for (r, i) in rows.enumerated() {
            var sum: UInt64 = 0
            for j in (i + 1)..<Swift.max(n, i + 1) { sum &+= Self.hash(i, j, block[r * n + j]) }
            upper[i] &+= sum
            for j in 0..<i { lower[j] &+= Self.hash(j, i, block[r * n + j]) }
        }
    }

    var firstMismatch: Int? { upper.indices.first { upper[$0] != lower[$0] } }
}
