/// A problem with a user's input file, located as precisely as possible.
///
/// The description reads `file:line:column: problem` followed by how to fix
/// it, the convention of compilers and linters, so editors can jump to it.
/// `line` and `column` are 1-based; `column` counts fields (the first field of
/// a line is column 1), and `columnName` repeats the header's name for it.
public struct InputError: Error, CustomStringConvertible, Equatable, Sendable {
    public var file: String
    public var line: Int?
    public var column: Int?
    public var columnName: String?
    /// What was wrong: what was found and what was expected.
    public var problem: String
    /// How to fix it.
    public var fix: String?

    public init(file: String, line: Int? = nil, column: Int? = nil, columnName: String? = nil,
                problem: String, fix: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.columnName = columnName
        self.problem = problem
        self.fix = fix
    }

    /// An error at a place in a file.
    public init(at location: SourceLocation, problem: String, fix: String? = nil) {
        self.init(file: location.file, line: location.line, column: location.column,
                  columnName: location.columnName, problem: problem, fix: fix)
    }

    /// The message with the parameters its fix mentions spelled by the
    /// front end (``Parameter/mention``).
    public func worded(_ spell: (Parameter) -> String) -> String {
        Parameter.spelling(text, spell)
    }

    /// The message, parameters named canonically (`overwrite`).
    public var description: String { worded { $0.name } }

    private var text: String {
        var location = file
        if let line { location += ":\(line)" }
        if let column { location += ":\(column)" }
        var text = "\(location): \(problem)"
        if let columnName, !columnName.isEmpty { text += " (column '\(columnName)')" }
        if let fix { text += ". \(fix)" }
        return text
    }
}

/// A place in an input file: the file, and as far as known the 1-based line,
/// the 1-based field (column) number and the column's header name.
public struct SourceLocation: Equatable, Sendable {
    public var file: String
    public var line: Int?
    public var column: Int?
    public var columnName: String?

    public init(file: String, line: Int? = nil, column: Int? = nil, columnName: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.columnName = columnName
    }
}
