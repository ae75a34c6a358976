import CHDF5
import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeNumerics
@testable import MoodbiomeStudy

/// The randomized PCoA (`ordinate --method fsvd`): the same eigenvalues and
/// axes as the exact eigendecomposition (scikit-bio's `pcoa(method="eigh")`
/// and Moodbiome's own), from a matrix read block by block from HDF5.
@Suite("Randomized PCoA (fsvd) against the exact eigendecomposition")
struct RandomizedPCoATests {
    /// Bray–Curtis of the 600-sample simulated study, written as
    /// unifrac-binaries' HDF5 matrix in `precision`.
    static func longitudinalMatrix(_ precision: DistancePrecision, in dir: String) throws -> (DistanceMatrix, String) {
        let table = try CountTable.read(datasetPath("simulated-longitudinal/counts.csv"))
        let matrix = try BetaDiversityResult(table: table, metric: BetaMetricDefinition.named("braycurtis")!, options: BetaOptions()).matrix
        let path = dir + "/bray-\(precision.rawValue).h5"
        try DistanceHDF5.writeMatrix(ids: matrix.ids, condensed: matrix.condensed(.all(matrix.count)), precision: precision,
                                     metric: "braycurtis", to: path)
        return (matrix, path)
    }

    @Test func matchesScikitBiosExactPCoA() throws {
        let (_, path) = try Self.longitudinalMatrix(.float64, in: temporaryDirectory())
        let file = try DistanceMatrixFile(path)
        let pcoa = try PrincipalCoordinates(randomized: file, dimensions: 10)
        let reference = csvRows("beta/pcoa-fsvd-skbio.csv")
        #expect(pcoa.eigenvalues.count == 10 && pcoa.method == .fsvd)
        for (k, row) in reference.enumerated() {
            #expect(isClose(pcoa.eigenvalues[k], Double(row["eigenvalue"]!)!, relative: 1e-9), "PC\(k + 1)")
            // scikit-bio's fsvd rule: eigenvalue / trace of the centred matrix.
            #expect(isClose(pcoa.proportionExplained[k], Double(row["proportion_of_trace"]!)!, relative: 1e-9), "PC\(k + 1)")
        }
        // Axes up to sign, to 1e-6 of the largest coordinate (in fact ~1e-10).
        let coordinates = csvRows("beta/pcoa-fsvd-coordinates-skbio.csv")
        let index = Dictionary(uniqueKeysWithValues: pcoa.ids.enumerated().map { ($1, $0) })
        for axis in 0..<10 {
            let reference = coordinates.map { Double($0["PC\(axis + 1)"]!)! }
            let ours = coordinates.map { pcoa.coordinates[index[$0["sample_id"]!]!, axis] }
            let sign: Double = zip(ours, reference).reduce(0) { $0 + $1.0 * $1.1 } < 0 ? -1 : 1
            let scale = reference.map(abs).max()!
            let worst = zip(ours, reference).map { abs(sign * $0 - $1) }.max()!
            #expect(worst <= 1e-6 * scale, "PC\(axis + 1): \(worst)")
        }
    }

    /// Against Moodbiome's exact PCoA of the same values — float32 ones
    /// here — with the same sign rule, so the coordinates agree as they are.
    @Test func matchesTheExactMethodSignsIncluded() throws {
        let (_, path) = try Self.longitudinalMatrix(.float32, in: temporaryDirectory())
        let stored = try DistanceHDF5.readMatrix(path)
        let exact = try PrincipalCoordinates(stored, dimensions: 6)
        for rows in [try DistanceMatrixFile(path) as any DistanceRows, stored] {
            let fast = try PrincipalCoordinates(randomized: rows, dimensions: 6)
            for axis in 0..<6 {
                #expect(isClose(fast.eigenvalues[axis], exact.eigenvalues[axis], relative: 1e-10))
                for i in 0..<stored.count { #expect(abs(fast.coordinates[i, axis] - exact.coordinates[i, axis]) <= 1e-8) }
            }
        }
    }

    /// An indefinite operator (a negative eigenvalue larger in size than
    /// some positive ones) and one of low rank: the algebraically largest
    /// pairs, as LAPACK's dsyevr gives them.
    @Test(arguments: [[9.0, 4, -7, 2, 1.5, -0.3], [5.0, 3, 1, 0, 0, 0]])
    func findsTheLargestPairsOfAnyOperator(leading: [Double]) throws {
        let n = 120
        var random = Xoshiro256StarStar(seed: 3)
        var basis = Matrix(rows: n, columns: n)
        for i in basis.storage.indices { basis.storage[i] = random.nextNormal() }
        RandomizedEigen.orthonormalize(&basis, random: &random)
        let spectrum = leading + (0..<(n - leading.count)).map { leading.last == 0 ? 0 : 0.5 * pow(0.9, Double($0)) }
        var scaled = basis
        for c in 0..<n { for i in 0..<n { scaled[i, c] *= spectrum[c] } }
        let a = scaled.multiplied(by: basis, transposeOther: .transposed)
        let exact = try SymmetricEigen(a)
        let fast = try RandomizedEigen(order: n, count: 4, seed: 11) { a.multiplied(by: $0) }
        let top = Array(exact.eigenvalues.reversed().prefix(4))
        for k in 0..<4 {
            #expect(abs(fast.eigenvalues[k] - top[k]) <= 1e-9 * abs(top[0]), "λ\(k + 1): \(fast.eigenvalues[k]) vs \(top[k])")
            // Vectors up to sign (the spectrum's gaps are wide).
            let v = fast.eigenvectors.column(k), w = exact.eigenvectors.column(n - 1 - k)
            let dot = zip(v, w).reduce(0) { $0 + $1.0 * $1.1 }
            if abs(top[k]) > 1e-9 { #expect(abs(abs(dot) - 1) <= 1e-9) }  // a zero eigenvalue of multiplicity n − 3 has no one vector
        }
        #expect(fast.residual <= 1e-11)
    }

    /// The streamed reader checks what the in-memory one does, and names the pair.
    @Test func aStreamedMatrixIsCheckedAsItIsRead() throws {
        let dir = temporaryDirectory()
        let ids = ["a", "b", "c", "d"]
        func write(_ name: String, _ rows: [[Double]]) throws -> String {
            let path = dir + "/" + name + ".h5"
            try DistanceHDF5.writeFile(path) { file in
                try BIOM2.writeStrings(file, "order", ids, columns: 0, path: path)
                try DistanceHDF5.writeRows(file, "matrix", dims: [4, 4], precision: .float64, path: path, rows: 4) { range in range.flatMap { rows[$0] } }
            }
            return path
        }
        let good: [[Double]] = [[0, 1, 2, 3], [1, 0, 4, 5], [2, 4, 0, 6], [3, 5, 6, 0]]
        _ = try PrincipalCoordinates(randomized: try DistanceMatrixFile(try write("good", good)), dimensions: 2)
        var asymmetric = good
        asymmetric[3][1] = 5.5
        let path = try write("asymmetric", asymmetric)
        #expect(throws: InputError(file: path, problem: "the matrix is not symmetric: 'b'–'d' is 5 but 'd'–'b' is 5.5", fix: "Give a symmetric distance matrix")) {
            try PrincipalCoordinates(randomized: try DistanceMatrixFile(path), dimensions: 2)
        }
        var diagonal = good
        diagonal[2][2] = 0.5
        let other = try write("diagonal", diagonal)
        #expect(throws: InputError(file: other, problem: "the distance of 'c' to itself is 0.5, not 0", fix: "A distance matrix has zeros on its diagonal")) {
            try PrincipalCoordinates(randomized: try DistanceMatrixFile(other), dimensions: 2)
        }
    }

