import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeNumerics

/// The association models' dense blocks are built straight from the
/// non-zeros (``CountTable/denseBlock(features:absent:entry:)``, sixteen
/// samples at a time on all cores; TSS and LOG fused into the fill). These
/// tests hold them to the plain constructions bit for bit: the serial dense
/// matrix of IO, and normalisation then transform on that dense block.
@Suite struct FeatureBlockTests {
    /// A random table: `samples` × `taxa`, about `zeros` of the cells zero,
    /// counts up to 5,000, every fifth sample empty in the odd taxa and
    /// every seventh (from the fourth) without reads.
    static func table(samples: Int, taxa: Int, zeros: Double, seed: UInt64) throws -> CountTable {
        var rng = Xoshiro256StarStar(seed: seed)
        var counts = Matrix(rows: taxa, columns: samples)
        for j in 0..<samples {
            for t in 0..<taxa where Double.random(in: 0..<1, using: &rng) >= zeros && !(j % 5 == 0 && t % 2 == 1) && j % 7 != 3 {
                counts[t, j] = Double(Int.random(in: 1...5000, using: &rng))
            }
        }
        return try CountTable(sampleIDs: (0..<samples).map { "S\($0)" }, taxonIDs: (0..<taxa).map { "T\($0)" }, counts: counts)
    }

    static let shapes: [(samples: Int, taxa: Int, zeros: Double)] = [(1, 3, 0), (15, 7, 0.5), (17, 40, 0.35), (200, 64, 0.9), (333, 129, 0.35)]

    @Test(arguments: 0..<5)
    func denseBlockIsTheDenseTableColumnByColumn(shape: Int) throws {
        let (n, m, zeros) = Self.shapes[shape]
        let table = try Self.table(samples: n, taxa: m, zeros: zeros, seed: UInt64(shape + 1))
        let features = (0..<m).filter { $0 % 3 != 1 }
        let block = FeatureBlock(table, features: features, findingEmpty: false).values
        let dense = table.denseSamplesByTaxa()
        #expect(block.rows == n && block.columns == features.count)
        for (c, t) in features.enumerated() { #expect(Array(block.column(c)) == Array(dense.column(t)), "feature \(t)") }
    }

    @Test(arguments: [(FeatureNormalization.tss, FeatureTransform.log), (.tss, .none), (.none, .log), (.none, .none)])
    func fusedPreparationIsTheDenseOneBitForBit(normalization: FeatureNormalization, transform: FeatureTransform) throws {
        for (k, shape) in Self.shapes.enumerated() where shape.samples > 1 {
            let table = try Self.table(samples: shape.samples, taxa: shape.taxa, zeros: shape.zeros, seed: UInt64(10 + k))
            var options = TaxonAssociation.Options()
            options.normalization = normalization
            options.transform = transform
            options.filter.minimumPrevalence = 0
            let selection = try FeatureSelection(table, rows: Array(0..<table.sampleCount), options: options)
            let fused = try selection.prepared(options)
            var dense = FeatureBlock(selection.counts, features: selection.features, findingEmpty: false).values
            try FeaturePreparation.prepare(&dense, normalization, transform, names: selection.names)
            #expect(fused.rows == dense.rows && fused.columns == dense.columns)
            #expect(fused.storage.map(\.bitPattern) == dense.storage.map(\.bitPattern), "\(shape)")
            // TSS leaves out the samples without reads in the kept features (every
            // seventh, and any the zeros emptied); no normalisation keeps them.
            let all = table.denseSamplesByTaxa()
            let empty = (0..<table.sampleCount).filter { j in selection.features.allSatisfy { all[j, $0] == 0 } }.map { "S\($0)" }
            #expect(empty.count >= table.sampleCount / 7)
            #expect(selection.emptyIDs == (normalization == .tss ? empty : []))
            #expect(selection.rows.count == table.sampleCount - selection.emptyIDs.count)
        }
    }
}
