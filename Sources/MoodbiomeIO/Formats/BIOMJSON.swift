import Foundation

/// BIOM 1.0, the JSON table format
/// (http://biom-format.org/documentation/format_versions/biom-1.0.html):
/// `rows` and `columns` of `{"id", "metadata"}`, `shape`, and `data` as
/// `[row, column, value]` triples (`matrix_type` sparse) or as rows of
/// values (dense). Rows are observations, columns samples; the rows'
/// `metadata.taxonomy` (a list of ranks, or one string) is kept.
enum BIOMJSON {
    static func read(path: String) throws -> CountTable {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(file: path, problem: "cannot read the file", fix: "Check the path and permissions")
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw InputError(file: path, problem: "the file starts like JSON (BIOM 1.0) but is not valid JSON",
                             fix: "Export the table again, or convert it with `biom convert`")
        }
        func fail(_ what: String) -> InputError {
            InputError(file: path, problem: "this JSON file is not a BIOM 1.0 table: \(what)",
                       fix: "Give a BIOM table (JSON 1.0 or HDF5 2.1), or a CSV/TSV table")
        }
        guard let root = object as? [String: Any] else { throw fail("it is not a JSON object") }
        guard let shape = root["shape"] as? [NSNumber], shape.count == 2 else { throw fail("it has no 'shape' of two numbers") }
        guard let rows = root["rows"] as? [[String: Any]] else { throw fail("it has no 'rows'") }
        guard let columns = root["columns"] as? [[String: Any]] else { throw fail("it has no 'columns'") }
        guard let matrix = root["data"] as? [Any] else { throw fail("it has no 'data'") }
        let nRows = shape[0].intValue, nColumns = shape[1].intValue
        guard rows.count == nRows, columns.count == nColumns else {
            throw fail("'shape' says \(nRows) × \(nColumns) but there are \(rows.count) rows and \(columns.count) columns")
        }
        func id(_ entry: [String: Any], _ kind: String, _ k: Int) throws -> String {
            if let s = entry["id"] as? String { return s }
            if let n = entry["id"] as? NSNumber { return n.stringValue }
            throw fail("\(kind) \(k + 1) has no 'id'")
        }
        let taxonIDs = try rows.enumerated().map { try id($1, "row", $0) }
        let sampleIDs = try columns.enumerated().map { try id($1, "column", $0) }
        var taxonomy: [String]? = nil
        let lineages = rows.map { row -> String? in
            guard let metadata = row["metadata"] as? [String: Any] else { return nil }
            let value = metadata["taxonomy"] ?? metadata["Taxonomy"]
            if let ranks = value as? [String] { return Taxonomy.join(ranks) }
            if let text = value as? String { return Taxonomy.join(Taxonomy.split(text)) }
            return nil
        }
        if lineages.contains(where: { $0 != nil }) { taxonomy = lineages.map { $0 ?? "" } }

