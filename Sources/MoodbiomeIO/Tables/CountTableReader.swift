import FoundationEssentials
import MoodbiomeNumerics
/// Options for reading a count table.
public struct CountTableReadOptions: Sendable {
    /// The file's format; `nil` recognises it by content.
    public var format: CountTableFormat?
    /// Field separator of CSV/TSV; `nil` picks by extension (`.csv`, `.tsv`)
    /// and otherwise sniffs the header line.
    public var delimiter: Delimiter?
    /// Whether samples are the CSV/TSV file's rows or its columns.
    public var orientation: SampleOrientation
    /// The mothur `.shared` label (distance) to read; `nil` takes the first.
    public var label: String?
    /// The rank to analyse at: a MetaPhlAn profile's rows of that rank
    /// (default species); any other table is collapsed to it by taxonomy.
    public var rank: TaxonomicRank?
    /// A taxonomy file to attach (QIIME 2 `taxonomy.tsv`/`.qza`, mothur
    /// `.cons.taxonomy`, or rank columns); else the file's own, if any.
    public var taxonomyPath: String?
    /// How collapsed features are named (nil: by lineage); only with a rank.
    public var collapsedNames: CollapsedNames? = nil
    /// What a row is called in messages when rows are not samples
    /// (`taxon`; a functional profile's rows are functions).
    package var featureNoun = "taxon"
    /// The metadata's sample IDs. With `orientation` `.auto`, a CSV/TSV
    /// table's samples are then the side, first column or header, that more
    /// of them name (``TableOrigin/orientationChoice`` says which and why);
    /// the file's usual reading when both sides name as many. Other formats
    /// fix their orientation themselves.
    public var metadataSampleIDs: Set<String>? = nil

    public init(format: CountTableFormat? = nil, delimiter: Delimiter? = nil, orientation: SampleOrientation = .auto,
                label: String? = nil, rank: TaxonomicRank? = nil, taxonomyPath: String? = nil) {
        self.format = format
        self.delimiter = delimiter
        self.orientation = orientation
        self.label = label
        self.rank = rank
        self.taxonomyPath = taxonomyPath
    }
}

extension CountTable {
    /// Header names of a trailing, non-numeric taxonomy column in
    /// taxa-as-rows tables (`biom convert --header-key taxonomy`, QIIME 1).
    static let taxonomyColumnNames: Set<String> = ["taxonomy", "taxon", "consensus lineage", "consensus_lineage"]

    /// Reads a count table from a CSV or TSV file (``read(_:options:)``
    /// dispatches here for delimited text).
    ///
    /// The first column holds the row IDs and the header line the column
    /// IDs. Cells must be finite, non-negative numbers; integers take a fast
    /// path, and lines are parsed on all cores straight into the sparse
    /// table, without a dense intermediate. The QIIME 2 feature-table TSV that
    /// `biom convert --to-tsv` writes is read as is (taxa as rows, a
    /// `# Constructed from biom file` line, `#OTU ID` header, an optional
    /// trailing `taxonomy` column).
    ///
    /// - Throws: `InputError` naming the file, line and column for a missing
    ///   file, an empty table, a ragged row, a duplicate ID, or a cell that is
    ///   empty, negative, non-numeric, `NA`, NaN or infinite.
    static func read(_ text: DelimitedText, options: CountTableReadOptions) throws -> CountTable {
        var options = options
        let choice = try orientationChoice(text, options: options)
        if let choice { options.orientation = choice.orientation }
        let (parser, chunks, indices, values) = try parseRecords(text, options: options)
        var table = try parser.table(chunks, indices: indices, values: values)
        table.origin?.orientationChoice = choice
        return table
    }

