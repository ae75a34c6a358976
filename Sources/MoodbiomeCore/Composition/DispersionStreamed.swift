import FoundationEssentials
import MoodbiomeIO
import MoodbiomeNumerics

/// PERMDISP to the groups' centroids straight from the distances, the
/// matrix read block by block (`betadisper --type centroid --streamed`).
///
/// In the principal coordinates of `D` (real and imaginary axes) the squared
/// distance of sample i to the centroid of group g is, by the parallel-axis
/// identity (Gower 1966; Anderson 2006, eq. 3),
/// `z²ᵢ = (1/n_g) Σ_{j∈g} d²ᵢⱼ − (1/(2 n_g²)) Σ_{j,k∈g} d²ⱼₖ`,
/// the real axes' part less the imaginary axes' — what
/// ``Dispersion/init(distances:groups:column:centre:plan:)`` computes from
/// the coordinates, without any eigendecomposition: one pass over the rows
/// gives `Sᵢg = Σ_{j∈g} d²ᵢⱼ` for every sample and group (n × groups
/// numbers), and `Σ_{j,k∈g} d²ⱼₖ = Σ_{j∈g} S_jg`. The in-memory test drops
/// axes with |λ| ≤ √ε·λ₁ (as vegan does), so the two agree to about 1e-8
/// relative, not bit for bit; a negative z² is taken as 0 and counted, as
/// there. The ANOVA and its permutation test are the in-memory test's.
extension Dispersion {
    /// - Parameters:
    ///   - positions: matrix sample i's position in `groups`, or −1 when
    ///     it is not tested (no group).
    ///   - ids: the tested samples, in `groups`' order.
    public init(rows matrix: any DistanceRows, positions: [Int], ids: [String], groups: [String], column: String,
                plan: PermutationPlan, blockBytes: Int = 64 << 20) throws {
        let n = matrix.count, m = groups.count
        precondition(positions.count == n && ids.count == m)
        let (levels, group) = try Self.levels(groups, column: column)
        let k = levels.count
        // sums[a·k + g]: Σ over group g's samples of d² to tested sample a.
        var sums = [Double](repeating: 0, count: m * k)
        try matrix.forEachBlock(rows: matrix.rowsPerBlock(bytes: blockBytes), validating: true) { range, values in
            for r in 0..<range.count {
                let a = positions[range.lowerBound + r]
                guard a >= 0 else { continue }
                for j in 0..<n {
                    let b = positions[j]
                    guard b >= 0 else { continue }
                    let d = values[r * n + j]
                    sums[a * k + group[b]] += d * d
                }
            }
        }
        var size = [Double](repeating: 0, count: k), within = size
        for a in 0..<m {
            size[group[a]] += 1
            within[group[a]] += sums[a * k + group[a]]
        }
        var z = [Double](repeating: 0, count: m), negative = 0
        for a in 0..<m {
            let g = group[a]
            let squared = sums[a * k + g] / size[g] - within[g] / (2 * size[g] * size[g])
            if squared < 0 { negative += 1 }
            z[a] = Swift.max(squared, 0).squareRoot()
        }
        try self.init(ids: ids, groups: groups, levels: levels, group: group, distances: z, centre: .centroid, plan: plan,
                      negative: negative, unconverged: [])
    }
}
