import FoundationEssentials

/// How branches without a length are taken.
public enum MissingBranchLengths: String, Sendable, CaseIterable {
    /// An error naming the node (the default: UniFrac and Faith's PD need lengths).
    case error
    /// Zero, with a note saying how many.
    case zero
}

extension PhylogeneticTree {
    /// Reads a Newick tree (Felsenstein's format, as QIIME 2, FastTree, IQ-TREE
    /// and phyloseq write it): `(A:0.1,(B:0.2,C:0.3)0.95:0.05)root;`.
    ///
    /// - labels unquoted, or in single quotes (`'Escherichia coli'`, `''` for
    ///   a quote); unquoted labels are kept as written (underscores are not
    ///   turned into spaces, as QIIME 2 reads them);
    /// - internal node names or support values after `)` are kept as names;
    /// - `[comments]` anywhere are skipped; whitespace and line breaks between
    ///   tokens are ignored; multifurcations are allowed;
    /// - a branch without a length is an error, or 0 with `missing: .zero`.
    ///
    /// The parser is a loop over tokens with an explicit stack, so a deeply
    /// nested tree cannot exhaust the call stack.
    ///
    /// - Throws: `InputError` with the line and column of a syntax error.
    public static func readNewick(_ path: String, missing: MissingBranchLengths = .error) throws -> PhylogeneticTree {
        // Through FileBytes: a device is refused and a stream is bounded.
        return try parseNewick(FileBytes.contents(of: path), source: path, missing: missing)
    }

    public static func parseNewick(_ bytes: [UInt8], source: String, missing: MissingBranchLengths = .error) throws -> PhylogeneticTree {
        var scanner = NewickScanner(bytes: bytes, source: source)
        let root = try scanner.tree()
        return try scanner.checkedTree(root: root, missing: missing)
    }
}

/// A Newick text read byte by byte into the nodes of a tree: each node's
/// label, parent, branch length and place in the file.
struct NewickScanner {
    let bytes: [UInt8]
    let source: String
    var names = [String?](), parent = [Int](), length = [Double](), hasLength = [Bool]()
    var lines = [Int](), columns = [Int]()
    var line = 1, column = 1, i = 0
    var n: Int { bytes.count }

    init(bytes: [UInt8], source: String) {
        self.bytes = bytes
        self.source = source
    }

    func fail(_ problem: String, fix: String? = nil) -> InputError {
        InputError(file: source, line: line, column: column, problem: problem, fix: fix)
    }

    mutating func advance() {
        if bytes[i] == 0x0A { line += 1; column = 1 } else { column += 1 }
        i += 1
    }

    mutating func skipSpaceAndComments() throws {
        while i < n {
            let b = bytes[i]
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { advance(); continue }
            if b == UInt8(ascii: "[") {
                let (startLine, startColumn) = (line, column)
                while i < n && bytes[i] != UInt8(ascii: "]") { advance() }
                guard i < n else {
                    throw InputError(file: source, line: startLine, column: startColumn, problem: "a [comment] opened here is never closed")
                }
                advance()
                continue
            }
            break
        }
    }

    mutating func newNode(parentOf: Int) -> Int {
        names.append(nil); parent.append(parentOf); length.append(0); hasLength.append(false)
        lines.append(line); columns.append(column)
        return names.count - 1
    }

    /// A quoted (`'…'`, `''` for a quote) or plain label, under the name rule.
    mutating func readLabel() throws -> String? {
        guard i < n else { return nil }
        let (labelLine, labelColumn) = (line, column)
        if bytes[i] == UInt8(ascii: "'") {
            advance()
            var out = [UInt8]()
            while true {
                guard i < n else { throw fail("a quoted label is never closed", fix: "Close it with ' (write '' for a quote)") }
                if bytes[i] == UInt8(ascii: "'") {
                    if i + 1 < n && bytes[i + 1] == UInt8(ascii: "'") { out.append(bytes[i]); advance(); advance(); continue }
                    advance()
                    break
                }
                out.append(bytes[i]); advance()
            }
            return try out.withUnsafeBufferPointer {
                try Names.name($0, file: source, line: labelLine, column: labelColumn, what: "label")
            }
        }
        let start = i
        while i < n {
            let b = bytes[i]
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == UInt8(ascii: "(") || b == UInt8(ascii: ")")
                || b == UInt8(ascii: ",") || b == UInt8(ascii: ":") || b == UInt8(ascii: ";") || b == UInt8(ascii: "[") { break }
            advance()
        }
        guard i > start else { return nil }
        return try bytes[start..<i].withUnsafeBufferPointer {
            try Names.name($0, file: source, line: labelLine, column: labelColumn, what: "label")
        }
    }

