import FoundationEssentials
import MoodbiomeNumerics

/// A symmetric matrix of distances between samples, with its sample IDs.
///
/// Written as QIIME 2 and scikit-bio write one: TSV, an empty top-left cell
/// then the IDs, one row per sample, at round-trip precision. Read from that
/// layout (TSV or CSV) with every property checked: square, the same IDs
/// in rows and columns, a zero diagonal, symmetric, finite and non-negative.
public struct DistanceMatrix: Sendable {
    public let ids: [String]
    /// n × n, symmetric, zero diagonal.
    public let values: Matrix
    public let source: String

    public init(ids: [String], values: Matrix, source: String = "<memory>") {
        precondition(values.rows == ids.count && values.columns == ids.count, "a distance matrix is n × n")
        self.ids = ids
        self.values = values
        self.source = source
    }

    public var count: Int { ids.count }

    /// The matrix of condensed distances (``PairRows`` order: row i's pairs
    /// with j > i, rows in order), filled on both cores.
    public init(ids: [String], condensed: [Double], source: String = "<memory>") {
        let n = ids.count
        precondition(condensed.count == PairRows.pairCount(n), "\(condensed.count) distances for \(n) samples")
        let m = Matrix(rows: n, columns: n, fillingEveryElement: { w in
            _ = parallelChunkMap(count: n) { columns in
                for j in columns {
                    w.set(j, j, 0)
                    for i in 0..<j { w.set(i, j, condensed[PairRows.start(ofRow: i, n: n) + j - i - 1]) }
                    for i in (j + 1)..<Swift.max(n, j + 1) { w.set(i, j, condensed[PairRows.start(ofRow: j, n: n) + i - j - 1]) }
                }
            }
        })
        self.init(ids: ids, values: m, source: source)
    }

    /// The distances of `pairs`, in condensed order.
    public func condensed(_ pairs: PairRows) -> [Double] {
        precondition(pairs.n == count)
        var out = [Double]()
        out.reserveCapacity(pairs.count)
        for i in pairs.rows { for j in (i + 1)..<Swift.max(count, i + 1) { out.append(values[i, j]) } }
        return out
    }

    public subscript(i: Int, j: Int) -> Double { values[i, j] }

    /// The rows and columns of `indices`, in that order.
    public func selecting(_ indices: [Int]) -> DistanceMatrix {
        var m = Matrix(rows: indices.count, columns: indices.count)
        for (b, j) in indices.enumerated() { for (a, i) in indices.enumerated() { m[a, b] = values[i, j] } }
        return DistanceMatrix(ids: indices.map { ids[$0] }, values: m, source: source)
    }

    /// The square matrix as TSV (or CSV): an empty top-left cell, the IDs,
    /// full precision (`NumberStyle.roundTrip`). Rows are formatted on both
    /// cores: a 5,000-sample matrix is 25 million numbers.
    public func delimited(_ delimiter: Delimiter = .tab, guardFormulas: Bool = false) -> String {
        let separator = delimiter.byte
        let sep = String(UnicodeScalar(separator))
        let id: @Sendable (String) -> String = { TextTable.field(guardFormulas ? TextTable.formulaGuarded($0) : $0, separator: separator) }
        let header = sep + ids.map(id).joined(separator: sep) + "\n"
        let n = count
        let chunks = parallelChunkMap(count: n) { rows in
            var out = ""
            for i in rows {
                out += id(ids[i])
                for j in 0..<n {
                    out += sep
                    out += NumberStyle.roundTrip.format(values[i, j])
                }
                out += "\n"
            }
            return out
        }
        return header + chunks.joined()
    }

    /// The long form: one row per pair (`sample_a, sample_b, distance`), i < j.
    public func longForm(guardFormulas: Bool = false) -> String {
        var rows = [[TextTable.Cell]]()
        for i in 0..<count { for j in (i + 1)..<Swift.max(count, i + 1) { rows.append([.text(ids[i]), .text(ids[j]), .number(values[i, j])]) } }
        return TextTable(columns: ["sample_a", "sample_b", "distance"], rows: rows).csv(guardFormulas: guardFormulas)
    }

    /// Checks that n × n doubles fit in the memory free now (no fixed limit:
    /// what the machine holds).
    public static func checkMemory(samples n: Int, copies: Int = 1, file: String) throws {
        try MemoryBudget.checkAvailable(MemoryBudget.byteCount(n, of: n).flatMap { MemoryBudget.byteCount($0, of: 8 * copies) },
                                        for: copies == 1 ? "a \(n) × \(n) distance matrix" : "\(copies) matrices of \(n) × \(n) doubles", file: file,
                                        fix: "Free memory or use a machine with more; a larger matrix is computed and tested by stripes (see the README's Scale section)")
    }

