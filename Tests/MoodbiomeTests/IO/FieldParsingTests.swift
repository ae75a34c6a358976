import Foundation
import Testing
@testable import MoodbiomeIO

/// The word-at-a-time pieces of the CSV/TSV count reader, each against the
/// byte-at-a-time rule it replaces, and the reader on tables whose cells
/// defeat the shortcuts (zeros spelled `0.0`, quoted cells, long numbers).
@Suite("Parsing fields a word at a time")
struct FieldParsingTests {
    /// The leading-digit count and the eight-digit value of every word made
    /// of digits and a few awkward bytes (0x2F and 0x3A around the digits,
    /// 0xFA–0xFF whose +6 carries), against a loop.
    @Test func digitRunsMatchALoop() {
        let alphabet: [UInt8] = Array(0x30...0x39) + [0x2C, 0x09, 0x2E, 0x2F, 0x3A, 0x65, 0x00, 0xFA, 0xFF, 0x0D]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200_000 {
            let bytes = (0..<8).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }
            let word = bytes.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << UInt64(8 * $1.offset) }
            let expected = bytes.prefix { (0x30...0x39).contains($0) }.count
            #expect(FieldCursor.leadingDigits(word) == expected)
            if expected > 0 {
                let digits = (word & 0x0F0F_0F0F_0F0F_0F0F) << UInt64(8 * (8 - expected))
                let value = bytes.prefix(expected).reduce(UInt64(0)) { $0 * 10 + UInt64($1 - 0x30) }
                #expect(FieldCursor.eightDigits(digits) == value)
            }
        }
        #expect(FieldCursor.eightDigits(0x0909_0909_0909_0909) == 99_999_999)
    }

    /// The bound on a record's non-zeros is never below the count.
    @Test func nonZeroBoundCoversEveryRecord() {
        let records = ["s1,0,0,0,0,0,0,0,0,0", "s1,1,0,2,0,0,3", "0,0,0,5", "s,0.0,00,0,7,", "s,\"1,0\",0,2", "s,0", "s,", "s,0,0,0,0,0,0,0,0,12"]
        for record in records {
            let bytes = Array(record.utf8)
            let fields = record.split(separator: ",", omittingEmptySubsequences: false).dropFirst()
            let nonZero = fields.filter { $0 != "0" }.count
            bytes.withUnsafeBufferPointer { p in
                let bound = CountTable.nonZeroBound(p, 0..<p.count, delimiter: 0x2C, valueColumns: 100)
                #expect(bound >= nonZero, "\(record)")
            }
        }
    }

    /// The sixteen-bytes-at-a-time count equals the byte-at-a-time rule
    /// (delimiters minus lone zeros between two delimiters) on random
    /// records of every length up to 700 bytes, so each block boundary and
    /// the 255-block flush are crossed.
    @Test func nonZeroBoundMatchesTheByteRule() {
        let alphabet = Array("0,0,0,0,1,2,00,\t".utf8)
        var generator = SystemRandomNumberGenerator()
        for length in Array(3...700) + [4_200, 4_097, 8_200] {
            let bytes = [UInt8(ascii: "s")] + (1..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }
            var delimiters = 0, zeros = 0
            for i in bytes.indices where bytes[i] == 0x2C { delimiters += 1 }
            for i in 1..<(bytes.count - 1) where bytes[i - 1] == 0x2C && bytes[i] == 0x30 && bytes[i + 1] == 0x2C { zeros += 1 }
            bytes.withUnsafeBufferPointer { p in
                #expect(CountTable.nonZeroBound(p, 0..<p.count, delimiter: 0x2C, valueColumns: .max) == delimiters - zeros, "length \(length)")
                #expect(CountTable.nonZeroBound(p, 1..<p.count, delimiter: 0x2C, valueColumns: .max)
                        == delimiters - zeros, "length \(length), the ID byte outside the span")
            }
        }
    }

    /// A trailing delimiter leaves an empty last cell: reported where it
    /// is, not read past the record (a fuzz finding: the fast integer path
    /// looked at the byte at the record's end).
    @Test(arguments: ["id,a\n\"s\",", "id,a\ns,", "id,a,b\ns,1,\n"])
    func emptyLastCellIsReported(_ text: String) throws {
        let error = try #require(throws: InputError.self) { try CountTable.read(temporaryFile("empty-last.csv", text)) }
        #expect(error.line == 2 && error.problem == "empty cell; expected a count")
    }

    /// Cells the shortcuts do not take: zeros as `0.0` and `00` (fewer
    /// non-zeros than the bound, so chunks close gaps), decimals, quoted
    /// numbers, long integers; 300 rows so the records span several chunks.
    @Test func tablesWithAwkwardCellsReadExactly() throws {
        var lines = ["id,a,b,c,d,e"]
        var expected = [[Double]]()
        for i in 0..<300 {
            let cells: [(String, Double)] = [
                (i % 3 == 0 ? "0.0" : "0", 0), (i % 5 == 0 ? "00" : "\(i)", i % 5 == 0 ? 0 : Double(i)),
                ("\"\(i * 7)\"", Double(i * 7)), ("1234567890123", 1_234_567_890_123), (i % 2 == 0 ? "2.5" : "12345678", i % 2 == 0 ? 2.5 : 12_345_678),
            ]
            lines.append("s\(i)," + cells.map(\.0).joined(separator: ","))
            expected.append(cells.map(\.1))
        }
        let table = try CountTable.read(temporaryFile("awkward.csv", lines.joined(separator: "\n") + "\n"))
        #expect(table.sampleCount == 300 && table.taxonCount == 5)
        let dense = table.denseSamplesByTaxa()
        for i in 0..<300 { for t in 0..<5 { #expect(dense[i, t] == expected[i][t], "row \(i) column \(t)") } }
        #expect(table.nonZeroCount == expected.reduce(0) { $0 + $1.filter { $0 != 0 }.count })
    }

    /// The run-of-numbers fast path against the full cell parser: random
    /// tables (CSV and TSV) whose cells are integers and decimals of 1–9
    /// digits on each side of the point (the fast path takes up to 7),
    /// runs of zeros (and tables nine tenths zeros), `0.0`, trailing zeros,
    /// leading zeros, spaces and quotes; each value read bit for bit as ``parseCell(_:_:_:)`` and
    /// strtod read that cell, and integral tables told from the others.
    @Test func runsOfNumbersReadAsTheFullParser() throws {
        var rng = TestSplitMix(seed: 20261206)
        func digits(_ n: Int) -> String { String((0..<n).map { _ in Character(String(rng.next() % 10)) }) }
        for (trial, delimiter) in [",", "\t", ",", "\t", ",", "\t", ","].enumerated() {
            // Trials 5 and 6 are nine tenths zeros, as functional profiles
            // are: long runs, skipped eight at a time, up to records' ends.
            let columns = 40, rows = 120, decimals = trial != 2, sparse = trial >= 5
            var lines = ["id" + (0..<columns).map { "\(delimiter)c\($0)" }.joined()]
            var cells = [[String]]()
            for i in 0..<rows {
                let row = (0..<columns).map { _ -> String in
                    if sparse && rng.next() % 10 < 9 { return "0" }
                    switch rng.next() % 10 {
                    case 0, 1, 2, 3: return "0"
                    case 4: return digits(Int(rng.next() % 9) + 1)
                    case 5: return decimals ? digits(Int(rng.next() % 9) + 1) + "." + digits(Int(rng.next() % 9) + 1) : "17"
                    case 6: return decimals ? digits(Int(rng.next() % 3) + 1) + "." + digits(Int(rng.next() % 4) + 1) + "0" : "0"
                    case 7: return ["0.0", "00", "007", "\"12\"", " 5", "4 ", decimals ? "3.25" : "3", "10.000"][Int(rng.next() % 8)]
                    default: return String(rng.next() % 100)
                    }
                }
                cells.append(row)
                lines.append("s\(i)" + row.map { delimiter + $0 }.joined())
            }
            let path = temporaryFile("runs-\(trial).\(delimiter == "," ? "csv" : "tsv")", lines.joined(separator: "\n") + (trial == 4 || trial == 6 ? "" : "\n"))
            let table = try CountTable.read(path)
            let dense = table.denseSamplesByTaxa()
            var integral = true
            for i in 0..<rows {
                for c in 0..<columns {
                    let text = cells[i][c]
                    let bytes = Array(text.utf8)
                    guard case .number(let v, let whole) = bytes.withUnsafeBufferPointer({ parseCell($0, 0, $0.count) }) else {
                        #expect(text.hasPrefix("\""), "\(text)")
                        continue
                    }
                    if !whole { integral = false }
                    #expect(dense[i, c].bitPattern == v.bitPattern, "trial \(trial) row \(i) column \(c): '\(text)'")
                    #expect(v == strtod(text.trimmingCharacters(in: .whitespaces), nil), "'\(text)'")
                }
            }
            #expect(table.isIntegral == integral && integral == !decimals, "trial \(trial)")
        }
    }
}

/// The 64-byte blocks of ``FieldCursor/plainNumbers(_:delimiter:zeros:from:to:into:written:integral:)``
/// against the fields split one at a time: records of 0–300 bytes, so that
/// fields and records start and end at every offset of a block, with `0`
/// fields in runs, numbers the fast path reads and fields it leaves to the
/// full parser (empty, quoted, spaced, signed, `0.0`, eight digits, 70
/// digits), fields past `last`, and records that end at the buffer's end.
@Suite("Fields 64 bytes at a time")
struct FieldBlockTests {
    /// What the reader makes of one record: the fields `0..<last` by the fast
    /// path, each field it stops at by the full parser, as the count reader
    /// does; non-zeros as (field, value bits), and where the last stop was.
    func read(_ p: UnsafeBufferPointer<UInt8>, record: Range<Int>, delimiter: UInt8, last: Int)
        -> (nonZeros: [(Int, UInt64)], integral: Bool, fieldsRead: Int) {
        var cursor = FieldCursor(position: record.lowerBound, end: record.upperBound)
        let indices = UnsafeMutablePointer<Int32>.allocate(capacity: last + 1), values = UnsafeMutablePointer<Double>.allocate(capacity: last + 1)
        defer { indices.deallocate(); values.deallocate() }
        var written = 0, integral = true, k = 0, found = [(Int, UInt64)]()
        while k < last {
            k = cursor.plainNumbers(p, delimiter: delimiter, zeros: FieldCursor.zeroQuad(delimiter: delimiter), from: k, to: last,
                                    into: (indices, values), written: &written, integral: &integral)
            if k == last { break }
            guard let field = cursor.next(p, delimiter: delimiter) else { break }
            if case .number(let v, let whole) = parseCell(p, field.start, field.end), v != 0 {
                if !whole { integral = false }
                indices[written] = Int32(k)
                values[written] = v
                written += 1
            }
            k += 1
        }
        for i in 0..<written { found.append((Int(indices[i]), values[i].bitPattern)) }
        return (found, integral, k)
    }

    @Test func blocksReadAsFieldsOneAtATime() {
        var rng = TestSplitMix(seed: 20261208)
        let palette = ["0", "0", "0", "0", "0", "0", "7", "12.375", "0.5", "05", "0.25", "007", "1234567", "9.1234567", "10.000", "", "\"3\"", " 4", "-1", "0.0",
                       "00", "12345678", "1.5e3", String(repeating: "1", count: 70), "0x", "3.", ".5"]
        for trial in 0..<4_000 {
            let delimiter: UInt8 = trial % 2 == 0 ? 9 : 44
            let fields = Int(rng.next() % 60) + 1
            let cells = (0..<fields).map { _ in rng.next() % 3 == 0 ? palette[Int(rng.next() % UInt64(palette.count))] : "0" }
            let record = Array(cells.joined(separator: String(UnicodeScalar(delimiter))).utf8)
            // Before the record, 0–63 bytes of another; after it, a newline
            // and more bytes, or (one trial in four) the buffer's end.
            let lead = Int(rng.next() % 64), tail = trial % 4 == 0 ? 0 : Int(rng.next() % 80) + 1
            let bytes = [UInt8](repeating: UInt8(ascii: "5"), count: lead) + record + [UInt8](repeating: 10, count: tail)
            let last = trial % 5 == 0 ? Swift.max(fields - 1, 1) : fields
            bytes.withUnsafeBufferPointer { p in
                let got = read(p, record: lead..<(lead + record.count), delimiter: delimiter, last: last)
                var want = [(Int, UInt64)](), integral = true
                for (k, cell) in cells.prefix(last).enumerated() {
                    let content = cell.hasPrefix("\"") ? String(cell.dropFirst().dropLast()) : cell
                    let value = Array(content.utf8).withUnsafeBufferPointer { parseCell($0, 0, $0.count) }
                    if case .number(let v, let whole) = value, v != 0 {
                        want.append((k, v.bitPattern))
                        if !whole { integral = false }
                    }
                }
                #expect(got.nonZeros.map(\.0) == want.map(\.0) && got.nonZeros.map(\.1) == want.map(\.1),
                        "trial \(trial): \(cells.joined(separator: "|")) at \(lead)")
                #expect(got.integral == integral && got.fieldsRead == Swift.min(last, fields), "trial \(trial)")
            }
        }
    }
}

