import FoundationEssentials
import MoodbiomeIO
import MoodbiomeNumerics

/// The Mantel test of two distance matrices on the same samples (Mantel
/// 1967, *Cancer Res.* 27:209–220), as vegan's `mantel`.
///
/// The statistic is the correlation of the two matrices' lower triangles
/// (`i > j`): Pearson's r, or Spearman's ρ (Pearson's r of the average
/// ranks). The permutation test permutes the samples of the first matrix —
/// its rows and columns together — and recomputes the statistic; the
/// p-value is one-sided, for a positive association:
/// `(#{r_π ≥ r − √ε} + 1) / (N + 1)`.
///
/// A permutation only reorders the first matrix's values, so their mean,
/// spread and ranks do not change: each permuted statistic is one sum of
/// products over the pairs, O(n²), on both cores.
public struct MantelTest: Sendable {
    public enum Method: String, Sendable, CaseIterable {
        case pearson, spearman
    }

    public let statistic: Double
    public let pValue: Double
    public let method: Method
    public let plan: PermutationPlan
    public let sampleCount: Int

    /// - Precondition: `x` and `y` list the same samples in the same order.
    public init(_ x: DistanceMatrix, _ y: DistanceMatrix, method: Method, plan: PermutationPlan) throws {
        precondition(x.ids == y.ids, "the matrices describe the same samples in the same order")
        let n = x.count
        guard n >= 3 else { throw CompositionError.tooFewSamples(count: n, needed: 3) }
        let pairs = n * (n - 1) / 2
        func lower(_ m: Matrix) -> [Double] {
            var v = [Double]()
            v.reserveCapacity(pairs)
            for j in 0..<n { for i in (j + 1)..<n { v.append(m[i, j]) } }
            return v
        }
        var a = lower(x.values), b = lower(y.values)
        if method == .spearman {
            a = averageRanks(a).ranks
            b = averageRanks(b).ranks
        }
        guard let sa = Self.standardised(a) else { throw CompositionError.constantDistances(file: x.source) }
        guard let sb = Self.standardised(b) else { throw CompositionError.constantDistances(file: y.source) }
        // The standardised first matrix, full and symmetric, to read permuted.
        var full = [Double](repeating: 0, count: n * n)
        var k = 0
        for j in 0..<n { for i in (j + 1)..<n { full[i + j * n] = sa[k]; full[j + i * n] = sa[k]; k += 1 } }
        let xs = full
        let r = zip(sa, sb).reduce(0.0) { $0 + $1.0 * $1.1 }
        var exceed = 0
        plan.forEachBatch(n: n, batch: 64 * parallelWidth) { permutations in
            let counts = parallelChunkMap(count: permutations.count) { range in
                var c = 0
                for p in range {
                    let perm = permutations[p]
                    var s = 0.0, k = 0
                    for j in 0..<n {
                        let pj = perm[j] * n
                        for i in (j + 1)..<n {
                            s += xs[perm[i] + pj] * sb[k]
                            k += 1
                        }
                    }
                    if s >= r - PermutationPlan.tolerance { c += 1 }
                }
                return c
            }
            exceed += counts.reduce(0, +)
        }
        self.statistic = r
        self.pValue = PermutationPlan.pValue(exceeding: exceed, permutations: plan.count)
        self.method = method
        self.plan = plan
        self.sampleCount = n
    }

    /// `(v − mean) / ‖v − mean‖`, or nil for a constant vector; the dot
    /// product of two such vectors is Pearson's r.
    static func standardised(_ v: [Double]) -> [Double]? {
        let m = v.reduce(0, +) / Double(v.count)
        var centred = v.map { $0 - m }
        // A second pass on the mean, as R's `cor` (accurate for large offsets).
        let correction = centred.reduce(0, +) / Double(v.count)
        for i in centred.indices { centred[i] -= correction }
        let norm = centred.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard norm > 0 else { return nil }
        return centred.map { $0 / norm }
    }

    /// The distance matrix of one variable, `|vᵢ − vⱼ|` (R's `dist(v)`).
    public static func variableDistances(_ values: [Double], ids: [String], source: String) -> DistanceMatrix {
        let n = values.count
        var m = Matrix(rows: n, columns: n)
        for j in 0..<n { for i in 0..<n { m[i, j] = abs(values[i] - values[j]) } }
        return DistanceMatrix(ids: ids, values: m, source: source)
    }

    /// One row: `statistic, p_value, permutations, method, samples`.
    public var table: TextTable {
        TextTable(columns: ["statistic", "p_value", "permutations", "method", "samples"],
                  rows: [[.number(statistic), .number(pValue), .number(Double(plan.count)), .text(method.rawValue), .number(Double(sampleCount))]])
    }
}
