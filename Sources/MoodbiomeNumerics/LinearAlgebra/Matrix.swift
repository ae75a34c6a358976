/// A dense matrix of `Double` stored contiguously in column-major order,
/// the layout BLAS and LAPACK expect.
///
/// Element `(i, j)` lives at `storage[i + j * rows]`, so every column is a
/// contiguous run of `rows` values. Moodbiome keeps count tables as
/// taxa × samples matrices, which makes each sample's counts one column.
public struct Matrix: Sendable, Equatable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    /// The elements, column after column.
    public package(set) var storage: [Double]

    /// A `rows` × `columns` matrix with every element equal to `value`.
    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        precondition(rows >= 0 && columns >= 0, "matrix dimensions must be non-negative")
        self.rows = rows
        self.columns = columns
        self.storage = Array(repeating: value, count: rows * columns)
    }

    /// A matrix over existing column-major storage.
    ///
    /// - Precondition: `storage.count == rows * columns`.
    public init(rows: Int, columns: Int, columnMajor storage: [Double]) {
        precondition(storage.count == rows * columns, "storage has \(storage.count) elements, expected \(rows * columns)")
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    /// A matrix from an array of rows, as written on paper.
    ///
    /// - Precondition: every row has the same length.
    public init(_ rowArrays: [[Double]]) {
        let r = rowArrays.count
        let c = rowArrays.first?.count ?? 0
        precondition(rowArrays.allSatisfy { $0.count == c }, "rows of unequal length")
        var storage = [Double](repeating: 0, count: r * c)
        for i in 0..<r {
            for j in 0..<c { storage[i + j * r] = rowArrays[i][j] }
        }
        self.init(rows: r, columns: c, columnMajor: storage)
    }

    /// The identity matrix of order `n`.
    public static func identity(_ n: Int) -> Matrix {
        var m = Matrix(rows: n, columns: n)
        for i in 0..<n { m[i, i] = 1 }
        return m
    }

    /// Element at row `i`, column `j` (both zero-based).

    public subscript(i: Int, j: Int) -> Double {
        get { storage[i + j * rows] }
        set { storage[i + j * rows] = newValue }
    }

    /// Column `j` as a slice of the storage (no copy).

    public func column(_ j: Int) -> ArraySlice<Double> {
        storage[(j * rows)..<((j + 1) * rows)]
    }

    /// Row `i` as a new array.
    public func row(_ i: Int) -> [Double] {
        (0..<columns).map { self[i, $0] }
    }

    /// The transpose.
    public var transposed: Matrix {
        var t = Matrix(rows: columns, columns: rows)
        for j in 0..<columns {
            for i in 0..<rows { t[j, i] = self[i, j] }
        }
        return t
    }

    /// The rows and columns whose indices are given, in that order (a
    /// covariance matrix's block for some coefficients).
    public func principalSubmatrix(_ indices: [Int]) -> Matrix {
        var out = Matrix(rows: indices.count, columns: indices.count)
        for (b, j) in indices.enumerated() { for (a, i) in indices.enumerated() { out[a, b] = self[i, j] } }
        return out
    }

    /// The columns whose indices are given, in that order.
    public func selectingColumns(_ indices: [Int]) -> Matrix {
        var out = [Double]()
        out.reserveCapacity(indices.count * rows)
        for j in indices { out.append(contentsOf: column(j)) }
        return Matrix(rows: rows, columns: indices.count, columnMajor: out)
    }
}

extension Matrix: CustomStringConvertible {
    public var description: String {
        (0..<rows).map { i in row(i).map { "\($0)" }.joined(separator: "\t") }.joined(separator: "\n")
    }
}
