import MoodbiomeIO

/// The samples of a result (a count table's, a distance matrix's) matched
/// to the metadata's rows by ID, in metadata order; what is in one only.
public struct SampleJoin: Sendable {
    /// The metadata rows that have a sample, in metadata order.
    public let metadataRows: [Int]
    /// For each of them, the sample's index in the result.
    public let sampleIndices: [Int]
    /// Samples with no metadata row.
    public let onlyInSamples: [String]
    /// Metadata rows with no sample.
    public let onlyInMetadata: [String]

    /// Joins `sampleIDs` (read from `samplesFile`) to `metadata`.
    ///
    /// - Throws: `DataError.noSharedIDs` when no ID is in both, showing a
    ///   few of each side's IDs.
    public init(metadata: DataTable, sampleIDs: [String], samplesFile: String) throws {
        let position = Dictionary(sampleIDs.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let metadataIDs = Set(metadata.ids)
        let rows = metadata.ids.indices.filter { position[metadata.ids[$0]] != nil }
        self.metadataRows = rows
        self.sampleIndices = rows.map { position[metadata.ids[$0]] ?? 0 }
        self.onlyInMetadata = metadata.ids.filter { position[$0] == nil }
        self.onlyInSamples = sampleIDs.filter { !metadataIDs.contains($0) }
        guard !rows.isEmpty else {
            throw DataError(.noSharedIDs(sampleIDs: Array(sampleIDs.prefix(5)), samplesFile: samplesFile,
                                         metadataIDs: Array(metadata.ids.prefix(5)), idColumn: metadata.idColumnName,
                                         matchingColumn: Self.columnHolding(Set(sampleIDs), in: metadata)),
                            at: SourceLocation(file: metadata.source))
        }
    }

    /// The metadata column whose values hold the most of `ids` (at least
    /// half of its non-missing values, so that a grouping column sharing a
    /// value or two with the IDs is not taken for them), if any.
    static func columnHolding(_ ids: Set<String>, in metadata: DataTable) -> String? {
        var best: (name: String, hits: Int)? = nil
        for column in metadata.columns {
            let values = column.cells.indices.filter { !column.isMissing($0) }.map { column.cells[$0] }
            let hits = Set(values).intersection(ids).count
            if hits > 0, 2 * hits >= Set(values).count, hits > (best?.hits ?? 0) { best = (column.name, hits) }
        }
        return best?.name
    }
}
