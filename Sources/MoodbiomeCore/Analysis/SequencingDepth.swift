import FoundationEssentials
import Glibc
import MoodbiomeIO

/// Sequencing depth in diversity analyses, for the outcome (`analyze
/// --outcome`) and exposure (`analyze --exposure`) designs alike: most
/// metrics of unrarefied counts grow with a sample's reads, so depth can
/// confound any association (Weiss et al. 2017, *Microbiome* 5:27).
///
/// - ``covariate(_:reads:metadataSource:)`` adds `log_reads`, the natural log
///   of each sample's reads, for models adjusted for depth;
/// - ``correlations(_:in:reads:)`` flags the metrics that go with depth
///   (Spearman |ρ| ≥ 0.2 and p < 0.05) when neither rarefaction nor the
///   covariate deals with it.
public enum SequencingDepth {
    /// The name of the depth covariate.
    public static let column = "log_reads"

    /// `merged` with `log_reads` appended, and the covariate term.
    ///
    /// - Throws: `DataError.derivedColumnClash` when the metadata has a
    ///   `log_reads` column already.
    public static func covariate(_ merged: DataTable, reads: [Double], metadataSource: String) throws -> (DataTable, Formula.Covariate) {
        if merged[column] != nil {
            throw DataError(.derivedColumnClash(column), at: SourceLocation(file: metadataSource, columnName: column))
        }
        let data = merged.appendingColumns([DataTable.Column(name: column, numbers: reads.map { $0 > 0 ? Glibc.log($0) : .nan })])
        return (data, try Formula.Covariate(column, columns: data.columnNames))
    }

    /// The metrics (columns of `merged`) that go with `reads`.
    public static func correlations(_ metrics: [String], in merged: DataTable, reads: [Double]) -> [(metric: String, test: TestResult)] {
        metrics.compactMap { label in
            let test = Correlation.spearman(merged[label]?.numbers ?? [], reads)
            return abs(test.statistic) >= 0.2 && test.pValue < 0.05 ? (label, test) : nil
        }
    }
}
