import FoundationEssentials
import MoodbiomeNumerics
import CBytes
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A delimited text file (CSV or TSV) split into records at byte level.
///
/// Conventions (RFC 4180 plus what study tables carry in practice):
/// - A UTF-8 byte-order mark is skipped; lines end in LF or CRLF.
/// - Lines starting with `#` before the header are comments and kept as
///   the ``preamble``, except a `#` line that *is* a header, recognised by
///   its first field (`#OTU ID`, `#SampleID`, `#Sample ID`, `#Feature ID`…),
///   as QIIME 1/2 and `biom convert` write them.
/// - Empty lines anywhere are skipped (trailing ones are common).
/// - Fields may be quoted with `"`; a quoted field may hold the delimiter,
///   newlines and doubled quotes (`""`).
///
/// Scanning records where each record starts and ends (one sequential
/// pass that honours quotes; a file of more than 1 MiB without any quote is
/// split into lines on all cores); fields are split later, record by
/// record, so records can be parsed in parallel.
struct DelimitedText: Sendable {
    let path: String
    let bytes: FileBytes
    let delimiter: Delimiter
    /// Comment lines before the header, without their leading `#`.
    let preamble: [String]
    /// The header's fields, unquoted.
    let header: [String]
    /// 1-based line number of the header.
    let headerLine: Int
    /// Byte offset where each data record starts.
    let recordStarts: [Int]
    /// Byte offset one past each data record's last byte (before CR/LF).
    let recordEnds: [Int]
    /// 1-based line number on which each data record starts.
    let recordLines: [Int]

    var recordCount: Int { recordStarts.count }

    static let quote = UInt8(ascii: "\"")
    static let newline = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
    static let hash = UInt8(ascii: "#")

    /// First fields that mark a `#`-prefixed line as the header.
    static let hashHeaderNames: Set<String> = [
        "otu id", "otu_id", "otuid", "sampleid", "sample id", "sample_id", "sample-id",
        "feature id", "feature_id", "featureid", "taxon id", "taxon_id",
        // HUMAnN's gene-family and pathway tables.
        "gene family", "pathway",
    ]

    init(path: String, delimiter requested: Delimiter? = nil) throws {
        try self.init(path: path, bytes: try FileBytes(path: path), delimiter: requested)
    }

    init(path: String, bytes: FileBytes, delimiter requested: Delimiter? = nil) throws {
        self.path = path
        self.bytes = bytes
        let n = bytes.count
        var pos = 0
        if n >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { pos = 3 }
        var line = 1
        var preamble = [String]()
        // Find the header: skip blank and comment lines.
        var headerStart = -1
        var headerEnd = -1
        while pos < n {
            var end = pos
            while end < n && bytes[end] != Self.newline { end += 1 }
            var contentEnd = end
            if contentEnd > pos && bytes[contentEnd - 1] == Self.carriageReturn { contentEnd -= 1 }
            if contentEnd == pos {
                pos = end + 1; line += 1; continue
            }
            if bytes[pos] == Self.hash && !Self.isHashHeader(bytes[(pos + 1)..<contentEnd]) {
                preamble.append(String(decoding: bytes[(pos + 1)..<contentEnd], as: UTF8.self))
                pos = end + 1; line += 1; continue
            }
            headerStart = pos
            headerEnd = contentEnd
            break
        }
        guard headerStart >= 0 else {
            throw InputError(file: path, problem: "the file is empty: no header line and no data",
                             fix: "Give a table with a header row of IDs and at least one data row")
        }
        self.preamble = preamble
        self.headerLine = line
        let delimiter = requested ?? Delimiter.fromExtension(of: path) ?? Delimiter.sniff(bytes[headerStart..<headerEnd])
        self.delimiter = delimiter

        // Scan records from the header on, honouring quotes (a file
        // without any quote: its lines, on all cores).
        let scanned = try (n - headerStart > 1 << 20 ? Self.lines(bytes, from: headerStart, firstLine: line) : nil)
            ?? Self.quotedRecords(bytes, from: headerStart, firstLine: line, path: path)
        let headerRange = scanned.starts.isEmpty ? nil : scanned.starts[0]..<scanned.ends[0]
        self.recordStarts = Array(scanned.starts.dropFirst())
        self.recordEnds = Array(scanned.ends.dropFirst())
        self.recordLines = Array(scanned.lines.dropFirst())
        // The header line was found above, so the scan recorded it first.
        // Its names follow the one name rule (trimmed, UTF-8, no controls).
        let range = headerRange ?? headerStart..<headerEnd
        var names = [String]()
        var cursor = FieldCursor(position: range.lowerBound, end: range.upperBound)
        let p = bytes.buffer
        while let field = cursor.next(p, delimiter: delimiter.byte) {
            names.append(try field.name(p, file: path, line: line, column: names.count + 1, what: "column name"))
        }
        self.header = names
    }