    /// The side of `text` that names more of the metadata's sample IDs
    /// (``CountTableReadOptions/metadataSampleIDs``), when the orientation is
    /// `.auto` and one side names more than the other.
    static func orientationChoice(_ text: DelimitedText, options: CountTableReadOptions) throws -> OrientationChoice? {
        guard options.orientation == .auto, let known = options.metadataSampleIDs else { return nil }
        let p = text.bytes.buffer, delimiter = text.delimiter.byte
        var rows = 0
        for r in 0..<text.recordCount {
            var cursor = FieldCursor(position: text.recordStarts[r], end: text.recordEnds[r])
            if let field = cursor.next(p, delimiter: delimiter),
               known.contains(try field.name(p, file: text.path, line: text.recordLines[r], column: 1, what: "ID")) {
                rows += 1
            }
        }
        let columns = text.header.dropFirst().filter { known.contains($0) }.count
        guard rows != columns else { return nil }
        return OrientationChoice(orientation: rows > columns ? .rows : .columns, rowsMatched: rows, columnsMatched: columns,
                                 usual: samplesInColumnsByForm(text) ? .columns : .rows)
    }

    /// QIIME 2's taxa-as-rows TSV (a header starting `#`, or biom convert's
    /// `# Constructed from biom file` line): samples are its columns.
    static func samplesInColumnsByForm(_ text: DelimitedText) -> Bool {
        text.header[0].hasPrefix("#") || text.preamble.contains { $0.contains("Constructed from biom file") }
    }

    /// A delimited table read as the file lists it, one row per record,
    /// never transposed (a functional profile's `function|taxon` rows):
    /// the records' non-zeros in the arrays they were parsed into.
    static func readRows(_ text: DelimitedText, options: CountTableReadOptions) throws -> SparseRows {
        try readRows(text, options: options, fold: nil).rows
    }

    /// As ``readRows(_:options:)``, with the records `fold` names summed
    /// group by group instead of stored: their rows come back empty (their
    /// IDs kept and checked), their groups' sums in `folded`.
    static func readRows(_ text: DelimitedText, options: CountTableReadOptions, fold: RecordFold?) throws
        -> (rows: SparseRows, folded: FoldedRuns) {
        let (parser, chunks, indices, values) = try parseRecords(text, options: options, fold: fold)
        return (try parser.rows(chunks, indices: indices, values: values), FoldedRuns(chunks.map(\.folded)))
    }

    /// The records parsed on all cores: per chunk of records its IDs and
    /// non-zero counts, and the non-zeros of all records in file order.
    static func parseRecords(_ text: DelimitedText, options: CountTableReadOptions, fold: RecordFold? = nil) throws
        -> (parser: RecordParser, chunks: [RecordParser.Chunk], indices: [Int32], values: [Double]) {
        var reading = try RecordParser(text, options: options)
        reading.fold = fold
        let parser = reading
        let records = text.recordCount
        // Records are parsed on all cores straight into their final place.
        // A first pass bounds each chunk's non-zeros (its cells other than a
        // lone `0`; one more slot, for the store of a last zero); the second
        // writes them at the chunk's offset in arrays
        // allocated once, so no per-chunk arrays are grown and copied (each
        // fresh page costs a fault).
        let ranges = parser.keepingRunsWhole(parallelChunkMap(count: records, minimumPerChunk: 8) { range in [range] }.flatMap { $0 })
        let measures = parallelChunkMap(count: ranges.count) { chunk in chunk.map { c in parser.measure(ranges[c]) } }.flatMap { $0 }
        var starting = [0]
        for m in measures { starting.append(starting[starting.count - 1] + m.slots + 1) }
        let offsets = starting, capacity = starting[starting.count - 1]

        var chunks = [RecordParser.Chunk]()
        var values = [Double]()
        let indices = try [Int32](unsafeUninitializedCapacity: Swift.max(capacity, 1)) { indexBuffer, indexCount in
            values = try [Double](unsafeUninitializedCapacity: Swift.max(capacity, 1)) { valueBuffer, valueCount in
                for buffer in [UnsafeMutableRawBufferPointer(indexBuffer), UnsafeMutableRawBufferPointer(valueBuffer)] {
                    if let base = buffer.baseAddress { adviseHugePages(base, byteCount: buffer.count) }
                }
                let ia = Int(bitPattern: indexBuffer.baseAddress), va = Int(bitPattern: valueBuffer.baseAddress)
                chunks = try parallelChunkMap(count: ranges.count) { chunk throws in
                    var out = [RecordParser.Chunk]()
                    for c in chunk {
                        out.append(try parser.parse(ranges[c], foldKeys: measures[c].foldKeys,
                                                    into: (indices: UnsafeMutablePointer<Int32>(bitPattern: ia)! + offsets[c],
                                                                      values: UnsafeMutablePointer<Double>(bitPattern: va)! + offsets[c])))
                    }
                    return out
                }.flatMap { $0 }
                // Chunks that wrote fewer than their bound (cells such as
                // `0.0`) close the gaps, in order.
                var filled = 0
                for (c, chunk) in chunks.enumerated() {
                    if filled != offsets[c], chunk.written > 0, let i = indexBuffer.baseAddress, let v = valueBuffer.baseAddress {
                        (i + filled).update(from: i + offsets[c], count: chunk.written)
                        (v + filled).update(from: v + offsets[c], count: chunk.written)
                    }
                    filled += chunk.written
                }
                valueCount = filled
            }
            indexCount = values.count
        }
        return (parser, chunks, indices, values)
    }

