import FoundationEssentials

/// Stratified profiles that name the taxon in a column of its own:
/// omixer-rpm's input (`species`, `KO`, samples…), PICRUSt2's legacy
/// stratified table (`function`, `sequence`, samples…) and PICRUSt2's
/// contributions file (one line per sample, function and taxon).
enum StratifiedColumnsReader {
    static let functionHeaders: Set<String> = ["function", "ko", "kegg", "entry", "gene family", "ortholog", "orthology", "ko_id"]
    static let taxonHeaders: Set<String> = ["taxon", "species", "genus", "sequence", "organism", "clade", "strain", "otu"]

    /// The function and taxon columns when the header's first two are those.
    static func idColumns(_ header: [String]) -> (function: Int, taxon: Int)? {
        if functionHeaders.contains(header[0]) && taxonHeaders.contains(header[1]) { return (0, 1) }
        if taxonHeaders.contains(header[0]) && functionHeaders.contains(header[1]) { return (1, 0) }
        return nil
    }

    /// A wide stratified table: the two ID columns, then one column per sample.
    static func rows(_ text: DelimitedText, functionColumn: Int, taxonColumn: Int) throws -> FunctionalProfile {
        let path = text.path, p = text.bytes.buffer, delimiter = text.delimiter.byte
        let (samples, unit) = try FunctionalProfile.strippingUnits(Array(text.header[2...]), path: path, line: text.headerLine)
        var builder = Triplets(path: path)
        for r in 0..<text.recordCount {
            let line = text.recordLines[r]
            var cursor = FieldCursor(position: text.recordStarts[r], end: text.recordEnds[r])
            var ids = [String]()
            for c in 0..<2 {
                guard let field = cursor.next(p, delimiter: delimiter) else { break }
                ids.append(try field.name(p, file: path, line: line, column: c + 1, what: c == functionColumn ? "function ID" : "taxon name"))
            }
            // A gene without an ortholog (an empty function cell, as in
            // omixer-rpm's own example) belongs to no module: left out.
            let unannotated = ids.count == 2 && ids[functionColumn].isEmpty && !ids[taxonColumn].isEmpty
            if unannotated { builder.unannotated += 1 }
            let row = unannotated ? -1 : try builder.row(function: ids.count == 2 ? OneColumnProfile.functionID(ids[functionColumn]) : "",
                                                          taxon: ids.count == 2 ? ids[taxonColumn] : "", line: line)
            var k = 0
            while let field = cursor.next(p, delimiter: delimiter) {
                guard k < samples.count else { k += 1; continue }
                let value = try cell(field, p: p, path: path, line: line, column: k + 3, name: text.header[k + 2])
                if value != 0 && row >= 0 { builder.append(row: row, sample: k, value: value) }
                k += 1
            }
            guard k == samples.count else {
                throw InputError(file: path, line: line, problem: "this row has \(k + 2) fields but the header (line \(text.headerLine)) has \(samples.count + 2)",
                                 fix: k < samples.count ? "Fill in the missing cells (0 where the function is absent)" : "Remove the extra cells")
            }
        }
        return try builder.profile(samples: samples, layout: .taxonColumns, unit: unit)
    }

    /// PICRUSt2's contributions file: `sample`, `function`, `taxon` and
    /// `taxon_function_abun` (the taxon's abundance times its copies of the
    /// function), one line each. `names` is the header as the format was
    /// recognised from (lowercased, without `#` or spaces around a name).
    static func contributions(_ text: DelimitedText, names: [String]) throws -> FunctionalProfile {
        let path = text.path, p = text.bytes.buffer, delimiter = text.delimiter.byte
        let sampleColumn = names.firstIndex(of: "sample")!, functionColumn = names.firstIndex(of: "function")!
        let taxonColumn = names.firstIndex(of: "taxon")!, valueColumn = names.firstIndex(of: "taxon_function_abun")!
        var builder = Triplets(path: path)
        var samples = [String](), sampleIndex = [String: Int32]()
        for r in 0..<text.recordCount {
            let line = text.recordLines[r]
            var cursor = FieldCursor(position: text.recordStarts[r], end: text.recordEnds[r])
            var fields = [FieldSpan]()
            while let field = cursor.next(p, delimiter: delimiter) { fields.append(field) }
            guard fields.count == names.count else {
                throw InputError(file: path, line: line, problem: "this row has \(fields.count) fields but the header (line \(text.headerLine)) has \(names.count)")
            }
            let sample = try fields[sampleColumn].name(p, file: path, line: line, column: sampleColumn + 1, what: "sample ID")
            let function = try fields[functionColumn].name(p, file: path, line: line, column: functionColumn + 1, what: "function ID")
            let taxon = try fields[taxonColumn].name(p, file: path, line: line, column: taxonColumn + 1, what: "taxon name")
            let value = try cell(fields[valueColumn], p: p, path: path, line: line, column: valueColumn + 1, name: text.header[valueColumn])
            guard !sample.isEmpty else { throw InputError(file: path, line: line, column: sampleColumn + 1, problem: "an empty sample ID") }
            let j = Int(OneColumnProfile.index(sample, in: &samples, &sampleIndex))
            let row = try builder.row(function: OneColumnProfile.functionID(function), taxon: taxon, line: line, repeats: true)
            try builder.add(row: row, sample: j, value: value, line: line)
        }
        guard !samples.isEmpty else { throw InputError(file: path, problem: "the contributions file has no rows") }
        return try builder.profile(samples: samples, layout: .picrust2Contributions, unit: nil)
    }