    /// `ordinate --method fsvd -o pcoa.h5`: unifrac-binaries' PCoA datasets,
    /// what `unifrac.h5pcoa` reads.
    @Test func writesThePCoAInUnifracBinariesLayout() throws {
        let dir = temporaryDirectory()
        let (_, matrix) = try Self.longitudinalMatrix(.float32, in: dir)
        var job = OrdinationRun(matrixPath: matrix)
        job.method = .fsvd
        job.output.path = dir + "/pcoa.h5"
        var notes = [String]()
        _ = try job.run { notes.append($0) }
        #expect(notes.first?.hasPrefix("note: fsvd: the 10 largest axes by randomized block Krylov iteration (") == true)
        var csvJob = job
        csvJob.output.path = dir + "/pcoa.csv"
        _ = try csvJob.run { _ in }
        let table = csvRows(fromFile: dir + "/pcoa.csv")
        try BIOM2.loadLibrary()
        try BIOM2.session.withLock { _ in
            let file = mb_h5_open(dir + "/pcoa.h5")
            #expect(file >= 0)
            defer { _ = mb_h5_close(file) }
            #expect(try BIOM2.strings(file, "pcoa_method", what: "method", source: "pcoa.h5") == ["FSVD"])
            let order = try BIOM2.names(file, "order", what: "sample ID", source: "pcoa.h5")
            #expect(order == table.map { $0["sample_id"]! })
            var eigenvalues = [Double](repeating: 0, count: 10), samples = [Double](repeating: 0, count: 10 * order.count)
            #expect(mb_h5_read(file, "pcoa_eigvals", mb_h5_native_double(), &eigenvalues) == 0)
            #expect(mb_h5_read(file, "pcoa_samples", mb_h5_native_double(), &samples) == 0)
            #expect(eigenvalues.allSatisfy { $0 > 0 } && eigenvalues == eigenvalues.sorted(by: >))
            // Row-major n × 10, the CSV's numbers exactly.
            for (i, row) in table.enumerated() { for k in 0..<10 { #expect(samples[i * 10 + k] == Double(row["PC\(k + 1)"]!)!) } }
        }
    }

    /// No fixed sample limit: the memory a job needs, said before it starts
    /// (from 1 GB), refused when more than is free.
    @Test func saysWhatAMatrixNeedsAndRefusesWhatDoesNotFit() throws {
        var notes = [String]()
        let plan = MatrixMemory.plan(copies: 2, what: "PERMANOVA", fix: "Use stripes", file: "m.h5") { notes.append($0) }
        try plan(1_000)
        #expect(notes.isEmpty)
        try plan(12_000)
        #expect(notes.count == 1 && notes[0].hasPrefix("note: 12000 samples: about 2.3 GB of memory for PERMANOVA (2 n × n matrices of doubles); "))
        #expect(notes[0].hasSuffix(" free of \(MemoryBudget.describe(MemoryBudget.bytes))"))
        do {
            try plan(10_000_000)
            Issue.record("1.6 PB fitted")
        } catch let error as InputError {
            #expect(error.problem.hasPrefix("PERMANOVA for 10000000 samples would need 1.6 PB of memory, but "))
            #expect(error.problem.hasSuffix(" is free (of this machine's \(MemoryBudget.describe(MemoryBudget.bytes)))") && error.fix == "Use stripes")
        }
    }
}
