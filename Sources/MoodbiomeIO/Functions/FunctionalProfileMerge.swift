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
        var strata: FunctionalProfile.Strata? = nil
        if stratified[0] {
            let tables = parts.map { $0.strata!.table }
            let merged = side(by: tables, source: paths.joined(separator: ", "))
            var functions = [String](), taxa = [String](), fIndex = [String: Int32](), tIndex = [String: Int32]()
            var rowFunction = [Int32](), rowTaxon = [Int32]()
            var rowOf = [String: (Int32, Int32)]()
            for part in parts {
                let s = part.strata!
                for r in 0..<s.table.taxonCount {
                    rowOf[s.table.taxonIDs[r]] = (OneColumnProfile.index(s.functions[Int(s.rowFunction[r])], in: &functions, &fIndex),
                                                 OneColumnProfile.index(s.taxa[Int(s.rowTaxon[r])], in: &taxa, &tIndex))
                }
            }
            for id in merged.taxonIDs {
                let (f, t) = rowOf[id]!
                rowFunction.append(f)
                rowTaxon.append(t)
            }
            strata = FunctionalProfile.Strata(taxa: taxa, functions: functions, table: merged, rowFunction: rowFunction, rowTaxon: rowTaxon)
        }
        let layouts = Set(parts.map(\.layout))
        return FunctionalProfile(layout: layouts.count == 1 ? parts[0].layout : .plain, community: community, strata: strata,
                                 unit: parts[0].unit, notes: parts.flatMap(\.notes))
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
