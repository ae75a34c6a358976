import FoundationEssentials

/// Several functional profiles side by side (HUMAnN's per-sample files, or
/// joined tables of different samples): every sample once, the functions
/// and strata the union of the files'.
enum FunctionalProfileMerge {
    static func merge(_ parts: [FunctionalProfile], paths: [String]) throws -> FunctionalProfile {
        let stratified = parts.map { $0.strata != nil }
        if let k = stratified.firstIndex(where: { $0 != stratified[0] }) {
            throw InputError(file: paths[k], problem: "\(stratified[k] ? "stratified" : "not stratified"), while \(paths[0]) is \(stratified[k] ? "not" : "stratified"): the files mix stratified and unstratified layouts",
                             fix: "Give every sample's table in the same layout (all with their |taxon rows, or all without)")
        }
        let units = parts.map { $0.unit ?? "" }
        if let k = units.firstIndex(where: { $0 != units[0] }) {
            throw InputError(file: paths[k], problem: "in \(units[k].isEmpty ? "no stated unit" : units[k]), while \(paths[0]) is in \(units[0].isEmpty ? "no stated unit" : units[0])",
                             fix: "Normalise every sample the same way (humann_renorm_table)")
        }
        var fileOf = [String: Int]()
        for (k, part) in parts.enumerated() {
            for sample in part.sampleIDs {
                if let first = fileOf[sample] {
                    throw InputError(file: paths[k], problem: "sample \(sample) is also in \(paths[first])", fix: "Give each sample once")
                }
                fileOf[sample] = k
            }
        }
        let community = side(by: parts.map(\.community), source: paths.joined(separator: ", "))
        let strata = stratified[0] ? mergedStrata(parts.map { $0.strata! }) : nil
        let layouts = Set(parts.map(\.layout))
        return FunctionalProfile(layout: layouts.count == 1 ? parts[0].layout : .plain, community: community, strata: strata,
                                 unit: parts[0].unit, notes: parts.flatMap(\.notes))
    }

    /// The strata of several files side by side: rows the union of their
    /// (function, taxon) rows in order of first appearance, columns the
    /// files' samples in file order; taxa and functions the union of the
    /// files' (which list those of rows not kept too), in order of first
    /// appearance.
    static func mergedStrata(_ parts: [FunctionalProfile.Strata]) -> FunctionalProfile.Strata {
        var functions = [String](), taxa = [String](), fIndex = [String: Int32](), tIndex = [String: Int32]()
        for part in parts {
            for function in part.functions { _ = OneColumnProfile.index(function, in: &functions, &fIndex) }
            for taxon in part.taxa { _ = OneColumnProfile.index(taxon, in: &taxa, &tIndex) }
        }
        var ids = [String](), rowIndex = [String: Int32](), rowFunction = [Int32](), rowTaxon = [Int32]()
        let maps = parts.map { part in
            (0..<part.rows.rowCount).map { r -> Int32 in
                let id = part.rows.rowIDs[r]
                if let k = rowIndex[id] { return k }
                rowIndex[id] = Int32(ids.count)
                ids.append(id)
                rowFunction.append(OneColumnProfile.index(part.functions[Int(part.rowFunction[r])], in: &functions, &fIndex))
                rowTaxon.append(OneColumnProfile.index(part.taxa[Int(part.rowTaxon[r])], in: &taxa, &tIndex))
                return Int32(ids.count - 1)
            }
        }
        var starts = [Int](repeating: 0, count: ids.count + 1)
        for (part, map) in zip(parts, maps) {
            for r in 0..<part.rows.rowCount { starts[Int(map[r]) + 1] += part.rows.range(ofRow: r).count }
        }
        for r in 0..<ids.count { starts[r + 1] += starts[r] }
        var next = starts, columns = [Int32](repeating: 0, count: starts[ids.count]), values = [Double](repeating: 0, count: starts[ids.count])
        var offset: Int32 = 0
        for (part, map) in zip(parts, maps) {
            let rows = part.rows
            for r in 0..<rows.rowCount {
                let m = Int(map[r])
                for k in rows.range(ofRow: r) {
                    columns[next[m]] = rows.columnIndices[k] + offset
                    values[next[m]] = rows.values[k]
                    next[m] += 1
                }
            }
            offset += Int32(rows.columnCount)
        }
        let merged = SparseRows(rowIDs: ids, columnIDs: parts.flatMap(\.rows.columnIDs), contiguousStarts: starts, columnIndices: columns,
                                values: values, isIntegral: false)
        return FunctionalProfile.Strata(taxa: taxa, functions: functions, rows: merged, rowFunction: rowFunction, rowTaxon: rowTaxon)
    }

    /// The tables' samples side by side, rows the union (in order of first appearance).
    static func side(by tables: [CountTable], source: String) -> CountTable {
        var ids = [String](), index = [String: Int32]()
        var samples = [String](), starts = [0], rows = [Int32](), values = [Double]()
        var column = [(Int32, Double)]()
        for table in tables {
            let map = table.taxonIDs.map { OneColumnProfile.index($0, in: &ids, &index) }
            for j in 0..<table.sampleCount {
                column.removeAll(keepingCapacity: true)
                for k in table.range(ofSample: j) { column.append((map[Int(table.taxonIndices[k])], table.values[k])) }
                column.sort { $0.0 < $1.0 }
                for (r, v) in column { rows.append(r); values.append(v) }
                starts.append(values.count)
                samples.append(table.sampleIDs[j])
            }
        }
        var out = CountTable(uncheckedSampleIDs: samples, taxonIDs: ids, columnStarts: starts, taxonIndices: rows, values: values,
                             isIntegral: false, taxonomy: nil, source: source)
        out.origin = tables[0].origin
        return out
    }
}