    /// The records of `bytes` from `start` (on `firstLine`) on, honouring
    /// quotes (a quoted field may hold newlines): where each starts and
    /// ends (before CR/LF) and the line it starts on; empty lines skipped.
    static func quotedRecords(_ bytes: FileBytes, from start: Int, firstLine: Int, path: String) throws
        -> (starts: [Int], ends: [Int], lines: [Int]) {
        let n = bytes.count
        var starts = [Int](), ends = [Int](), lines = [Int]()
        let p = bytes.buffer
        guard let base = p.baseAddress else { throw InputError(file: path, problem: "the file is empty") }
        var i = start
        var currentLine = firstLine
        while i < n {
            let recordStart = i
            let recordLine = currentLine
            // Fast path: memchr to the end of the line; a line without a
            // quote is a whole record.
            var lineEnd = n
            if let hit = memchr(base + i, Int32(Self.newline), n - i) {
                lineEnd = UnsafeRawPointer(hit).assumingMemoryBound(to: UInt8.self) - base
            }
            if memchr(base + i, Int32(Self.quote), lineEnd - i) == nil {
                i = lineEnd
            } else {
                var inQuotes = false
                var quoteLine = 0
                while i < n {
                    let b = p[i]
                    if b == Self.quote {
                        if !inQuotes { quoteLine = currentLine }
                        inQuotes.toggle()
                    } else if b == Self.newline {
                        if !inQuotes { break }
                        currentLine += 1
                    }
                    i += 1
                }
                if inQuotes {
                    throw InputError(file: path, line: quoteLine,
                                     problem: "a quoted field opened on this line is never closed",
                                     fix: "Close the field with a matching \" (write \"\" for a literal quote)")
                }
            }
            var end = i
            if end > recordStart && p[end - 1] == Self.carriageReturn { end -= 1 }
            i += 1
            currentLine += 1
            if end == recordStart { continue }
            starts.append(recordStart); ends.append(end); lines.append(recordLine)
        }
        return (starts, ends, lines)
    }

