import FoundationEssentials

/// A merged MetaPhlAn profile (`merge_metaphlan_tables.py`): `#` header
/// lines, a `clade_name` header (optionally `NCBI_tax_id` next), and one row
/// per clade of every rank (`k__Bacteria`, `k__Bacteria|p__Firmicutes`, …
/// `…|s__…|t__…`) with relative abundances in percent.
///
/// Ranks are never mixed: only the rows whose last component is the
/// requested rank are read (species by default). MetaPhlAn's `UNKNOWN` /
/// `UNCLASSIFIED` row is not a clade and is left out. The values are
/// percentages, so the count-based metrics refuse them, as they should.
enum MetaPhlAn {
    static func read(path: String, rank: TaxonomicRank) throws -> CountTable {
        let text = try DelimitedText(path: path, delimiter: .tab)
        var header = text.header
        if header.first?.hasPrefix("#") == true { header[0] = String(header[0].dropFirst()) }
        guard header.first?.lowercased() == "clade_name" || header.first == "ID" else {
            throw InputError(file: path, line: text.headerLine, problem: "not a merged MetaPhlAn profile: the header must start with clade_name")
        }
        let skip = header.count > 1 && header[1].lowercased().hasPrefix("ncbi_tax_id") ? 2 : 1
        let samples = Array(header[skip...])
        guard !samples.isEmpty else {
            throw InputError(file: path, line: text.headerLine, problem: "the profile has no sample columns")
        }
        let p = text.bytes.buffer
        var taxa = [String](), lineages = [String](), builder = TaxonMajorBuilder()
        var rowsSeen = 0
        for r in 0..<text.recordCount {
            var cursor = FieldCursor(position: text.recordStarts[r], end: text.recordEnds[r])
            var fields = [String]()
            while let f = cursor.next(p, delimiter: UInt8(ascii: "\t")) { fields.append(f.string(p)) }
            guard let clade = fields.first, !clade.hasPrefix("#") else { continue }
            rowsSeen += 1
            let components = clade.split(separator: "|").map(String.init)
            guard let last = components.last, TaxonomicRank(component: last) == rank else { continue }
            guard fields.count == header.count else {
                throw InputError(file: path, line: text.recordLines[r], problem: "this row has \(fields.count) fields but the header has \(header.count)")
            }
            for (k, cell) in fields[skip...].enumerated() {
                guard case .number(let v) = parseNumber(cell.trimmingWhitespace()), v >= 0 else {
                    throw InputError(file: path, line: text.recordLines[r], column: k + skip + 1, columnName: samples[k],
                                     problem: "'\(cell)' is not a relative abundance")
                }
                if v != 0 { builder.append(sample: k, value: v) }
            }
            builder.endTaxon()
            taxa.append(try Names.name(clade, file: path, line: text.recordLines[r], column: 1, what: "clade name"))
            lineages.append(Taxonomy.join(components))
        }
        guard !taxa.isEmpty else {
            throw InputError(file: path, problem: "the profile has no \(rank.rawValue)-level rows (\(rowsSeen) rows of other ranks)",
                             fix: "Choose a rank the profile has")
        }
        try CountTable.checkUnique(samples, kind: "sample", file: path, lines: nil)
        try CountTable.checkUnique(taxa, kind: "clade", file: path, lines: nil)
        let (starts, taxonIndices, values) = builder.sampleMajor(samples: samples.count)
        // Percentages are never counts, even where they happen to be whole.
        var table = CountTable(uncheckedSampleIDs: samples, taxonIDs: taxa, columnStarts: starts, taxonIndices: taxonIndices,
                               values: values, isIntegral: false, taxonomy: lineages, source: path)
        table.origin = TableOrigin(format: "MetaPhlAn merged profile (\(rank.rawValue) rows, percentages)")
        return table
    }
}
