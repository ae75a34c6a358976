/// The field separator of a delimited text table.
public enum Delimiter: String, Sendable, CaseIterable {
    case comma
    case tab

    /// The separator byte.
    public var byte: UInt8 { self == .comma ? UInt8(ascii: ",") : UInt8(ascii: "\t") }

    /// The delimiter a file name's extension implies: `.csv` → comma;
    /// `.tsv`, `.tab` → tab; anything else → `nil` (sniff the content).
    public static func fromExtension(of path: String) -> Delimiter? {
        let lower = path.lowercased()
        if lower.hasSuffix(".csv") { return .comma }
        if lower.hasSuffix(".tsv") || lower.hasSuffix(".tab") { return .tab }
        return nil
    }

    /// Guesses the delimiter from a header line: the one of tab and comma
    /// that occurs more often outside quotes; tab on a tie (QIIME 2 and
    /// BIOM-derived tables are tab-separated, and a comma is common inside
    /// taxonomy strings).
    static func sniff(_ line: ArraySlice<UInt8>) -> Delimiter {
        var tabs = 0, commas = 0, inQuotes = false
        for b in line {
            if b == UInt8(ascii: "\"") { inQuotes.toggle() }
            else if !inQuotes && b == UInt8(ascii: "\t") { tabs += 1 }
            else if !inQuotes && b == UInt8(ascii: ",") { commas += 1 }
        }
        return commas > tabs ? .comma : .tab
    }
}
