import FoundationEssentials
import MoodbiomeNumerics

// The few string operations Moodbiome took from Foundation's ICU-backed
// part, which the binary does not link (see Platform.swift in Numerics):
// each with the semantics of the call it replaces.

extension StringProtocol {
    /// Without leading and trailing whitespace as Foundation's
    /// `CharacterSet.whitespaces` defines it: Unicode's space separators
    /// (general category Zs) and the tab — not line breaks.
    public func trimmingWhitespace() -> String {
        trimming { $0 == "\t" || $0.properties.generalCategory == .spaceSeparator }
    }

    /// Without the leading and trailing scalars `drop` accepts (Foundation's
    /// `trimmingCharacters(in:)` with a character set).
    public func trimming(where drop: (Unicode.Scalar) -> Bool) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !drop($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !drop($0) })!
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars[first...last])
        return String(out)
    }

    /// Without leading and trailing scalars among `characters`.
    public func trimming(_ characters: String) -> String {
        let set = Set(characters.unicodeScalars)
        return trimming(where: set.contains)
    }
}

extension String {
    /// Padded with spaces on the right to `width` characters (unchanged when longer).
    public func padded(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }

    /// printf-style formatting by the C library's `vsnprintf` (`%.3f`,
    /// `%.*g`, `%04X`…), as Foundation's `String(format:)` formats numbers.
    /// A `*` width or precision takes an `Int32`.
    public init(cFormat format: String, _ arguments: CVarArg...) {
        var buffer = [CChar](repeating: 0, count: 128)
        let needed = withVaList(arguments) { vsnprintf(&buffer, buffer.count, format, $0) }
        if needed >= buffer.count {
            buffer = [CChar](repeating: 0, count: Int(needed) + 1)
            _ = withVaList(arguments) { vsnprintf(&buffer, buffer.count, format, $0) }
        }
        self = String(cString: buffer)
    }
}

extension Unicode.Scalar {
    /// An upper-case or title-case letter (Foundation's `CharacterSet.uppercaseLetters`: Lu and Lt).
    public var isUppercaseLetter: Bool {
        properties.generalCategory == .uppercaseLetter || properties.generalCategory == .titlecaseLetter
    }

    /// A decimal digit of any script (Foundation's `CharacterSet.decimalDigits`: Nd).
    public var isDecimalDigit: Bool { properties.generalCategory == .decimalNumber }
}

extension Sequence where Element: Hashable {
    /// The elements in order, each once (the first time it appears).
    public func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