    /// `:length` after a node, if there is one: a finite, non-negative number.
    mutating func readLength(_ node: Int) throws {
        try skipSpaceAndComments()
        guard i < n, bytes[i] == UInt8(ascii: ":") else { return }
        advance()
        try skipSpaceAndComments()
        let start = i
        while i < n, let c = Optional(bytes[i]), (c >= 0x30 && c <= 0x39) || c == 0x2E || c == 0x2D || c == 0x2B || c == 0x65 || c == 0x45 { advance() }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        guard case .number(let value) = parseNumber(text) else {
            throw fail("'\(text)' is not a branch length", fix: "Write lengths as decimal numbers after ':'")
        }
        guard value >= 0 else { throw fail("negative branch length \(text)", fix: "Branch lengths must be non-negative") }
        length[node] = value
        hasLength[node] = true
    }

    /// Reads the whole tree (one, ending with ';'); returns the root.
    mutating func tree() throws -> Int {
        try skipSpaceAndComments()
        guard i < n else { throw InputError(file: source, problem: "the tree file is empty", fix: "Give a Newick tree ending with ';'") }
        // The stack holds the open internal nodes.
        var stack = [Int]()
        var root = -1
        while true {
            try skipSpaceAndComments()
            guard i < n else { throw fail("the tree ends before its closing ';'", fix: "Check that the file holds a whole Newick tree") }
            let b = bytes[i]
            if b == UInt8(ascii: "(") {
                let node = newNode(parentOf: stack.last ?? -1)
                if stack.isEmpty { root = node }
                stack.append(node)
                advance()
                continue
            }
            // A tip (or, after ')', the closed node's label and length).
            if b == UInt8(ascii: ")") || b == UInt8(ascii: ",") || b == UInt8(ascii: ";") {
                throw fail("expected a label or '(' here, found '\(Character(UnicodeScalar(b)))'")
            }
            let tip = newNode(parentOf: stack.last ?? -1)
            if stack.isEmpty { root = tip }
            names[tip] = try readLabel()
            try readLength(tip)
            if try closeNodes(&stack) { return root }
        }
    }

    /// After a node: ',' (a sibling follows: false), ')' (close the parent,
    /// read its label and length, and look again), or ';' (the end: true).
    mutating func closeNodes(_ stack: inout [Int]) throws -> Bool {
        while true {
            try skipSpaceAndComments()
            guard i < n else { throw fail("the tree ends before its closing ';'") }
            let c = bytes[i]
            if c == UInt8(ascii: ",") {
                guard !stack.isEmpty else { throw fail("',' outside parentheses") }
                advance()
                return false
            }
            if c == UInt8(ascii: ")") {
                guard let closed = stack.popLast() else { throw fail("')' without a matching '('") }
                advance()
                try skipSpaceAndComments()
                names[closed] = try readLabel()
                try readLength(closed)
                continue
            }
            if c == UInt8(ascii: ";") {
                guard stack.isEmpty else { throw fail("';' before every '(' is closed (\(stack.count) still open)") }
                advance()
                try skipSpaceAndComments()
                guard i == n else {
                    throw fail("more after the tree's closing ';' (a second tree, or text that is not Newick)",
                               fix: "Give one tree per file: Moodbiome reads one tree, and would otherwise ignore the rest")
                }
                return true
            }
            throw fail("unexpected '\(Character(UnicodeScalar(c)))' after a node", fix: "Separate nodes with ',' and end the tree with ';'")
        }
    }

    /// The tree, once its lengths are checked: a finite sum, and a length
    /// on every branch (or missing ones as 0, when asked).
    func checkedTree(root: Int, missing: MissingBranchLengths) throws -> PhylogeneticTree {
        // Each length is finite (the parser refuses 1e400); their sum must be
        // too, or Faith's PD and UniFrac would be infinite.
        guard length.reduce(0, +).isFinite else {
            throw InputError(file: source, problem: "the branch lengths add up to more than a 64-bit double holds (about 1.8e308)",
                             fix: "Check the lengths' units: a tree's branch lengths are substitutions per site, far below 1")
        }
        var missingCount = 0
        for node in 0..<names.count where node != root && !hasLength[node] {
            switch missing {
            case .zero: missingCount += 1
            case .error:
                throw InputError(file: source, line: lines[node], column: columns[node],
                                 problem: "the branch above \(names[node].map { "'\($0)'" } ?? "this node") has no length",
                                 fix: "Give every branch a length (UniFrac and Faith's PD need them), or accept them as 0 (\(Parameter.missingBranchLengths.mention) zero)")
            }
        }
        return PhylogeneticTree(names: names, parent: parent, length: length, root: root, source: source, missingLengths: missingCount)
    }
}
