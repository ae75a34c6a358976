/// A failure reported by LAPACK.
public struct LinearAlgebraError: Error, CustomStringConvertible, Equatable {
    /// The LAPACK routine that failed.
    public let routine: String
    /// LAPACK's `info` code: negative for an illegal argument, positive for a
    /// numerical failure whose meaning depends on the routine.
    public let info: Int

    public var description: String {
        info < 0
            ? "\(routine): argument \(-info) had an illegal value (an internal error; please report it)"
            : "\(routine): numerical failure (info = \(info))"
    }
}