    /// The non-empty lines of `bytes` from `start` on: where each starts
    /// and ends (before CR/LF) and its 1-based line number, `start` being on
    /// `firstLine`; nil when the text holds a quote (a record may then span
    /// lines). Pieces of the text on all cores, each begun after a newline.
    static func lines(_ bytes: FileBytes, from start: Int, firstLine: Int) -> (starts: [Int], ends: [Int], lines: [Int])? {
        let n = bytes.count, base = bytes.buffer.baseAddress!
        let pieces = 16
        var bounds = [start]
        for k in 1..<pieces {
            let guess = Swift.max(start + (n - start) * k / pieces, bounds[bounds.count - 1])
            let hit = guess < n ? memchr(base + guess, Int32(newline), n - guess) : nil
            bounds.append(hit.map { UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self) - base + 1 } ?? n)
        }
        bounds.append(n)
        let cuts = bounds
        let found = parallelChunkMap(count: pieces, minimumPerChunk: 1) { chunk in
            let p = bytes.buffer, base = p.baseAddress!
            return chunk.map { k -> ([Int], [Int], [Int32], Int)? in
                if memchr(base + cuts[k], Int32(quote), cuts[k + 1] - cuts[k]) != nil { return nil }
                var starts = [Int](), ends = [Int](), lines = [Int32](), line: Int32 = 0
                var i = cuts[k]
                while i < cuts[k + 1] {
                    let hit = memchr(base + i, Int32(newline), cuts[k + 1] - i)
                    let lineEnd = hit.map { UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self) - base } ?? cuts[k + 1]
                    var end = lineEnd
                    if end > i && p[end - 1] == carriageReturn { end -= 1 }
                    if end > i {
                        starts.append(i)
                        ends.append(end)
                        lines.append(line)
                    }
                    i = lineEnd + 1
                    line += 1
                }
                // Lines begun in the piece: each ended by a newline, but for a last one that is not.
                return (starts, ends, lines, Int(line))
            }
        }.flatMap { $0 }
        guard found.allSatisfy({ $0 != nil }) else { return nil }
        var starts = [Int](), ends = [Int](), lines = [Int]()
        starts.reserveCapacity(found.reduce(0) { $0 + $1!.0.count })
        ends.reserveCapacity(starts.capacity)
        lines.reserveCapacity(starts.capacity)
        var first = firstLine
        for case let (pieceStarts, pieceEnds, pieceLines, count)? in found {
            starts += pieceStarts
            ends += pieceEnds
            lines += pieceLines.map { first + Int($0) }
            first += count
        }
        return (starts, ends, lines)
    }

    static func isHashHeader(_ rest: ArraySlice<UInt8>) -> Bool {
        var end = rest.startIndex
        while end < rest.endIndex && rest[end] != UInt8(ascii: "\t") && rest[end] != UInt8(ascii: ",") { end += 1 }
        let first = String(decoding: rest[rest.startIndex..<end], as: UTF8.self)
            .trimming(" \"").lowercased()
        return hashHeaderNames.contains(first)
    }

}

/// One field's bytes within a record.
struct FieldSpan {
    /// Content bounds, excluding surrounding quotes.
    var start: Int
    var end: Int
    /// The field was quoted (so `""` inside stands for `"`).
    var quoted: Bool
    /// Bytes followed the closing quote before the delimiter.
    var malformed: Bool

    func string(_ p: UnsafeBufferPointer<UInt8>) -> String {
        let raw = UnsafeBufferPointer(rebasing: p[start..<end])
        let text = String(decoding: raw, as: UTF8.self)
        return quoted ? text.replacing("\"\"", with: "\"") : text
    }

    /// The field as a name (a sample or feature ID, a column header) by the
    /// one rule every reader shares: valid UTF-8, surrounding spaces and
    /// tabs trimmed, and no control character or byte-order mark inside.
    ///
    /// - Throws: `InputError` at the field naming what is wrong (the bytes
    ///   that are not UTF-8, the control character as U+XXXX).
    func name(_ p: UnsafeBufferPointer<UInt8>, file: String, line: Int, column: Int, what: String) throws -> String {
        let text = try Names.name(UnsafeBufferPointer(rebasing: p[start..<end]), file: file, line: line, column: column, what: what)
        return quoted ? text.replacing("\"\"", with: "\"") : text
    }
}

/// Walks the fields of one record.
struct FieldCursor {
    var position: Int
    let end: Int
    private var done = false

    init(position: Int, end: Int) {
        self.position = position
        self.end = end
    }

    /// The next field, or `nil` after the last one. A record `a,b,` has
    /// three fields, the last empty.
    @inline(__always)
    mutating func next(_ p: UnsafeBufferPointer<UInt8>, delimiter: UInt8) -> FieldSpan? {
        if done { return nil }
        var i = position
        if i < end && p[i] == DelimitedText.quote {
            let contentStart = i + 1
            i += 1
            var contentEnd = end
            while i < end {
                if p[i] == DelimitedText.quote {
                    if i + 1 < end && p[i + 1] == DelimitedText.quote { i += 2; continue }
                    contentEnd = i
                    i += 1
                    break
                }
                i += 1
            }
            var malformed = false
            while i < end && p[i] != delimiter {
                if p[i] != UInt8(ascii: " ") { malformed = true }
                i += 1
            }
            advance(past: i)
            return FieldSpan(start: contentStart, end: contentEnd, quoted: true, malformed: malformed)
        }
        let start = i
        while i < end && p[i] != delimiter { i += 1 }
        advance(past: i)
        return FieldSpan(start: start, end: i, quoted: false, malformed: false)
    }