/// The count-table cell parser's fast path for short decimals gives the
/// correctly rounded double strtod gives, for every kind of short decimal.
@Suite("Short decimal cells")
struct ShortDecimalCellTests {
    func cell(_ text: String) -> CellValue {
        Array(text.utf8).withUnsafeBufferPointer { parseCell($0, 0, $0.count) }
    }

    @Test func shortDecimalsEqualStrtod() {
        var rng = TestSplitMix(seed: 20261205)
        var texts = ["0.1", "0.2", "0.3", "1.005", "2.675", "123456789.123456", "0.000000000000000000001", "9007199254740.991",
                     "900719925474099.1", "9007199254740993.5", "4.35", "1.0000000000000002", "0.30000000000000004"]
        for _ in 0..<200_000 {
            let digits = Int(rng.next() % 17) + 1, point = Int(rng.next() % UInt64(digits + 1))
            var s = String(rng.next() % 1_000_000_000_000_000_000).prefix(digits)
            if s.isEmpty { s = "0" }
            let text = point == 0 ? "0." + s : String(s.prefix(point)) + "." + s.dropFirst(point)
            texts.append(text.hasSuffix(".") ? text + "5" : text)
        }
        for text in texts {
            if strtod(text, nil) > largestExactCount {
                #expect(cell(text) == .inexact, "\(text)")
                continue
            }
            guard case .number(let v, let integral) = cell(text) else { Issue.record("\(text) not read"); continue }
            #expect(v.bitPattern == strtod(text, nil).bitPattern, "\(text)")
            #expect(integral == (v == v.rounded(.towardZero)), "\(text)")
        }
    }
}

/// SplitMix64, for test inputs only.
struct TestSplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}
