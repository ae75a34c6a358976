import FoundationEssentials

/// mothur's `.shared` file: a header `label, Group, numOtus, Otu001, …`
/// and one row per sample (`Group`) and label (the clustering distance,
/// `unique`, `0.03`…). One label is read — the first unless named — and a
/// label's OTUs are the first `numOtus` header columns, as mothur writes them.
enum MothurShared {
    static func read(path: String, label requested: String?) throws -> CountTable {
        let text = try DelimitedText(path: path, delimiter: .tab)
        let header = text.header
        guard header.count >= 3, header[0] == "label", header[1] == "Group", header[2] == "numOtus" else {
            throw InputError(file: path, line: text.headerLine, problem: "not a mothur .shared file: the header must start label, Group, numOtus")
        }
        let p = text.bytes.buffer
        var labels = [String](), seen = Set<String>()
        var rows = [(line: Int, fields: [String])]()
        for r in 0..<text.recordCount {
            var cursor = FieldCursor(position: text.recordStarts[r], end: text.recordEnds[r])
            var fields = [String]()
            while let f = cursor.next(p, delimiter: UInt8(ascii: "\t")) { fields.append(f.string(p)) }
            // mothur ends each line with a tab: one empty last field.
            if fields.count > 3, fields.last == "" { fields.removeLast() }
            guard fields.count >= 3 else {
                throw InputError(file: path, line: text.recordLines[r], problem: "a .shared row needs label, Group and numOtus")
            }
            if seen.insert(fields[0]).inserted { labels.append(fields[0]) }
            rows.append((text.recordLines[r], fields))
        }
        guard let label = requested ?? labels.first else {
            throw InputError(file: path, line: text.headerLine, problem: "the .shared file has a header but no rows")
        }
        guard seen.contains(label) else {
            let shown = labels.count > 20 ? labels.prefix(20).joined(separator: ", ") + " … (\(labels.count) labels)" : labels.joined(separator: ", ")
            throw InputError(file: path, problem: "the .shared file has no label '\(label)'", fix: "Labels are: " + shown)
        }
        var samples = [String](), builder = TaxonMajorBuilder()
        var perSample = [[(Int, Double)]]()
        var otuCount: Int? = nil
        for (line, fields) in rows where fields[0] == label {
            guard let n = Int(fields[2]), n >= 0, n <= header.count - 3 else {
                throw InputError(file: path, line: line, column: 3, columnName: "numOtus",
                                 problem: "numOtus '\(fields[2])' is not a count of the header's OTU columns")
            }
            guard fields.count == n + 3 else {
                throw InputError(file: path, line: line, problem: "this row has \(fields.count - 3) OTU counts but numOtus says \(n)")
            }
            if let otuCount, otuCount != n {
                throw InputError(file: path, line: line, problem: "numOtus is \(n) here but \(otuCount) in the label's first row")
            }
            otuCount = n
            samples.append(try Names.name(fields[1], file: path, line: line, column: 2, what: "sample (Group)"))
            var cells = [(Int, Double)]()
            for k in 0..<n {
                guard case .number(let v) = parseNumber(fields[k + 3]), v >= 0, v == v.rounded() else {
                    throw InputError(file: path, line: line, column: k + 4, columnName: header[k + 3],
                                     problem: "'\(fields[k + 3])' is not a count")
                }
                guard v <= largestExactCount else {
                    throw InputError(file: path, line: line, column: k + 4, columnName: header[k + 3],
                                     problem: "'\(fields[k + 3])' is above 2^53 = 9007199254740992, beyond which a 64-bit double cannot hold every whole number, so the count would be rounded",
                                     fix: "Check the value: no sample has this many reads")
                }
                if v != 0 { cells.append((k, v)) }
            }
            perSample.append(cells)
        }
        let otus = Array(header[3..<(3 + (otuCount ?? 0))])   // checked by the name rule with the header
        // Samples are the rows: build taxon-major, then transpose.
        var byOTU = [[(Int, Double)]](repeating: [], count: otus.count)
        for (j, cells) in perSample.enumerated() { for (k, v) in cells { byOTU[k].append((j, v)) } }
        for cells in byOTU {
            for (j, v) in cells { builder.append(sample: j, value: v) }
            builder.endTaxon()
        }
        try CountTable.checkUnique(samples, kind: "sample (Group)", file: path, lines: nil)
        try CountTable.checkUnique(otus, kind: "OTU", file: path, lines: nil)
        let (starts, taxa, values) = builder.sampleMajor(samples: samples.count)
        var table = CountTable(uncheckedSampleIDs: samples, taxonIDs: otus, columnStarts: starts, taxonIndices: taxa,
                               values: values, isIntegral: true, taxonomy: nil, source: path)
        table.origin = TableOrigin(format: "mothur .shared (label \(label))")
        return table
    }
}
