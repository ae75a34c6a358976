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

    /// The message with the parameters its fix mentions spelled by the
    /// front end (``Parameter/mention``).
    public func worded(_ spell: (Parameter) -> String) -> String {
        Parameter.spelling("\(path): \(problem)" + (fix.map { ". \($0)" } ?? ""), spell)
    }

    /// The message, parameters named canonically (`overwrite`).
    public var description: String { worded { $0.name } }
}
