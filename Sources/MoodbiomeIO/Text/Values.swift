#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The spellings of a missing value, shared by every reader: an empty cell,
/// or `NA`, `NaN`, `-NaN`, `NULL`, `N/A` in any case (R, pandas, SQL and C
/// printf spellings). `None` is deliberately not among them: in a metadata
/// column it is usually a real level ("no medication").
public enum MissingValue {
    /// The words, in lower case.
    public static let words: Set<String> = ["na", "nan", "-nan", "null", "n/a"]

    /// Whether a cell's (trimmed) text stands for a missing value, compared
    /// byte by byte: this runs for every cell of every model.
    public static func isMissing(_ cell: String) -> Bool {
        var cell = cell
        return cell.withUTF8 { isMissing(bytes: $0) }
    }

    /// The same test on raw bytes.
    @inline(__always)
    public static func isMissing(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        switch bytes.count {
        case 0: return true
        case 2: return bytes[0] | 0x20 == 0x6e && bytes[1] | 0x20 == 0x61                          // na
        case 3:
            let a = bytes[0] | 0x20, b = bytes[1] | 0x20, c = bytes[2] | 0x20
            return (a == 0x6e && b == 0x61 && c == 0x6e) || (a == 0x6e && bytes[1] == 0x2f && c == 0x61)  // nan, n/a
        case 4:
            if bytes[0] == 0x2d { return bytes[1] | 0x20 == 0x6e && bytes[2] | 0x20 == 0x61 && bytes[3] | 0x20 == 0x6e }  // -nan
            return bytes[0] | 0x20 == 0x6e && bytes[1] | 0x20 == 0x75 && bytes[2] | 0x20 == 0x6c && bytes[3] | 0x20 == 0x6c  // null
        default: return false
        }
    }
}

/// What a piece of text holds as a number, by the one number grammar every
/// reader shares: an optional sign, decimal digits with an optional
/// fraction, an optional exponent (`12`, `-0.5`, `+3.`, `.25`, `1e-3`).
/// Hexadecimal (`0x10`, `0x1p3`), `inf`, `nan` and digit groupings are not
/// numbers; a value too large for a double, or a non-zero value so small it
/// would round to zero, is out of range rather than silently ±∞ or 0.
public enum NumberText: Equatable, Sendable {
    case number(Double)
    case notANumber
    /// Decimal syntax whose value a double cannot hold (overflow, or
    /// underflow of a non-zero value to zero).
    case outOfRange
}

/// Parses `bytes` by the shared number grammar (no surrounding spaces).
public func parseNumber(bytes: UnsafeBufferPointer<UInt8>) -> NumberText {
    let n = bytes.count
    if n == 0 || n > 400 { return .notANumber }
    var i = 0
    if bytes[0] == UInt8(ascii: "+") || bytes[0] == UInt8(ascii: "-") { i = 1 }
    var digits = 0, nonZeroDigit = false
    while i < n, bytes[i] &- 48 < 10 { digits += 1; nonZeroDigit = nonZeroDigit || bytes[i] != 48; i += 1 }
    if i < n, bytes[i] == UInt8(ascii: ".") {
        i += 1
        while i < n, bytes[i] &- 48 < 10 { digits += 1; nonZeroDigit = nonZeroDigit || bytes[i] != 48; i += 1 }
    }
    if digits == 0 { return .notANumber }
    if i < n, bytes[i] | 0x20 == UInt8(ascii: "e") {
        i += 1
        if i < n, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
        let start = i
        while i < n, bytes[i] &- 48 < 10 { i += 1 }
        if i == start { return .notANumber }
    }
    if i != n { return .notANumber }
    // The syntax is plain decimal, so strtod reads exactly these bytes.
    let value: Double = withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { buffer in
        for k in 0..<n { buffer[k] = CChar(bitPattern: bytes[k]) }
        buffer[n] = 0
        return strtod(buffer.baseAddress!, nil)
    }
    if !value.isFinite || (value == 0 && nonZeroDigit) { return .outOfRange }
    return .number(value == 0 ? 0 : value)
}

/// Parses a string by the shared number grammar (no surrounding spaces).
public func parseNumber(_ text: String) -> NumberText {
    var text = text
    return text.withUTF8 { parseNumber(bytes: $0) }
}

/// The number a cell holds by the shared grammar, or nil.
public func number(_ text: String) -> Double? {
    if case .number(let v) = parseNumber(text) { return v }
    return nil
}