    /// Reads a square distance matrix (TSV or CSV, by extension or sniffed;
    /// HDF5 in unifrac-binaries' layout for `.h5`).
    ///
    /// - Parameter plan: called with the number of samples once it is known
    ///   and before the n × n matrix is allocated — to state and check the
    ///   memory the job will need; by default, that the matrix fits in the
    ///   memory free now.
    /// - Throws: `InputError` with the line and column of whatever breaks a
    ///   property of a distance matrix.
    public static func read(_ path: String, plan: ((Int) throws -> Void)? = nil) throws -> DistanceMatrix {
        let plan = plan ?? { try checkMemory(samples: $0, file: path) }
        if path.lowercased().hasSuffix(".h5") { return try DistanceHDF5.readMatrix(path, plan: plan) }
        let text = try DelimitedText(path: path)
        let header = Array(text.header.dropFirst())
        let n = header.count
        guard n > 0 else {
            throw InputError(file: path, line: text.headerLine, problem: "the header names no samples",
                             fix: "A distance matrix starts with an empty cell, then the sample IDs (as QIIME 2 and scikit-bio write it)")
        }
        guard text.recordCount == n else {
            throw InputError(file: path, line: text.headerLine, problem: "the matrix is not square: \(n) columns but \(text.recordCount) rows",
                             fix: "Give one row per sample, in the header's order")
        }
        // Each row holds n cells of at least one byte and n delimiters: a
        // file shorter than 2n² bytes cannot be the matrix its header
        // declares, and is refused before n² doubles are allocated.
        guard let least = MemoryBudget.byteCount(n, of: 2 * n), text.bytes.count >= least else {
            throw InputError(file: path, line: text.headerLine, problem: "the header names \(n) samples, but the file's \(MemoryBudget.describe(text.bytes.count)) cannot hold \(n) × \(n) distances",
                             fix: "The file is truncated; write the whole matrix again")
        }
        try plan(n)
        try MemoryBudget.check(MemoryBudget.byteCount(n * n, of: 8), for: "a \(n) × \(n) distance matrix", file: path)
        try CountTable.checkUnique(header, kind: "sample", file: path, lines: nil)
        var m = Matrix(rows: n, columns: n)
        let p = text.bytes.buffer
        let delimiter = text.delimiter.byte
        for r in 0..<n {
            let line = text.recordLines[r]
            var cursor = FieldCursor(position: text.recordStarts[r], end: text.recordEnds[r])
            let id = try cursor.next(p, delimiter: delimiter)?.name(p, file: path, line: line, column: 1, what: "sample ID") ?? ""
            guard id == header[r] else {
                throw InputError(file: path, line: line, column: 1,
                                 problem: "row \(r + 1) is '\(id)' but column \(r + 1) is '\(header[r])'",
                                 fix: "Rows and columns must list the samples in the same order")
            }
            var k = 0
            while let field = cursor.next(p, delimiter: delimiter) {
                guard k < n else {
                    throw InputError(file: path, line: line, column: k + 2, problem: "this row has more than \(n) distances")
                }
                // Bytes straight to a number (the count reader's parser);
                // the text is only made for an error message.
                let v: Double
                var cell = parseCell(p, field.start, field.end)
                if cell == .inexact {
                    // Above 2⁵³ a count would be rounded; a distance is a
                    // real number and is read as one.
                    let text = field.string(p).trimmingWhitespace()
                    if case .number(let x) = parseNumber(text) { cell = .number(x, integral: false) }
                }
                switch cell {
                case .number(let x, _):
                    v = x
                case .negative:
                    let cell = field.string(p).trimmingWhitespace()
                    throw InputError(file: path, line: line, column: k + 2, columnName: header[k],
                                     problem: "negative distance \(cell)", fix: "Distances must be non-negative")
                default:
                    let cell = field.string(p).trimmingWhitespace()
                    throw InputError(file: path, line: line, column: k + 2, columnName: header[k],
                                     problem: "'\(cell)' is not a distance", fix: "Distances are finite, non-negative numbers")
                }
                m[r, k] = v
                k += 1
            }
            guard k == n else {
                throw InputError(file: path, line: line, column: k + 1, problem: "this row has \(k) distances but there are \(n) samples")
            }
            guard m[r, r] == 0 else {
                throw InputError(file: path, line: line, column: r + 2, columnName: header[r],
                                 problem: "the distance of '\(header[r])' to itself is \(NumberStyle.roundTrip.format(m[r, r])), not 0",
                                 fix: "A distance matrix has zeros on its diagonal")
            }
        }
        for i in 0..<n {
            for j in (i + 1)..<n where m[i, j] != m[j, i] {
                let scale = Swift.max(abs(m[i, j]), abs(m[j, i]))
                if abs(m[i, j] - m[j, i]) > 1e-12 * scale {
                    throw InputError(file: path, line: text.recordLines[j], column: i + 2, columnName: header[i],
                                     problem: "the matrix is not symmetric: '\(header[i])'–'\(header[j])' is \(NumberStyle.roundTrip.format(m[i, j])) but '\(header[j])'–'\(header[i])' is \(NumberStyle.roundTrip.format(m[j, i]))",
                                     fix: "Give a symmetric distance matrix")
                }
                m[j, i] = m[i, j]
            }
        }
        return DistanceMatrix(ids: header, values: m, source: path)
    }
}
