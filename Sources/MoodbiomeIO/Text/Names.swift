/// The one rule for names — sample, feature and observation IDs, column
/// headers, tree tips, taxonomy IDs — that every reader applies, whatever
/// the format (CSV/TSV, BIOM 1.0 and 2.1, `.qza`, mothur, MetaPhlAn,
/// Newick, taxonomy tables):
///
/// - valid UTF-8 (a name is never repaired: two different byte strings
///   collapsed to U+FFFD would become "the same" name);
/// - surrounding spaces and tabs trimmed, so `s0` and `s0 ` are one name
///   (and, two of them in a table, a duplicate);
/// - no control character (U+0000–U+001F, U+007F) and no byte-order mark
///   inside: they would travel raw into CSV, HTML and terminals.
///
/// A name that breaks the rule is an ``InputError`` at its place, naming the
/// byte or character; readers never copy it through.
package enum Names {
    /// The name held by `raw`, by the rule above.
    ///
    /// - Parameters:
    ///   - what: what the name is, for the message ("sample ID", "tip name").
    package static func name(_ raw: UnsafeBufferPointer<UInt8>, file: String, line: Int? = nil, column: Int? = nil,
                             what: String) throws -> String {
        var start = 0, end = raw.count
        while start < end && (raw[start] == 0x20 || raw[start] == 0x09) { start += 1 }
        while end > start && (raw[end - 1] == 0x20 || raw[end - 1] == 0x09) { end -= 1 }
        let trimmed = UnsafeBufferPointer(rebasing: raw[start..<end])
        // Plain ASCII without controls: the common case, no checks to do.
        var plain = true
        for b in trimmed where b < 0x20 || b >= 0x7F { plain = false; break }
        if plain { return String(decoding: trimmed, as: UTF8.self) }
        guard let text = String(validating: trimmed, as: UTF8.self) else {
            throw InputError(file: file, line: line, column: column,
                             problem: "the \(what) is not valid UTF-8 text (byte 0x\(String(trimmed[validPrefix(trimmed)], radix: 16, uppercase: true)) at position \(validPrefix(trimmed) + 1) of the name)",
                             fix: "Save the file as UTF-8")
        }
        try check(text, file: file, line: line, column: column, what: what)
        return text
    }

    /// The name `text` (already decoded, as JSON strings are), by the rule
    /// above: trimmed, and refused when it holds a control character or a
    /// byte-order mark.
    package static func name(_ text: String, file: String, line: Int? = nil, column: Int? = nil, what: String) throws -> String {
        try Array(text.utf8).withUnsafeBufferPointer { try name($0, file: file, line: line, column: column, what: what) }
    }

    /// The name held by a NUL-terminated C string (HDF5's), by the rule above.
    package static func name(cString: UnsafePointer<CChar>, file: String, line: Int? = nil, column: Int? = nil,
                             what: String) throws -> String {
        var length = 0
        while cString[length] != 0 { length += 1 }
        return try cString.withMemoryRebound(to: UInt8.self, capacity: length) {
            try name(UnsafeBufferPointer(start: $0, count: length), file: file, line: line, column: column, what: what)
        }
    }

    private static func check(_ text: String, file: String, line: Int?, column: Int?, what: String) throws {
        func forbidden(_ v: UInt32) -> Bool { v < 0x20 || v == 0x7F || v == 0xFEFF }
        guard let scalar = text.unicodeScalars.first(where: { forbidden($0.value) }) else { return }
        let hex = String(scalar.value, radix: 16, uppercase: true)
        let code = "U+" + String(repeating: "0", count: Swift.max(0, 4 - hex.count)) + hex
        let shown = text.unicodeScalars.map { forbidden($0.value) ? "�" : String($0) }.joined()
        throw InputError(file: file, line: line, column: column,
                         problem: scalar.value == 0xFEFF
                            ? "the \(what) '\(shown)' holds a byte-order mark (U+FEFF), which belongs only at the very start of a file"
                            : "the \(what) '\(shown)' holds a control character (\(code))",
                         fix: "Remove it (files joined together, or exported by a program that wrote binary data, leave these behind)")
    }

    /// How many leading bytes of `raw` are valid UTF-8.
    private static func validPrefix(_ raw: UnsafeBufferPointer<UInt8>) -> Int {
        var offset = 0
        var decoder = UTF8()
        var iterator = raw.makeIterator()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let v): offset += UTF8.width(v)
            case .emptyInput, .error: break loop
            }
        }
        return Swift.min(offset, raw.count - 1)
    }
}