    /// The fast path for count and profile tables: consumes the fields
    /// `first..<last` while each is a plain number — 1–7 digits, or 1–7
    /// digits, a point and 1–7 digits (`12.375`) — ended by the delimiter
    /// or the record's end, writing each field's index and value at
    /// `target[written]` and counting it in `written` when it is not 0;
    /// returns the index of the first field not consumed (`last` when all
    /// were), which the full parser then reads.
    ///
    /// The record is taken 64 bytes at a time (as simdjson's stage 1 does,
    /// Langdale & Lemire 2019): the delimiters and the `0` bytes of the
    /// block as two 64-bit masks (CBytes), from which the fields that are
    /// exactly `0` — most cells of a stratified profile — are told apart
    /// without visiting them, so only the other fields are read, each found
    /// by the position of its bit and numbered by the delimiters before it.
    /// The block ends at its last delimiter; the next starts after it. A
    /// field of 64 bytes or more, one past `last` in the block, or the
    /// file's last 64 bytes go to ``plainTail(_:delimiter:zeros:from:to:into:written:integral:)``.
    /// Each field is read by ``plainNumber(_:at:end:lastLoad:delimiter:powersOfTen:exactPowersOfTen:)``.
    /// Values that are not whole clear `integral`.
    @inline(__always)
    mutating func plainNumbers(_ p: UnsafeBufferPointer<UInt8>, delimiter: UInt8, zeros quad: UInt64, from first: Int, to last: Int,
                               into target: (indices: UnsafeMutablePointer<Int32>, values: UnsafeMutablePointer<Double>),
                               written: inout Int, integral: inout Bool) -> Int {
        guard !done, let base = p.baseAddress, p.count >= 64, last <= Int(Int32.max) else {
            return plainTail(p, delimiter: delimiter, zeros: quad, from: first, to: last, into: target, written: &written, integral: &integral)
        }
        let end = self.end, lastBlock = p.count - 64, lastLoad = p.count - 8
        let powersOfTen = Self.powersOfTen, exactPowersOfTen = Self.exactPowersOfTen
        var pos = position, k = first, stored = written, fractional = false
        blocks: while k < last && pos <= lastBlock {
            let masks = mb_match64(base + pos, delimiter, UInt8(ascii: "0"))
            var delimiters = masks.a, zeroBytes = masks.b
            let span = end &- pos
            if span < 64 {
                // The record ends inside the block: the bytes after its end
                // are the next record's, and the end closes its last field
                // as a delimiter would.
                let inRecord = (1 as UInt64) << UInt64(span) &- 1
                delimiters = delimiters & inRecord | (1 as UInt64) << UInt64(span)
                zeroBytes &= inRecord
            }
            let fields = delimiters.nonzeroBitCount
            guard fields > 0 && k &+ fields <= last else { break }
            let lastDelimiter = 63 &- delimiters.leadingZeroBitCount
            // Fields start at the block's first byte and after each
            // delimiter but the last; a `0` field is a `0` byte that starts
            // a field and is followed by a delimiter.
            let starts = (delimiters << 1 | 1) & (UInt64.max >> UInt64(63 &- lastDelimiter))
            var numbers = starts & ~(zeroBytes & delimiters >> 1)
            while numbers != 0 {
                let bit = numbers.trailingZeroBitCount
                let field = k &+ (delimiters & ((1 as UInt64) << UInt64(bit) &- 1)).nonzeroBitCount
                guard let number = Self.plainNumber(base, at: pos &+ bit, end: end, lastLoad: lastLoad, delimiter: delimiter,
                                                    powersOfTen: powersOfTen, exactPowersOfTen: exactPowersOfTen) else {
                    // Not a plain number: the full parser reads it.
                    position = pos &+ bit
                    written = stored
                    if fractional { integral = false }
                    return field
                }
                // Stored always, kept when non-zero: no branch on the value
                // (the caller leaves one slot of room past its bound).
                target.indices[stored] = Int32(truncatingIfNeeded: field)
                target.values[stored] = number.value
                stored &+= number.whole != 0 ? 1 : 0
                if number.fractional { fractional = true }
                numbers &= numbers &- 1
            }
            k &+= fields
            if span == lastDelimiter {
                done = true
                break blocks
            }
            pos &+= lastDelimiter &+ 1
        }
        written = stored
        if fractional { integral = false }
        if done { return k }
        position = pos
        return plainTail(p, delimiter: delimiter, zeros: quad, from: k, to: last, into: target, written: &written, integral: &integral)
    }