    /// At least as many as the non-zero cells the record at `span` can hold:
    /// its delimiters (the fields after the ID) less the lone `0` fields
    /// between two delimiters, at most `valueColumns` (any record holding a
    /// quote: `valueColumns`). Two branch-free passes the compiler turns
    /// into vector compares.
    static func nonZeroBound(_ p: UnsafeBufferPointer<UInt8>, _ span: Range<Int>, delimiter: UInt8, valueColumns: Int) -> Int {
        guard let base = p.baseAddress, span.count >= 2 else { return Swift.min(valueColumns, span.count) }
        if memchr(base + span.lowerBound, Int32(DelimitedText.quote), span.count) != nil { return valueColumns }
        // Delimiters minus lone "0" fields (a delimiter on each side), 16
        // bytes at a time: each lane's compare is −1 or 0, summed into byte
        // lanes that are widened before they can wrap (every 255 blocks).
        let zero = UInt8(ascii: "0")
        let d = SIMD16<UInt8>(repeating: delimiter), z = SIMD16<UInt8>(repeating: zero)
        var delimiters = 0, zeros = 0
        var i = span.lowerBound + 1
        let last = span.upperBound - 1   // every i checked has i + 1 ≤ last
        while i + 16 <= last {
            var delimiterLanes = SIMD16<UInt8>(), zeroLanes = SIMD16<UInt8>()
            var blocks = 0
            while blocks < 255, i + 16 <= last {
                let here = UnsafeRawPointer(base + i)
                let v = here.loadUnaligned(as: SIMD16<UInt8>.self)
                let before = (here - 1).loadUnaligned(as: SIMD16<UInt8>.self)
                let after = (here + 1).loadUnaligned(as: SIMD16<UInt8>.self)
                delimiterLanes &-= unsafeBitCast(v .== d, to: SIMD16<UInt8>.self)
                zeroLanes &-= unsafeBitCast((before .== d) .& (v .== z) .& (after .== d), to: SIMD16<UInt8>.self)
                i += 16
                blocks += 1
            }
            delimiters += Int(SIMD16<UInt16>(truncatingIfNeeded: delimiterLanes).wrappedSum())
            zeros += Int(SIMD16<UInt16>(truncatingIfNeeded: zeroLanes).wrappedSum())
        }
        while i < last {
            let d1 = unsafeBitCast(base[i - 1] == delimiter, to: UInt8.self)
            let z1 = unsafeBitCast(base[i] == zero, to: UInt8.self)
            let d2 = unsafeBitCast(base[i + 1] == delimiter, to: UInt8.self)
            delimiters &+= Int(unsafeBitCast(base[i] == delimiter, to: UInt8.self))
            zeros &+= Int(d1 & z1 & d2)
            i += 1
        }
        delimiters += Int(unsafeBitCast(base[span.lowerBound] == delimiter, to: UInt8.self))
            + Int(unsafeBitCast(base[last] == delimiter, to: UInt8.self))
        return Swift.min(valueColumns, delimiters - zeros)
    }

