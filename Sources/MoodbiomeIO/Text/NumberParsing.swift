#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a count-table cell holds.
package enum CellValue: Equatable {
    /// A finite, non-negative number; `integral` when it has no fractional part.
    case number(Double, integral: Bool)
    case empty
    case negative(Double)
    case nonFinite
    case missingMarker
    case notANumber
    /// Decimal syntax a double cannot hold (overflow, or a non-zero value rounding to 0).
    case outOfRange
    /// A count above 2⁵³, where doubles skip whole numbers.
    case inexact
}

/// 2⁵³: above it a double cannot represent every whole number.
package let largestExactCount = Double(1 << 53)

/// Parses one numeric cell from bytes without allocating.
///
/// The fast path reads plain integers (`0`, `123`) and integers written as
/// floats (`10.0`, as `biom convert` writes them) digit by digit. Anything
/// else (`0.25`, `1e3`) is read by ``parseNumber(bytes:)``, the number
/// grammar every reader shares. Surrounding spaces are ignored.
@inline(__always)
package func parseCell(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> CellValue {
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
    if i > s && value > 1 << 53 && (i == e || p[i] == UInt8(ascii: ".")) { return .inexact }
    if i > s {
        if i == e { return .number(Double(value), integral: true) }
        if p[i] == UInt8(ascii: ".") {
            var j = i + 1
            while j < e && p[j] == zero { j += 1 }
            if j == e { return .number(Double(value), integral: true) }
            // A short decimal (`12.375`): its digits as an integer m < 2⁵³
            // and k ≤ 22 fraction digits. m and 10^k are exact doubles, so
            // m / 10^k, one correctly rounded division, is the correctly
            // rounded value strtod gives (Clinger 1990, the exact fast path).
            var m = value, k = 0
            j = i + 1
            while j < e && k < 22 {
                let d = p[j] &- zero
                if d > 9 || m > (1 << 53) / 10 { break }
                m = m &* 10 &+ UInt64(d)
                k += 1
                j += 1
            }
            if j == e && k > 0 {
                let v = Double(m) / exactPowersOfTen[k]
                return .number(v, integral: v == v.rounded(.towardZero))
            }
        }
    }
    return parseCellSlowly(p, s, e)
}

/// 10⁰ … 10²², every one exactly a double.
private let exactPowersOfTen: [Double] = (0...22).map { k in (0..<k).reduce(1.0) { x, _ in x * 10 } }

private func parseCellSlowly(_ p: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> CellValue {
    let cell = UnsafeBufferPointer(rebasing: p[s..<e])
    if MissingValue.isMissing(bytes: cell) {
        return cell.count >= 3 && cell[cell.count - 1] | 0x20 == UInt8(ascii: "n") ? .nonFinite : .missingMarker  // nan, -nan
    }
    if e - s <= 9 {
        let word = String(decoding: cell.map { $0 | 0x20 }, as: UTF8.self)
        if ["inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"].contains(word) { return .nonFinite }
    }
    switch parseNumber(bytes: cell) {
    case .notANumber: return .notANumber
    case .outOfRange: return .outOfRange
    case .number(let v):
        if v < 0 { return .negative(v) }
        if v > largestExactCount { return .inexact }
        return .number(v, integral: v == v.rounded(.towardZero))
    }
}
