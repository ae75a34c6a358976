import FoundationEssentials

/// BIOM 1.0, the JSON table format
/// (http://biom-format.org/documentation/format_versions/biom-1.0.html):
/// `rows` and `columns` of `{"id", "metadata"}`, `shape`, and `data` as
/// `[row, column, value]` triples (`matrix_type` sparse) or as rows of
/// values (dense). Rows are observations, columns samples; the rows'
/// `metadata.taxonomy` (a list of ranks, or one string) is kept.
enum BIOMJSON {
    /// The document as BIOM 1.0 declares it; every value typed, so a value
    /// of the wrong kind (a `true` where a count belongs) is refused by
    /// the decoder with its place, never converted.
    struct Document: Decodable {
        let shape: [Double]?
        let rows: [Entry]?
        let columns: [Entry]?
        let data: [[Double]]?
        let matrixType: String?
        let type: String?
        let generatedBy: String?
        let date: String?

        enum CodingKeys: String, CodingKey {
            case shape, rows, columns, data, type, date
            case matrixType = "matrix_type", generatedBy = "generated_by"
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            shape = try c.decodeIfPresent([Double].self, forKey: .shape)
            rows = try c.decodeIfPresent([Entry].self, forKey: .rows)
            columns = try c.decodeIfPresent([Entry].self, forKey: .columns)
            data = try c.decodeIfPresent([[Double]].self, forKey: .data)
            matrixType = try? c.decodeIfPresent(String.self, forKey: .matrixType)
            type = try? c.decodeIfPresent(String.self, forKey: .type)
            generatedBy = try? c.decodeIfPresent(String.self, forKey: .generatedBy)
            date = try? c.decodeIfPresent(String.self, forKey: .date)
        }
    }

    /// A row or column: its ID (a string, or a number written as BIOM
    /// writers do: 5 and 5.0 are the ID "5") and its taxonomy, if any.
    struct Entry: Decodable {
        let id: String?
        let taxonomy: String?