    static func cellError(_ value: CellValue, field: FieldSpan, p: UnsafeBufferPointer<UInt8>,
                                  path: String, line: Int, column: Int, name: String) -> InputError {
        let found = field.string(p)
        let shown = found.count > 40 ? String(found.prefix(40)) + "…" : found
        let problem: String
        let fix: String
        switch value {
        case .empty:
            problem = "empty cell; expected a count"
            fix = "Write 0 for an absent taxon"
        case .negative:
            problem = "negative abundance \(shown); abundances must be ≥ 0"
            fix = "Correct the value; counts and relative abundances cannot be negative"
        case .outOfRange:
            problem = "'\(shown)' is too large or too small to be held as a number (a 64-bit double)"
            fix = "Check the value; counts this large or this small are data errors"
        case .inexact:
            problem = "'\(shown)' is above 2^53 = 9007199254740992, beyond which a 64-bit double cannot hold every whole number, so the count would be rounded"
            fix = "Check the value: no sample has this many reads; scale relative abundances down, not up"
        case .nonFinite:
            problem = "'\(shown)' is not a finite number; expected a count"
            fix = "Replace NaN/Inf with the observed count"
        case .missingMarker:
            problem = "missing value '\(shown)'; a count table cannot have missing cells"
            fix = "Write 0 if the taxon was not observed, or drop the sample"
        case .notANumber, .number:
            problem = field.malformed ? "text after a closing quote in '\(shown)'" : "'\(shown)' is not a number; expected a count"
            fix = "Only numbers may follow the ID column; check \(Parameter.samplesIn.mention) and that metadata columns are in a separate file"
        }
        return InputError(file: path, line: line, column: column, columnName: name, problem: problem, fix: fix)
    }
}

/// Why the samples of a table, as it was read, may be its features: a
/// heuristic for a warning, never a decision.
public struct OrientationDoubt: Sendable, Equatable {
    /// Most sample IDs look like taxon names or feature IDs (a lineage with
    /// `__`, `;` or `|`; one capitalised word without digits such as
    /// `Bacteroides`; `Genus_021`, `OTU_12`, `ASV3`; an MD5 or SHA-256 hash;
    /// a DNA sequence) while most feature IDs carry digits, as sample IDs do.
    public var names: Bool
    /// How widely the samples' totals and the features' totals spread:
    /// log₁₀ of the 90th over the 10th percentile of the positive totals.
    /// Samples' sequencing depths usually lie within an order of magnitude;
    /// features' totals span several. Doubtful when the samples spread an
    /// order of magnitude more than the features.
    public var sampleSpread: Double
    public var featureSpread: Double
    public var totals: Bool { sampleSpread >= featureSpread + 1 }
    /// The IDs that looked like features, for the message.
    public var examples: [String]
}

extension CountTable {
    /// Whether the samples as read look like features (``OrientationDoubt``);
    /// nil when nothing is doubtful.
    public var orientationDoubt: OrientationDoubt? {
        guard sampleCount >= 2, taxonCount >= 2 else { return nil }
        let sampleLike = Double(taxonIDs.filter(Self.sampleLike).count) / Double(taxonCount)
        let featureLike = sampleIDs.filter(Self.featureLike)
        let names = Double(featureLike.count) / Double(sampleCount) >= 0.8 && sampleLike >= 0.8
        let doubt = OrientationDoubt(names: names, sampleSpread: Self.spread(sampleTotals), featureSpread: Self.spread(taxonTotals),
                                     examples: Array((featureLike.isEmpty ? sampleIDs : featureLike).prefix(3)))
        return doubt.names || doubt.totals ? doubt : nil
    }

    /// Each feature's total over the samples.
    var taxonTotals: [Double] {
        var totals = [Double](repeating: 0, count: taxonCount)
        for (t, v) in zip(taxonIndices, values) { totals[Int(t)] += v }
        return totals
    }

    /// log₁₀(90th / 10th percentile) of the positive values (type 7); 0 for fewer than two.
    static func spread(_ totals: [Double]) -> Double {
        let positive = totals.filter { $0 > 0 }.sorted()
        guard positive.count >= 2 else { return 0 }
        return log10(quantile(sorted: positive, 0.9) / quantile(sorted: positive, 0.1))
    }

    static func digit(_ s: Unicode.Scalar) -> Bool { s.isASCII ? (48...57).contains(s.value) : s.isDecimalDigit }

    static func sampleLike(_ s: String) -> Bool { s.unicodeScalars.contains(where: digit) }