    static func cell(_ field: FieldSpan, p: UnsafeBufferPointer<UInt8>, path: String, line: Int, column: Int, name: String) throws -> Double {
        let value = parseCell(p, field.start, field.end)
        guard case .number(let v, _) = value, !field.malformed else {
            throw CountTable.cellError(value, field: field, p: p, path: path, line: line, column: column, name: name)
        }
        return v
    }
}

/// (function, taxon) rows and their (sample, value) cells, gathered in any
/// order and turned into a sample-major table.
struct Triplets {
    let path: String
    var functions = [String](), taxa = [String]()
    var functionIndex = [String: Int32](), taxonIndex = [String: Int32]()
    var rowOf = [String: Int](), rowLine = [Int]()
    var rowFunction = [Int32](), rowTaxon = [Int32]()
    var cells = [(sample: Int32, row: Int32, value: Double)]()
    var seen = Set<Int64>()
    /// Rows left out for naming no function.
    var unannotated = 0

    init(path: String) { self.path = path }

    /// The row of (function, taxon): new, or — with `repeats` — the one seen before.
    mutating func row(function: String, taxon: String, line: Int, repeats: Bool = false) throws -> Int {
        guard !function.isEmpty, !taxon.isEmpty else {
            throw InputError(file: path, line: line, problem: "a row without its function or its taxon",
                             fix: "Name the function and the taxon in every row")
        }
        let key = function + "|" + taxon
        if let r = rowOf[key] {
            guard repeats else {
                throw InputError(file: path, line: line, problem: "function \(function) of taxon \(taxon) appears twice (the first on line \(rowLine[r]))",
                                 fix: "Give each function and taxon one row")
            }
            return r
        }
        rowOf[key] = rowFunction.count
        rowLine.append(line)
        rowFunction.append(OneColumnProfile.index(function, in: &functions, &functionIndex))
        rowTaxon.append(OneColumnProfile.index(taxon, in: &taxa, &taxonIndex))
        return rowFunction.count - 1
    }

    /// A cell of a long file, refused when its sample, function and taxon came before.
    mutating func add(row: Int, sample: Int, value: Double, line: Int) throws {
        guard seen.insert(Int64(row) << 32 | Int64(sample)).inserted else {
            throw InputError(file: path, line: line, problem: "a second line for the same sample, function and taxon",
                             fix: "Give each sample, function and taxon one line")
        }
        if value != 0 { append(row: row, sample: sample, value: value) }
    }

    mutating func append(row: Int, sample: Int, value: Double) { cells.append((Int32(sample), Int32(row), value)) }

    func profile(samples: [String], layout: FunctionalProfile.Layout, unit: String?) throws -> FunctionalProfile {
        guard !rowFunction.isEmpty else { throw InputError(file: path, problem: "the table has no rows") }
        let sorted = cells.sorted { ($0.row, $0.sample) < ($1.row, $1.sample) }
        var starts = [Int](repeating: 0, count: rowFunction.count + 1)
        for c in sorted { starts[Int(c.row) + 1] += 1 }
        for r in 0..<rowFunction.count { starts[r + 1] += starts[r] }
        let ids = zip(rowFunction, rowTaxon).map { functions[Int($0)] + "|" + taxa[Int($1)] }
        let rows = SparseRows(rowIDs: ids, columnIDs: samples, contiguousStarts: starts, columnIndices: sorted.map(\.sample),
                              values: sorted.map(\.value), isIntegral: false)
        let strata = FunctionalProfile.Strata(taxa: taxa, functions: functions, rows: rows, rowFunction: rowFunction, rowTaxon: rowTaxon)
        var notes = ["\(path): the community profile is the sum of each function's taxa"]
        if unannotated > 0 { notes.append("\(path): \(unannotated) row\(unannotated == 1 ? "" : "s") without a function ID left out") }
        return FunctionalProfile(layout: layout, community: StrataSums(strata: strata).table(source: path, origin: TableOrigin(format: layout.rawValue)),
                                 strata: strata, unit: unit, notes: notes)
    }
}