        enum CodingKeys: String, CodingKey { case id, metadata }
        enum MetadataKeys: String, CodingKey { case taxonomy, Taxonomy }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            if let s = try? c.decode(String.self, forKey: .id) {
                id = s
            } else if let x = try? c.decode(Double.self, forKey: .id), x.isFinite {
                id = x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : "\(x)"
            } else {
                id = nil
            }
            guard let metadata = try? c.nestedContainer(keyedBy: MetadataKeys.self, forKey: .metadata) else { taxonomy = nil; return }
            let key: MetadataKeys = metadata.contains(.taxonomy) ? .taxonomy : .Taxonomy
            if let ranks = try? metadata.decode([String].self, forKey: key) {
                taxonomy = Taxonomy.join(ranks)
            } else if let text = try? metadata.decode(String.self, forKey: key) {
                taxonomy = Taxonomy.join(Taxonomy.split(text))
            } else {
                taxonomy = nil
            }
        }
    }

    static func read(path: String) throws -> CountTable {
        let data = Data(try FileBytes.contents(of: path))
        func fail(_ what: String) -> InputError {
            InputError(file: path, problem: "this JSON file is not a BIOM 1.0 table: \(what)",
                       fix: "Give a BIOM table (JSON 1.0 or HDF5 2.1), or a CSV/TSV table")
        }
        let root: Document
        do {
            root = try JSONDecoder().decode(Document.self, from: data)
        } catch DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context) {
            throw fail("\(place(context.codingPath)) is not \(context.codingPath.first?.stringValue == "data" ? "a number" : "of the kind BIOM 1.0 requires")")
        } catch DecodingError.dataCorrupted(let context) where !context.codingPath.isEmpty {
            throw fail("\(place(context.codingPath)) is not valid (\(context.debugDescription))")
        } catch {
            throw InputError(file: path, problem: "the file starts like JSON (BIOM 1.0) but is not valid JSON",
                             fix: "Export the table again, or convert it with `biom convert`")
        }
        guard let shape = root.shape, shape.count == 2 else { throw fail("it has no 'shape' of two numbers") }
        guard let rows = root.rows else { throw fail("it has no 'rows'") }
        guard let columns = root.columns else { throw fail("it has no 'columns'") }
        guard let matrix = root.data else { throw fail("it has no 'data'") }
        guard shape.allSatisfy({ $0 >= 0 && $0 == $0.rounded() && $0 <= Double(Int32.max) }) else {
            throw fail("'shape' must be two whole numbers of rows and columns (up to \(Int32.max)), not \(shape.map { NumberStyle.roundTrip.format($0) }.joined(separator: " × "))")
        }
        let nRows = Int(shape[0]), nColumns = Int(shape[1])
        guard rows.count == nRows, columns.count == nColumns else {
            throw fail("'shape' says \(nRows) × \(nColumns) but there are \(rows.count) rows and \(columns.count) columns")
        }
        func ids(_ entries: [Entry], _ kind: String) throws -> [String] {
            try entries.enumerated().map { k, entry in
                guard let id = entry.id else { throw fail("\(kind) \(k + 1) has no 'id'") }
                let name = try Names.name(id, file: path, what: "\(kind) \(k + 1)'s ID")
                guard !name.isEmpty else { throw fail("\(kind) \(k + 1) has an empty 'id'") }
                return name
            }
        }
        let taxonIDs = try ids(rows, "row")
        let sampleIDs = try ids(columns, "column")
        let taxonomy: [String]? = rows.contains { $0.taxonomy != nil } ? rows.map { $0.taxonomy ?? "" } : nil

        func count(_ v: Double, _ place: String) throws -> Double {
            guard v.isFinite, v >= 0 else {
                throw InputError(file: path, problem: "BIOM 1.0: abundance \(NumberStyle.roundTrip.format(v)) at \(place); abundances must be finite and non-negative")
            }
            guard v <= largestExactCount else {
                throw InputError(file: path, problem: "BIOM 1.0: abundance \(NumberStyle.roundTrip.format(v)) at \(place) is above 2^53 = 9007199254740992, beyond which a 64-bit double cannot hold every whole number, so the count would be rounded",
                                 fix: "Check the value: no sample has this many reads")
            }
            return v
        }
        /// A row or column index: a whole number inside the shape.
        func index(_ x: Double, below limit: Int, _ k: Int) throws -> Int {
            guard x == x.rounded(), x >= 0, x < Double(limit) else {
                throw fail("entry \(k + 1) of 'data' has index \(NumberStyle.roundTrip.format(x)), which is not a whole number inside the \(nRows) × \(nColumns) shape")
            }
            return Int(x)
        }
        var builder = TaxonMajorBuilder()
        var integral = true
        if root.matrixType?.lowercased() != "dense" {
            var byRow = [[(Int, Double)]](repeating: [], count: nRows)
            for (k, triple) in matrix.enumerated() {
                guard triple.count == 3 else { throw fail("entry \(k + 1) of the sparse 'data' is not [row, column, value]") }
                let r = try index(triple[0], below: nRows, k), c = try index(triple[1], below: nColumns, k)
                let v = try count(triple[2], "row \(r), column \(c)")
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
            for (r, row) in matrix.enumerated() {
                guard row.count == nColumns else { throw fail("row \(r + 1) of the dense 'data' does not have \(nColumns) values") }
                for (c, value) in row.enumerated() {
                    let v = try count(value, "row \(r), column \(c)")
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
        table.origin = TableOrigin(format: "BIOM 1.0 (JSON)", type: root.type, generatedBy: root.generatedBy, creationDate: root.date)
        return table
    }

    /// A coding path as a reader would point to it: `data[12][2]`.
    static func place(_ path: [any CodingKey]) -> String {
        var out = ""
        for key in path {
            if let i = key.intValue { out += "[\(i)]" } else { out += (out.isEmpty ? "" : ".") + "'\(key.stringValue)'" }
        }
        return out.isEmpty ? "the document" : out
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