    /// A taxon name or a feature ID rather than a sample ID.
    static func featureLike(_ s: String) -> Bool {
        let bytes = Array(s.utf8)
        if bytes.contains(UInt8(ascii: ";")) || bytes.contains(UInt8(ascii: "|")) { return true }
        if zip(bytes, bytes.dropFirst()).contains(where: { $0 == UInt8(ascii: "_") && $1 == UInt8(ascii: "_") }) { return true }
        let lower = s.lowercased()
        // Genus_021, OTU_12, Otu0001, ASV3, sOTU-5, feature.7, taxon_3, SV12
        for prefix in ["genus", "species", "family", "otu", "sotu", "zotu", "asv", "esv", "sv", "feature", "taxon", "phylotype"]
        where lower.hasPrefix(prefix) {
            let rest = lower.dropFirst(prefix.count).drop { "_-. ".contains($0) }
            if !rest.isEmpty && rest.unicodeScalars.allSatisfy(digit) { return true }
        }
        let hex = bytes.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
        if hex && (bytes.count == 32 || bytes.count == 64) { return true }   // MD5 / SHA-256 feature IDs (QIIME 2)
        if bytes.count >= 50 && lower.utf8.allSatisfy({ "acgtn".utf8.contains($0) }) { return true }   // an ASV's sequence
        guard let first = s.unicodeScalars.first, first.isUppercaseLetter else { return false }
        return s.count >= 4 && !s.unicodeScalars.contains(where: digit)
    }
}

/// How the records of a delimited count table are read: its orientation
/// and columns (checked once, from the header), and the parse of a range
/// of records straight into the table's arrays (``CountTableReader/read(_:options:)``
/// runs it on every core).
struct RecordParser: Sendable {
    let text: DelimitedText
    let path: String
    let samplesInRows: Bool
    let hasTaxonomy: Bool
    let valueColumns: Int
    let expectedFields: Int
    let columnIDs: [String]
    let rowKind: String
    let columnKind: String
    let delimiter: UInt8
    let zeroQuad: UInt64
    /// Records summed instead of stored, if any.
    var fold: RecordFold? = nil

    /// Reads the layout from the header: orientation (QIIME 2's taxa-as-rows
    /// TSV recognised), a trailing taxonomy column, the column IDs.
    init(_ text: DelimitedText, options: CountTableReadOptions) throws {
        self.text = text
        let path = text.path
        self.path = path
        let header = text.header
        let qiimeForm = CountTable.samplesInColumnsByForm(text)
        switch options.orientation {
        case .rows: samplesInRows = true
        case .columns: samplesInRows = false
        case .auto: samplesInRows = !qiimeForm
        }
        hasTaxonomy = !samplesInRows && header.count > 2
            && CountTable.taxonomyColumnNames.contains(header[header.count - 1].lowercased())
        valueColumns = header.count - 1 - (hasTaxonomy ? 1 : 0)
        rowKind = samplesInRows ? "sample" : options.featureNoun
        columnKind = samplesInRows ? options.featureNoun : "sample"
        guard valueColumns > 0 else {
            throw InputError(file: path, line: text.headerLine,
                             problem: "the header has no \(columnKind) columns after the ID column (found \(header.count) field\(header.count == 1 ? "" : "s") separated by \(text.delimiter == .tab ? "tabs" : "commas"))",
                             fix: "Check the delimiter (\(Parameter.delimiter.mention)) and that the first line is the header")
        }
        guard text.recordCount > 0 else {
            throw InputError(file: path, line: text.headerLine,
                             problem: "the table has a header but no data rows",
                             fix: "Add one row per \(rowKind)")
        }
        columnIDs = Array(header[1...valueColumns])
        for (k, id) in columnIDs.enumerated() where id.isEmpty {
            throw InputError(file: path, line: text.headerLine, column: k + 2,
                             problem: "empty \(columnKind) ID in the header", fix: "Give every column a name")
        }
        try CountTable.checkUnique(columnIDs, kind: columnKind, file: path,
                                        lines: Array(repeating: text.headerLine, count: columnIDs.count))
        expectedFields = header.count
        delimiter = text.delimiter.byte
        zeroQuad = FieldCursor.zeroQuad(delimiter: delimiter)
    }

