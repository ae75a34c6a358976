#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a count-table cell holds.
enum CellValue: Equatable {
    /// A finite, non-negative number; `integral` when it has no fractional part.
    case number(Double, integral: Bool)
    case empty
    case negative(Double)
    case nonFinite
    case missingMarker
    case notANumber
}

/// Parses one numeric cell from bytes without allocating.
///
/// The fast path reads plain integers (`0`, `123`) and integers written as
/// floats (`10.0`, as `biom convert` writes them) digit by digit. Anything
/// else (`0.25`, `1e3`) goes through the C library's `strtod` on a stack
/// copy of the cell. Surrounding spaces are ignored.
@inline(__always)
func parseCell(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> CellValue {
    var s = start, e = end
    while s < e && p[s] == UInt8(ascii: " ") { s += 1 }
    while e > s && p[e - 1] == UInt8(ascii: " ") { e -= 1 }
    if s == e { return .empty }
    // Fast path: digits, optionally followed by '.' and zeros.
    var i = s
    var value: UInt64 = 0
    let zero = UInt8(ascii: "0")
    while i < e && i - s < 18 {
        let d = p[i] &- zero
        if d > 9 { break }
        value = value &* 10 &+ UInt64(d)
        i += 1
    }
    if i > s {
        if i == e { return .number(Double(value), integral: true) }
        if p[i] == UInt8(ascii: ".") {
            var j = i + 1
            while j < e && p[j] == zero { j += 1 }
            if j == e { return .number(Double(value), integral: true) }
        }
    }
    return parseCellSlowly(p, s, e)
}

private func parseCellSlowly(_ p: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> CellValue {
    let length = e - s
    if length > 64 { return .notANumber }
    let lower = (s..<e).map { p[$0] | 0x20 }
    let word = String(decoding: lower, as: UTF8.self)
    if ["na", "nan", "null", "none", "n/a", "-nan"].contains(word) { return word.hasSuffix("nan") ? .nonFinite : .missingMarker }
    if ["inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"].contains(word) { return .nonFinite }
    // Only digits, sign, point and exponent may reach strtod (it would
    // otherwise accept hex floats and "nan(...)").
    for k in s..<e {
        let b = p[k]
        let ok = (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: ".")
            || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") || b == UInt8(ascii: "+") || b == UInt8(ascii: "-")
        if !ok { return .notANumber }
    }
    return withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { buffer -> CellValue in
        for k in 0..<length { buffer[k] = CChar(bitPattern: p[s + k]) }
        buffer[length] = 0
        var endPointer: UnsafeMutablePointer<CChar>? = nil
        let v = strtod(buffer.baseAddress!, &endPointer)
        guard let endPointer, endPointer - buffer.baseAddress! == length else { return .notANumber }
        if !v.isFinite { return .nonFinite }
        if v < 0 { return .negative(v) }
        return .number(v == 0 ? 0 : v, integral: v == v.rounded(.towardZero))
    }
}