        var builder = TaxonMajorBuilder()
        let sparse = (root["matrix_type"] as? String)?.lowercased() != "dense"
        func number(_ any: Any, _ place: String) throws -> Double {
            guard let n = any as? NSNumber else { throw fail("a value in 'data' is not a number (\(place))") }
            let v = n.doubleValue
            guard v.isFinite, v >= 0 else {
                throw InputError(file: path, problem: "BIOM 1.0: abundance \(v) at \(place); abundances must be finite and non-negative")
            }
            return v
        }
        var integral = true
        if sparse {
            var byRow = [[(Int, Double)]](repeating: [], count: nRows)
            for (k, entry) in matrix.enumerated() {
                guard let triple = entry as? [Any], triple.count == 3,
                      let r = (triple[0] as? NSNumber)?.intValue, let c = (triple[1] as? NSNumber)?.intValue else {
                    throw fail("entry \(k + 1) of the sparse 'data' is not [row, column, value]")
                }
                guard (0..<nRows).contains(r), (0..<nColumns).contains(c) else {
                    throw fail("entry \(k + 1) of 'data' points outside the \(nRows) × \(nColumns) shape")
                }
                let v = try number(triple[2], "row \(r), column \(c)")
                if v != 0 { byRow[r].append((c, v)) }
            }
            for r in 0..<nRows {
                let cells = byRow[r].sorted { $0.0 < $1.0 }
                for (k, cell) in cells.enumerated() {
                    if k > 0 && cells[k - 1].0 == cell.0 {
                        throw fail("row '\(taxonIDs[r])', column '\(sampleIDs[cell.0])' appears twice in 'data'")
                    }
                    if integral && cell.1 != cell.1.rounded(.towardZero) { integral = false }
                    builder.append(sample: cell.0, value: cell.1)
                }
                builder.endTaxon()
            }
        } else {
            guard matrix.count == nRows else { throw fail("the dense 'data' has \(matrix.count) rows, not \(nRows)") }
            for (r, rowAny) in matrix.enumerated() {
                guard let row = rowAny as? [Any], row.count == nColumns else {
                    throw fail("row \(r + 1) of the dense 'data' does not have \(nColumns) values")
                }
                for (c, any) in row.enumerated() {
                    let v = try number(any, "row \(r), column \(c)")
                    if v != 0 {
                        if integral && v != v.rounded(.towardZero) { integral = false }
                        builder.append(sample: c, value: v)
                    }
                }
                builder.endTaxon()
            }
        }
        try CountTable.checkUnique(sampleIDs, kind: "sample", file: path, lines: nil)
        try CountTable.checkUnique(taxonIDs, kind: "observation", file: path, lines: nil)
        let (starts, taxa, values) = builder.sampleMajor(samples: nColumns)
        var table = CountTable(uncheckedSampleIDs: sampleIDs, taxonIDs: taxonIDs, columnStarts: starts, taxonIndices: taxa,
                               values: values, isIntegral: integral, taxonomy: taxonomy, source: path)
        table.origin = TableOrigin(format: "BIOM 1.0 (JSON)", type: root["type"] as? String,
                                   generatedBy: root["generated_by"] as? String, creationDate: root["date"] as? String)
        return table
    }

    /// The table as BIOM 1.0 JSON, sparse, rows in taxon order and the
    /// triples sorted by row then column (deterministic bytes).
    static func text(_ table: CountTable) -> String {
        func number(_ x: Double) -> String { NumberStyle.roundTrip.format(x) }
        let origin = table.origin
        var out = "{\"id\": null, \"format\": \"Biological Observation Matrix 1.0.0\", \"format_url\": \"http://biom-format.org\", "
        out += "\"type\": \(jsonString(origin?.type ?? "OTU table")), \"generated_by\": \(jsonString("Moodbiome \(moodbiomeVersion)")), "
        out += "\"date\": \(jsonString(origin?.creationDate ?? BIOM2.fixedCreationDate)), \"matrix_type\": \"sparse\", \"matrix_element_type\": \""
        out += table.isIntegral ? "int" : "float"
        out += "\", \"shape\": [\(table.taxonCount), \(table.sampleCount)],\n\"rows\": [\n"
        out += table.taxonIDs.enumerated().map { t, id in
            let metadata = table.taxonomy.map { "{\"taxonomy\": [" + Taxonomy.split($0[t]).map(jsonString).joined(separator: ", ") + "]}" } ?? "null"
            return "{\"id\": \(jsonString(id)), \"metadata\": \(metadata)}"
        }.joined(separator: ",\n")
        out += "\n],\n\"columns\": [\n" + table.sampleIDs.map { "{\"id\": \(jsonString($0)), \"metadata\": null}" }.joined(separator: ",\n")
        out += "\n],\n\"data\": ["
        let (starts, samples, values) = table.observationMajor()
        var first = true
        for t in 0..<table.taxonCount {
            for k in starts[t]..<starts[t + 1] {
                out += (first ? "\n" : ",\n") + "[\(t), \(samples[k]), \(table.isIntegral ? String(Int64(values[k])) : number(values[k]))]"
                first = false
            }
        }
        return out + "\n]}\n"
    }
}