    /// What one range of records held.
    struct Chunk: Sendable {
        var ids: [String] = []
        var taxonomy: [String] = []
        var integral = true
        /// Per record, how many non-zeros it holds.
        var counts: [Int] = []
        /// How many non-zeros the chunk wrote at its offset.
        var written = 0
        /// The sums of its folded records.
        var folded = FoldedSums()
    }

    /// `ranges` (consecutive, covering the records) with each boundary moved
    /// past the records that continue a run of folded records, so that no
    /// run is split between two ranges: its sum is then the same bits
    /// whatever the number of cores. Empty ranges are dropped.
    func keepingRunsWhole(_ ranges: [Range<Int>]) -> [Range<Int>] {
        guard let fold, ranges.count > 1 else { return ranges }
        func key(_ r: Int) -> String? { (try? idOfRecord(r)).flatMap(fold.key) }
        let end = ranges[ranges.count - 1].upperBound
        var boundaries = [ranges[0].lowerBound]
        for range in ranges.dropFirst() {
            var boundary = Swift.max(range.lowerBound, boundaries[boundaries.count - 1])
            if boundary < end, let run = key(boundary - 1) {
                while boundary < end && key(boundary) == run { boundary += 1 }
            }
            if boundary > boundaries[boundaries.count - 1] && boundary < end { boundaries.append(boundary) }
        }
        boundaries.append(end)
        return zip(boundaries, boundaries.dropFirst()).map { $0..<$1 }
    }

    /// The room the records `range` need and the fold key of each (nil:
    /// kept): the non-zero bound of each record kept, and a whole row's
    /// when any is folded (each is parsed where the next record will be
    /// written, so folded records, most of a stratified table's, are not
    /// scanned here).
    func measure(_ range: Range<Int>) -> (slots: Int, foldKeys: [String?]) {
        let p = text.bytes.buffer
        var kept = 0, widest = 0, foldKeys = [String?]()
        if fold != nil { foldKeys.reserveCapacity(range.count) }
        for r in range {
            if let fold {
                // An ID the parse will refuse counts as kept.
                let key = (try? idOfRecord(r)).flatMap(fold.key)
                foldKeys.append(key)
                if key != nil {
                    widest = valueColumns
                    continue
                }
            }
            kept += CountTable.nonZeroBound(p, text.recordStarts[r]..<text.recordEnds[r], delimiter: delimiter, valueColumns: valueColumns)
        }
        return (kept + widest, foldKeys)
    }

    /// Record `r`'s ID, as ``parse(_:foldKeys:into:)`` reads it.
    func idOfRecord(_ r: Int) throws -> String {
        let p = text.bytes.buffer
        var cursor = FieldCursor(position: text.recordStarts[r], end: text.recordEnds[r])
        return try cursor.next(p, delimiter: delimiter)?.name(p, file: path, line: text.recordLines[r], column: 1, what: "\(rowKind) ID") ?? ""
    }

