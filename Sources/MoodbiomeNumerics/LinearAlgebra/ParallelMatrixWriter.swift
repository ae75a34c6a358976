#if canImport(Glibc)
import Glibc
#endif

/// Concurrent element writes into a `Matrix` that outlives the writer.
///
/// The per-sample metric loops and the pairwise distance loops fill
/// disjoint parts of one matrix from several threads. This is the one place where that is done through a raw
/// pointer: callers guarantee that no two threads write the same element
/// and that the matrix is not otherwise accessed until the filling body
/// returns.
package struct ParallelMatrixWriter: @unchecked Sendable {
    @usableFromInline let base: UnsafeMutablePointer<Double>
    package let rows: Int
    package let columns: Int

    fileprivate init(base: UnsafeMutablePointer<Double>, rows: Int, columns: Int) {
        self.base = base
        self.rows = rows
        self.columns = columns
    }

    /// Writes element `(i, j)`.
    @inlinable
    package func set(_ i: Int, _ j: Int, _ value: Double) {
        base[i + j * rows] = value
    }

    /// Reads element `(i, j)` (one that no other thread writes meanwhile).
    @inlinable
    package func get(_ i: Int, _ j: Int) -> Double {
        base[i + j * rows]
    }

    /// Column `j`, contiguous, for a thread that owns it.
    @inlinable
    package func column(_ j: Int) -> UnsafeMutableBufferPointer<Double> {
        UnsafeMutableBufferPointer(start: base + j * rows, count: rows)
    }

    /// Adds to element `(i, j)`.
    @inlinable
    package func add(_ i: Int, _ j: Int, _ value: Double) {
        base[i + j * rows] += value
    }
}

extension Matrix {
    /// Runs `body` with a writer over this matrix's storage (threads write
    /// disjoint elements; see ``ParallelMatrixWriter``).
    package mutating func withParallelWriter<R>(_ body: (ParallelMatrixWriter) throws -> R) rethrows -> R {
        let (r, c) = (rows, columns)
        return try storage.withUnsafeMutableBufferPointer { buffer in
            try body(ParallelMatrixWriter(base: buffer.baseAddress ?? emptyMatrixBase, rows: r, columns: c))
        }
    }
}

extension Matrix {
    /// A matrix whose every element `body` writes, through a parallel
    /// writer, without first zero-filling the storage: the threads that
    /// compute the elements touch its pages for the first time themselves.
    ///
    /// - Precondition: `body` writes every element, or throws.
    package init(rows: Int, columns: Int, fillingEveryElement body: (ParallelMatrixWriter) throws -> Void) rethrows {
        let count = rows * columns
        let storage = try [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
            let base = buffer.baseAddress ?? emptyMatrixBase
            adviseHugePages(UnsafeMutableRawPointer(base), byteCount: count * MemoryLayout<Double>.stride)
            do {
                try body(ParallelMatrixWriter(base: base, rows: rows, columns: columns))
            } catch {
                initialized = 0
                throw error
            }
            initialized = count
        }
        self.init(rows: rows, columns: columns, columnMajor: storage)
    }
}

/// A non-null, aligned address for the writer of an empty matrix: never
/// dereferenced (there is no element to write) and never allocated.
private var emptyMatrixBase: UnsafeMutablePointer<Double> {
    UnsafeMutablePointer<Double>(bitPattern: MemoryLayout<Double>.alignment)!
}

/// Asks Linux to back the 2 MiB-aligned interior of a large, not yet touched
/// allocation with transparent huge pages: a 100 MB count matrix then costs
/// ~50 page faults instead of ~25,000. Advice only; harmless where ignored.
package func adviseHugePages(_ start: UnsafeMutableRawPointer, byteCount: Int) {
    #if canImport(Glibc)
    let huge = 2 << 20
    guard byteCount >= 4 * huge else { return }
    let address = Int(bitPattern: start)
    let alignedStart = (address + huge - 1) / huge * huge
    let alignedEnd = (address + byteCount) / huge * huge
    if alignedEnd > alignedStart {
        madvise(UnsafeMutableRawPointer(bitPattern: alignedStart), alignedEnd - alignedStart, MADV_HUGEPAGE)
    }
    #endif
}
