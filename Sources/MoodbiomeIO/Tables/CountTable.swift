import Foundation
import MoodbiomeNumerics
/// Which way a count table's file is laid out.
public enum SampleOrientation: String, Sendable, CaseIterable {
    /// QIIME 2 / `biom convert` feature tables (header starting `#OTU ID`,
    /// or a `# Constructed from biom file` preamble) have samples as
    /// columns; every other table has samples as rows.
    case auto
    /// One sample per line, one taxon per column (vegan, phyloseq `otu_table(taxa_are_rows = FALSE)`).
    case rows
    /// One taxon per line, one sample per column (QIIME 2, BIOM TSV, mothur-derived).
    case columns
}

/// A taxa × samples table of abundances, as read from a study's files.
///
/// Abundances are stored in a column-major ``Matrix`` with one column per
/// sample (rows are taxa), so every sample's counts are contiguous.
/// Values are finite and non-negative; `isIntegral` says whether every value
/// is a whole number, which count-based estimators require.
public struct CountTable: Sendable {
    /// Sample identifiers, one per column of `counts`.
    public let sampleIDs: [String]
    /// Taxon (feature, OTU, ASV) identifiers, one per row of `counts`.
    public let taxonIDs: [String]
    /// Abundances: `counts[taxon, sample]`.
    public let counts: Matrix
    /// Every value is a whole number.
    public let isIntegral: Bool
    /// The optional trailing taxonomy column of a QIIME-style table.
    public let taxonomy: [String]?
    /// Where the table came from (a path, or a description).
    public let source: String

    /// A table from values already in memory.
    ///
    /// - Throws: `InputError` for mismatched sizes, duplicate IDs or
    ///   negative / non-finite values.
    public init(sampleIDs: [String], taxonIDs: [String], counts: Matrix,
                taxonomy: [String]? = nil, source: String = "<memory>") throws {
        guard counts.rows == taxonIDs.count, counts.columns == sampleIDs.count else {
            throw InputError(file: source, problem: "the matrix is \(counts.rows) × \(counts.columns) but there are \(taxonIDs.count) taxon and \(sampleIDs.count) sample IDs")
        }
        try Self.checkUnique(sampleIDs, kind: "sample", file: source, lines: nil)
        try Self.checkUnique(taxonIDs, kind: "taxon", file: source, lines: nil)
        var integral = true
        for v in counts.storage {
            guard v.isFinite, v >= 0 else {
                throw InputError(file: source, problem: "abundances must be finite and non-negative; found \(v)")
            }
            if integral && v != v.rounded(.towardZero) { integral = false }
        }
        self.init(uncheckedSampleIDs: sampleIDs, taxonIDs: taxonIDs, counts: counts,
                  isIntegral: integral, taxonomy: taxonomy, source: source)
    }

    package init(uncheckedSampleIDs sampleIDs: [String], taxonIDs: [String], counts: Matrix,
         isIntegral: Bool, taxonomy: [String]?, source: String) {
        self.sampleIDs = sampleIDs
        self.taxonIDs = taxonIDs
        self.counts = counts
        self.isIntegral = isIntegral
        self.taxonomy = taxonomy
        self.source = source
    }

    /// Number of samples.
    public var sampleCount: Int { sampleIDs.count }
    /// Number of taxa.
    public var taxonCount: Int { taxonIDs.count }

    /// The abundances of sample `j`, one per taxon (no copy).
    public func abundances(ofSample j: Int) -> ArraySlice<Double> { counts.column(j) }

    /// Total abundance of each sample.
    public var sampleTotals: [Double] {
        (0..<sampleCount).map { abundances(ofSample: $0).reduce(0, +) }
    }

    /// Whether sample `j` has no reads at all (stops at the first non-zero).
    public func isEmptySample(_ j: Int) -> Bool {
        !abundances(ofSample: j).contains { $0 != 0 }
    }

    static func checkUnique(_ ids: [String], kind: String, file: String, lines: [Int]?,
                            column: Int? = nil) throws {
        var seen = [String: Int]()
        seen.reserveCapacity(ids.count)
        for (k, id) in ids.enumerated() {
            if let first = seen[id] {
                let whereFirst = lines.map { "line \($0[first])" } ?? "position \(first + 1)"
                throw InputError(
                    file: file, line: lines?[k], column: column,
                    problem: "duplicate \(kind) ID '\(id)' (first seen at \(whereFirst))",
                    fix: "Every \(kind) needs a unique ID; merge or rename the duplicates")
            }
            seen[id] = k
        }
    }
}