    /// Parses the records `range` writing their non-zeros from `into` on;
    /// those with a key in `foldKeys` (``measure(_:)``) are added to their run's sums.
    func parse(_ range: Range<Int>, foldKeys: [String?], into target: (indices: UnsafeMutablePointer<Int32>, values: UnsafeMutablePointer<Double>)) throws -> Chunk {
        let p = text.bytes.buffer
        var result = Chunk()
        result.ids.reserveCapacity(range.count)
        result.counts.reserveCapacity(range.count)
        var written = 0
        var sums = fold.map { _ in FoldAccumulator(columns: valueColumns) }
        for r in range {
            let line = text.recordLines[r]
            var cursor = FieldCursor(position: text.recordStarts[r], end: text.recordEnds[r])
            // A record is never empty, so it has at least the ID field.
            let id = try cursor.next(p, delimiter: delimiter)?.name(p, file: path, line: line, column: 1, what: "\(rowKind) ID") ?? ""
            if id.isEmpty {
                throw InputError(file: path, line: line, column: 1,
                                 problem: "empty \(rowKind) ID", fix: "Give every row an ID in the first column")
            }
            result.ids.append(id)
            let before = written
            var k = 0
            while k < valueColumns {
                // Each chunk has one slot of room past its bound: a value
                // is stored always, kept when non-zero.
                k = cursor.plainNumbers(p, delimiter: delimiter, zeros: zeroQuad, from: k, to: valueColumns,
                                        into: target, written: &written, integral: &result.integral)
                if k == valueColumns { break }
                // A field the fast path does not read, by the full parser.
                guard let field = cursor.next(p, delimiter: delimiter) else { break }
                let value = parseCell(p, field.start, field.end)
                guard case .number(let v, let integral) = value, !field.malformed else {
                    throw CountTable.cellError(value, field: field, p: p, path: path, line: line,
                                                     column: k + 2, name: columnIDs[k])
                }
                if !integral { result.integral = false }
                target.indices[written] = Int32(k)
                target.values[written] = v
                written += v != 0 ? 1 : 0
                k += 1
            }
            try checkFieldCount(&cursor, p, fieldsSoFar: k + 1, complete: k == valueColumns, line: line, taxonomy: &result.taxonomy)
            if let fold {
                // A folded record's values are added to its run's sums and
                // overwritten by the next record's (its key measured from
                // the same ID).
                if let key = foldKeys[r - range.lowerBound] {
                    sums!.add(key: key, target, before..<written, into: &result.folded)
                    written = before
                } else {
                    sums!.flush(into: &result.folded)
                }
            }
            result.counts.append(written - before)
        }
        sums?.flush(into: &result.folded)
        result.written = written
        // Hand the parsed bytes back to the kernel: the table grows
        // while the file's resident pages shrink.
        text.bytes.release(text.recordStarts[range.lowerBound]..<text.recordEnds[range.upperBound - 1])
        return result
    }

    /// Reads the rest of a record (its taxonomy, when the table has one)
    /// and checks it has as many fields as the header.
    func checkFieldCount(_ cursor: inout FieldCursor, _ p: UnsafeBufferPointer<UInt8>, fieldsSoFar: Int, complete: Bool, line: Int,
                         taxonomy: inout [String]) throws {
        var found = fieldsSoFar
        if hasTaxonomy, complete, let field = cursor.next(p, delimiter: delimiter) {
            taxonomy.append(field.string(p))
            found += 1
        }
        while cursor.next(p, delimiter: delimiter) != nil { found += 1 }
        if found != expectedFields {
            throw InputError(
                file: path, line: line, column: Swift.min(found, expectedFields) + (found > expectedFields ? 1 : 0),
                problem: "this row has \(found) field\(found == 1 ? "" : "s") but the header (line \(text.headerLine)) has \(expectedFields)",
                fix: found < expectedFields
                    ? "Fill in the missing cells (0 for an absent \(columnKind))"
                    : "Remove the extra cells, or quote cells that contain the delimiter")
        }
    }

    /// The parsed records as rows, their IDs checked unique (the taxonomy
    /// column, if any, left out).
    func rows(_ chunks: [Chunk], indices: [Int32], values: [Double]) throws -> SparseRows {
        let (rowIDs, starts) = try records(chunks)
        return SparseRows(rowIDs: rowIDs, columnIDs: columnIDs, contiguousStarts: starts, columnIndices: indices, values: values,
                          isIntegral: chunks.allSatisfy(\.integral))
    }

    /// The records' IDs, checked unique, and where each one's non-zeros start.
    func records(_ chunks: [Chunk]) throws -> (ids: [String], starts: [Int]) {
        let rowIDs = chunks.flatMap(\.ids)
        try CountTable.checkUnique(rowIDs, kind: rowKind, file: path, lines: text.recordLines, column: 1)
        var starts = [0]
        starts.reserveCapacity(text.recordCount + 1)
        for chunk in chunks { for n in chunk.counts { starts.append(starts[starts.count - 1] + n) } }
        return (rowIDs, starts)
    }

