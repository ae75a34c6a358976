/// Concurrent element writes into a `Matrix` that outlives the writer.
///
/// The table reader and the per-sample metric loops fill disjoint parts of
/// one matrix from several threads. This is the one place where that is
/// done through a raw pointer: callers guarantee that no two threads write
/// the same element and that the matrix is not otherwise accessed until
/// `withParallelWriter`'s body returns.
struct ParallelMatrixWriter: @unchecked Sendable {
    private let base: UnsafeMutablePointer<Double>
    let rows: Int
    let columns: Int

    fileprivate init(base: UnsafeMutablePointer<Double>, rows: Int, columns: Int) {
        self.base = base
        self.rows = rows
        self.columns = columns
    }

    /// Writes element `(i, j)`.
    @inline(__always)
    func set(_ i: Int, _ j: Int, _ value: Double) {
        base[i + j * rows] = value
    }
}

extension Matrix {
    /// Runs `body` with a writer over this matrix's storage.
    mutating func withParallelWriter<R>(_ body: (ParallelMatrixWriter) throws -> R) rethrows -> R {
        let (r, c) = (rows, columns)
        return try storage.withUnsafeMutableBufferPointer { buffer in
            // An empty matrix has no base address; a dangling writer is never dereferenced.
            let base = buffer.baseAddress ?? UnsafeMutablePointer<Double>.allocate(capacity: 0)
            return try body(ParallelMatrixWriter(base: base, rows: r, columns: c))
        }
    }
}
