import MoodbiomeIO
import MoodbiomeNumerics

/// Rarefaction: subsampling each sample, without replacement, to a common
/// number of reads.
///
/// The kept counts of a sample are one multivariate hypergeometric draw —
/// every subset of `depth` of its `N` reads equally likely, the draw
/// scikit-bio's `subsample_counts` and vegan's `rrarefy` make (with other
/// random streams, so individual draws differ; their distribution does not)
/// — made taxon by taxon as conditional hypergeometric draws: taxon i (in
/// table order) keeps `Hypergeometric(nᵢ, N_rest − nᵢ, still needed)` of
/// its nᵢ reads. The cost grows with the number of taxa and the draws'
/// spread, never with the reads: a sample of 10¹² reads is as quick as one
/// of 10⁴ (``Xoshiro256StarStar/nextHypergeometric(successes:failures:draws:)``).
///
/// Randomness comes from ``Xoshiro256StarStar`` with one stream per
/// (iteration, sample position in the input table), so a seed reproduces the
/// same output on any machine and any number of threads.
public struct Rarefaction: Sendable, Equatable {
    /// Reads kept per sample.
    public var depth: Int
    /// Number of independent draws whose metrics are averaged.
    public var iterations: Int
    /// Seed of the generator.
    public var seed: UInt64

    /// The deepest rarefaction: 2⁵³ reads, beyond which counts are not
    /// exact in the doubles tables hold.
    public static let maximumDepth = 1 << 53
    /// The most draws averaged: beyond this the mean no longer moves.
    public static let maximumIterations = 10_000

    /// Refuses a depth or number of draws outside the limits above, before any work.
    public static func check(depths: [Int], iterations: Int, depthParameter: Parameter) throws {
        for depth in depths {
            if depth < 1 { throw ParameterError(depthParameter, .outOfRange(value: String(depth), allowed: .atLeast("1"))) }
            if depth > maximumDepth { throw ParameterError(depthParameter, .exceedsLimit(value: String(depth), limit: "2^53 = \(maximumDepth) reads")) }
        }
        if iterations < 1 { throw ParameterError(.iterations, .outOfRange(value: String(iterations), allowed: .atLeast("1"))) }
        if iterations > maximumIterations { throw ParameterError(.iterations, .exceedsLimit(value: String(iterations), limit: String(maximumIterations))) }
    }

    public init(depth: Int, iterations: Int = 1, seed: UInt64) {
        self.depth = depth
        self.iterations = iterations
        self.seed = seed
    }

    /// Checks that `table` can be rarefied and splits its samples into those
    /// deep enough (kept) and those below the depth (dropped).
    public func partition(_ table: CountTable) throws -> (kept: [Int], dropped: [Int]) {
        guard depth > 0 else {
            throw ParameterError(.rarefy, .outOfRange(value: String(depth), allowed: .atLeast("1")))
        }
        guard table.isIntegral else { throw AlphaDiversityError.rarefactionNeedsCounts(file: table.source) }
        let totals = table.sampleTotals
        let kept = totals.indices.filter { totals[$0] >= Double(depth) }
        let dropped = totals.indices.filter { totals[$0] < Double(depth) }
        return (kept, dropped)
    }

    /// One rarefied copy of the samples at `indices` (all at least `depth`
    /// deep): draw number `iteration` of this rarefaction, as a sparse table.
    public func rarefied(_ table: CountTable, samples indices: [Int], iteration: Int) -> CountTable {
        let depth = self.depth, seed = self.seed
        struct Chunk: Sendable {
            var counts: [Int] = []
            var taxa: [Int32] = []
            var values: [Double] = []
        }
        let chunks = parallelChunkMap(count: indices.count) { range in
            var chunk = Chunk()
            for k in range {
                let j = indices[k]
                var rng = Xoshiro256StarStar(seed: seed, stream: [UInt64(iteration), UInt64(j)])
                let positions = table.range(ofSample: j)
                var pool = table.values[positions].reduce(0, +)
                var needed = Double(depth)
                let before = chunk.values.count
                for p in positions {
                    let n = table.values[p]
                    if needed == 0 { break }
                    let taken: Double
                    if needed >= pool {
                        taken = n
                    } else {
                        // How many of the reads still needed fall on this taxon.
                        taken = rng.nextHypergeometric(successes: n, failures: pool - n, draws: needed)
                    }
                    needed -= taken
                    pool -= n
                    if taken > 0 {
                        chunk.taxa.append(table.taxonIndices[p])
                        chunk.values.append(taken)
                    }
                }
                chunk.counts.append(chunk.values.count - before)
            }
            return chunk
        }
        var starts = [0], taxa = [Int32](), values = [Double]()
        for chunk in chunks {
            for n in chunk.counts { starts.append(starts[starts.count - 1] + n) }
            taxa.append(contentsOf: chunk.taxa)
            values.append(contentsOf: chunk.values)
        }
        return CountTable(uncheckedSampleIDs: indices.map { table.sampleIDs[$0] }, taxonIDs: table.taxonIDs, columnStarts: starts,
                          taxonIndices: taxa, values: values, isIntegral: true, taxonomy: table.taxonomy, source: table.source)
    }
}
