/// A failure to write an output: the destination cannot receive it, or the
/// write itself failed. Distinct from ``InputError``, which is about what a
/// user's input files hold.
public struct OutputError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The output path.
    public var path: String
    /// What went wrong.
    public var problem: String
    /// How to fix it.
    public var fix: String?

    public init(path: String, problem: String, fix: String? = nil) {
        self.path = path
        self.problem = problem
        self.fix = fix
    }

    public var description: String {
        "\(path): \(problem)" + (fix.map { ". \($0)" } ?? "")
    }
}