    /// The plain number that starts at `start` and ends at the delimiter
    /// or at `end`: its value, its digits as an integer (0 exactly when the
    /// value is 0), whether it has a non-zero fraction, and where it ends;
    /// nil when the field is not a plain number or too near the buffer's end
    /// to be read a word at a time (`lastLoad`: the last offset 8 bytes can
    /// be loaded from). The tables are ``powersOfTen`` and
    /// ``exactPowersOfTen``, handed in so that a loop reads them once.
    ///
    /// Read a word at a time (SWAR): the length of its run of digits, the
    /// digits combined by three multiplies (Lemire's eight-digit parse), no
    /// branch on the value. A decimal is its digits as an integer m < 10¹⁴
    /// over 10ᵏ: both exact doubles, so one correctly rounded division gives
    /// the value strtod gives (Clinger 1990), the same as
    /// ``parseCell(_:_:_:)``.
    @inline(__always)
    static func plainNumber(_ base: UnsafePointer<UInt8>, at start: Int, end: Int, lastLoad: Int, delimiter: UInt8,
                            powersOfTen: [UInt64], exactPowersOfTen: [Double]) -> (value: Double, whole: UInt64, fractional: Bool, next: Int)? {
        guard start <= lastLoad else { return nil }
        func load(_ i: Int) -> UInt64 { UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self) }
        let word = load(start)
        let length = Swift.min(leadingDigits(word), end &- start)
        guard length > 0 && length < 8 else { return nil }
        var whole = eightDigits((word & 0x0F0F_0F0F_0F0F_0F0F) << UInt64(8 * (8 - length)))
        let next = start &+ length
        guard next < end else { return (Double(Int64(bitPattern: whole)), whole, false, next) }
        let after = UInt8(truncatingIfNeeded: word >> UInt64(8 * length))
        if after == delimiter { return (Double(Int64(bitPattern: whole)), whole, false, next) }
        guard after == UInt8(ascii: ".") else { return nil }
        let from = next &+ 1
        guard from <= lastLoad else { return nil }
        let fraction = load(from)
        let digits = Swift.min(leadingDigits(fraction), end &- from)
        guard digits > 0 && digits < 8 else { return nil }
        let fractionDigits = eightDigits((fraction & 0x0F0F_0F0F_0F0F_0F0F) << UInt64(8 * (8 - digits)))
        whole = whole &* powersOfTen[digits] &+ fractionDigits
        let last = from &+ digits
        if last < end && UInt8(truncatingIfNeeded: fraction >> UInt64(8 * digits)) != delimiter { return nil }
        // whole < 10¹⁴: converted as a signed integer, one instruction. m /
        // 10ᵏ is whole exactly when its fraction digits are all 0: otherwise
        // it is at least 10⁻ᵏ from a whole number, more than its rounding
        // can move it (m < 10¹⁴), so the integer test gives the answer of
        // `value.rounded(.towardZero)` without its libm call.
        return (Double(Int64(bitPattern: whole)) / exactPowersOfTen[digits], whole, fractionDigits != 0, last)
    }

    /// ``plainNumbers(_:delimiter:zeros:from:to:into:written:integral:)``
    /// a field at a time, where a block of 64 bytes does not serve: runs of
    /// `0` fields are skipped up to eight at a time (sixteen bytes
    /// `0,0,0,0,0,0,0,0,`; past the buffer's last word nothing matches, and
    /// a record ends at a newline, which never matches, so no field past its
    /// end is taken).
    mutating func plainTail(_ p: UnsafeBufferPointer<UInt8>, delimiter: UInt8, zeros quad: UInt64, from first: Int, to last: Int,
                            into target: (indices: UnsafeMutablePointer<Int32>, values: UnsafeMutablePointer<Double>),
                            written: inout Int, integral: inout Bool) -> Int {
        guard !done, let base = p.baseAddress, p.count >= 8, last <= Int(Int32.max) else { return first }
        let end = self.end, lastLoad = p.count - 8
        let powersOfTen = Self.powersOfTen, exactPowersOfTen = Self.exactPowersOfTen
        var pos = position, k = first, finished = false, stored = written, fractional = false
        func load(_ i: Int) -> UInt64 { UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self) }
        while k < last && pos <= lastLoad {
            let following = pos &+ 8 <= lastLoad ? load(pos &+ 8) : ~quad
            let unlike = UInt128(following ^ quad) << 64 | UInt128(load(pos) ^ quad)
            let zeros = Swift.min(unlike.trailingZeroBitCount >> 4, last - k)
            if zeros > 0 { pos &+= 2 * zeros; k &+= zeros; continue }
            guard let number = Self.plainNumber(base, at: pos, end: end, lastLoad: lastLoad, delimiter: delimiter,
                                                powersOfTen: powersOfTen, exactPowersOfTen: exactPowersOfTen) else { break }
            target.indices[stored] = Int32(truncatingIfNeeded: k)
            target.values[stored] = number.value
            stored &+= number.whole != 0 ? 1 : 0
            if number.fractional { fractional = true }
            k &+= 1
            if number.next == end { finished = true; break }
            pos = number.next &+ 1
        }
        if finished { done = true } else { position = pos }
        written = stored
        if fractional { integral = false }
        return k
    }

    /// 10⁰ … 10⁷ as integers and as doubles (all exact).
    static let powersOfTen: [UInt64] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000]
    static let exactPowersOfTen: [Double] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000]

    /// Eight bytes `0<d>0<d>0<d>0<d>` as one little-endian word, for ``plainNumbers(_:delimiter:zeros:from:to:into:written:integral:)``.
    static func zeroQuad(delimiter: UInt8) -> UInt64 {
        let pair = UInt64(UInt8(ascii: "0")) | UInt64(delimiter) << 8
        return pair | pair << 16 | pair << 32 | pair << 48
    }

    /// How many of the eight bytes of `word` (the first in its low byte)
    /// are ASCII digits before the first that is not. A byte is a digit when
    /// its high nibble and that of the byte plus 6 are both 3; a carry out of
    /// a byte ≥ 0xFA reaches only later bytes, after the first non-digit.
    @inline(__always)
    static func leadingDigits(_ word: UInt64) -> Int {
        let high = word & 0xF0F0_F0F0_F0F0_F0F0
        let shifted = (word &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0
        let differs = ((high ^ 0x3030_3030_3030_3030) | (shifted ^ 0x3030_3030_3030_3030)) >> 4
        let nonDigit = (differs &+ 0x0F0F_0F0F_0F0F_0F0F) & 0x1010_1010_1010_1010
        return nonDigit.trailingZeroBitCount / 8
    }

    /// The number whose eight decimal digits are the bytes of `digits`
    /// (values 0–9, the most significant in the low byte).
    @inline(__always)
    static func eightDigits(_ digits: UInt64) -> UInt64 {
        let pairs = digits &* 10 &+ (digits >> 8)
        let mask: UInt64 = 0x0000_00FF_0000_00FF
        return ((pairs & mask) &* (100 + (1_000_000 << 32)) &+ ((pairs >> 16) & mask) &* (1 + (10_000 << 32))) >> 32
    }

    @inline(__always)
    private mutating func advance(past delimiterIndex: Int) {
        if delimiterIndex >= end { done = true } else { position = delimiterIndex + 1 }
    }
}