    /// The table from the parsed chunks: row IDs checked unique; records
    /// that are taxa turned into sample-major columns.
    func table(_ chunks: [Chunk], indices: [Int32], values: [Double]) throws -> CountTable {
        let (rowIDs, starts) = try records(chunks)
        let integral = chunks.allSatisfy(\.integral)
        let taxonomy = hasTaxonomy ? chunks.flatMap(\.taxonomy) : nil
        var origin = TableOrigin(format: CountTableFormat.delimited.rawValue)
        origin.samplesInRows = samplesInRows
        var table: CountTable
        if samplesInRows {
            // Each record is a sample: the arrays are the table's columns.
            table = CountTable(uncheckedSampleIDs: rowIDs, taxonIDs: columnIDs, columnStarts: starts, taxonIndices: indices,
                               values: values, isIntegral: integral, taxonomy: taxonomy, source: path)
        } else {
            // Each record is a taxon: turn the rows into sample-major columns.
            let (sampleStarts, taxa, sampleValues) = TaxonMajorBuilder(rowStarts: starts, sampleIndices: indices, values: values)
                .sampleMajor(samples: columnIDs.count)
            table = CountTable(uncheckedSampleIDs: columnIDs, taxonIDs: rowIDs, columnStarts: sampleStarts, taxonIndices: taxa,
                               values: sampleValues, isIntegral: integral, taxonomy: taxonomy, source: path)
        }
        table.origin = origin
        return table
    }
}

/// Which records a read sums instead of storing: `key` names a record's
/// group from its ID (nil: the record is kept). A functional profile folds
/// the strata of functions no module uses, so only their per-function sums
/// (for the check against the community rows) take memory.
struct RecordFold: Sendable {
    let key: @Sendable (String) -> String?
}

/// One chunk's runs of consecutive folded records with the same key, a
/// sparse row of sums each (the read never splits a run between chunks):
/// each run's values added record by record in file order, from 0.
struct FoldedSums: Sendable {
    var keys = [String]()
    /// Where each run's non-zeros start (`keys.count + 1`).
    var starts = [0]
    var columns = [Int32]()
    var values = [Double]()
}

/// Every chunk's runs, in file order (the chunks' arrays as they are).
struct FoldedRuns: Sendable {
    let parts: [FoldedSums]
    /// Per run, its key, its chunk and its index there.
    let keys: [String]
    let part: [Int32], local: [Int32]

    init(_ parts: [FoldedSums] = []) {
        self.parts = parts
        keys = parts.flatMap(\.keys)
        part = parts.indices.flatMap { c in Array(repeating: Int32(c), count: parts[c].keys.count) }
        local = parts.flatMap { $0.keys.indices.map(Int32.init) }
    }

    /// Calls `body(column, sum)` for each non-zero of run `k`.
    @inline(__always)
    func forEach(inRun k: Int, _ body: (Int, Double) -> Void) {
        let chunk = parts[Int(part[k])], r = Int(local[k])
        for i in chunk.starts[r]..<chunk.starts[r + 1] { body(Int(chunk.columns[i]), chunk.values[i]) }
    }
}

/// One chunk's running sum of a run of folded records.
struct FoldAccumulator {
    var key: String? = nil
    var sums: [Double]
    var marked: [Bool]
    var touched = [Int32]()

    init(columns: Int) {
        sums = [Double](repeating: 0, count: columns)
        marked = [Bool](repeating: false, count: columns)
    }

    /// Adds a record's non-zeros (`range` of `target`) to the run of `key`,
    /// closing the previous run when the key changes.
    mutating func add(key: String, _ target: (indices: UnsafeMutablePointer<Int32>, values: UnsafeMutablePointer<Double>),
                      _ range: Range<Int>, into out: inout FoldedSums) {
        if key != self.key {
            flush(into: &out)
            self.key = key
        }
        for k in range {
            let j = Int(target.indices[k])
            if !marked[j] {
                marked[j] = true
                touched.append(Int32(j))
            }
            sums[j] += target.values[k]
        }
    }

    /// Closes the current run, if any: its sums in column order (the
    /// touched columns sorted, or, when they are more than an eighth of
    /// all, the marks swept in order: the same columns without the sort).
    mutating func flush(into out: inout FoldedSums) {
        guard let key else { return }
        func take(_ j: Int) {
            out.columns.append(Int32(j))
            out.values.append(sums[j])
            sums[j] = 0
            marked[j] = false
        }
        if touched.count * 8 > marked.count {
            for j in marked.indices where marked[j] { take(j) }
        } else {
            touched.sort()
            for j in touched { take(Int(j)) }
        }
        touched.removeAll(keepingCapacity: true)
        out.keys.append(key)
        out.starts.append(out.values.count)
        self.key = nil
    }
}
