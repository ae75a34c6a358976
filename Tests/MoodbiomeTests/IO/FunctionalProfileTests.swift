import Foundation
import Testing
@testable import MoodbiomeIO

@Suite("Functional profiles (HUMAnN, PICRUSt2, KO tables) and module files")
struct FunctionalProfileTests {
    static let humann = fixturePath("modules/humann-ko-stratified.tsv")

    /// The fixture's lines, as strings.
    static var humannLines: [String] { try! String(contentsOfFile: humann, encoding: .utf8).split(separator: "\n").map(String.init) }

    @Test func humannStratifiedTable() throws {
        let p = try FunctionalProfile.read(paths: [Self.humann])
        #expect(p.layout == .humann)
        #expect(p.unit == "RPKs")
        #expect(p.sampleIDs == (1...12).map { String(format: "S%02d", $0) })
        #expect(!p.functionIDs.contains("UNMAPPED") && !p.functionIDs.contains("UNGROUPED"))
        let strata = try #require(p.strata)
        #expect(strata.taxa.count == 26 && strata.taxa.contains("unclassified"))
        #expect(!strata.functions.contains("UNGROUPED"))
        #expect(p.notes.count == 1 && p.notes[0].contains("UNMAPPED, UNGROUPED left out"))
        // The first KO's community row, read as is.
        let line = Self.humannLines.first { $0.hasPrefix("K") && !$0.contains("|") }!.split(separator: "\t")
        let k = p.functionIDs.firstIndex(of: String(line[0]))!
        #expect(p.community.abundances(ofSample: 0)[k] == Double(line[1])!)
    }

    /// Each way of giving the same profile gives the same community and strata.
    @Test func everyLayoutOfTheSameProfileReadsTheSame() throws {
        let joined = try FunctionalProfile.read(paths: [Self.humann])
        let lines = Self.humannLines
        let header = lines[0].split(separator: "\t").map(String.init)
        let dir = temporaryDirectory()
        // One file per sample, as HUMAnN writes them.
        var perSample = [String]()
        for j in 1..<header.count {
            let text = lines.map { line -> String in
                let f = line.split(separator: "\t", omittingEmptySubsequences: false)
                return "\(f[0])\t\(f[j])"
            }.joined(separator: "\n") + "\n"
            perSample.append(dir + "/sample\(j)_genefamilies.tsv")
            try text.write(toFile: perSample.last!, atomically: true, encoding: .utf8)
        }
        let merged = try FunctionalProfile.read(paths: perSample)
        #expect(merged.sampleIDs == joined.sampleIDs)
        try expectSame(merged, joined)
        // Renamed rows (humann_rename_table), CPM-free plain header.
        let renamed = temporaryFile("renamed.tsv", lines.enumerated().map { k, line in
            k == 0 || line.hasPrefix("UN") ? line : String(line.prefix(6)) + ": some enzyme [EC:1.1.1.1]" + line.dropFirst(6)
        }.joined(separator: "\n"))
        let r = try FunctionalProfile.read(paths: [renamed])
        try expectSame(r, joined)
        // The stratified rows alone (humann_split_stratified_table): the community is their sum.
        let stratifiedOnly = temporaryFile("strat.tsv", ([lines[0]] + lines.dropFirst().filter { $0.contains("|") }).joined(separator: "\n"))
        let s = try FunctionalProfile.read(paths: [stratifiedOnly])
        #expect(s.notes.contains { $0.contains("stratified rows only") })
        for (k, id) in joined.functionIDs.enumerated() {
            let kk = try #require(s.functionIDs.firstIndex(of: id))
            for j in 0..<12 { #expect(isClose(s.community.value(taxon: kk, sample: j), joined.community.value(taxon: k, sample: j), relative: 1e-12)) }
        }
        // The unstratified rows alone: no strata.
        let unstratified = temporaryFile("unstrat.tsv", lines.filter { !$0.contains("|") }.joined(separator: "\n"))
        let u = try FunctionalProfile.read(paths: [unstratified])
        #expect(u.strata == nil)
        #expect(u.functionIDs == joined.functionIDs)
        // PICRUSt2's unstratified table and contributions file.
        let picrust = temporaryFile("pred_metagenome_unstrat.tsv", (["function\t" + joined.sampleIDs.joined(separator: "\t")]
            + lines.dropFirst().filter { !$0.contains("|") && !$0.hasPrefix("UN") }).joined(separator: "\n"))
        let pu = try FunctionalProfile.read(paths: [picrust])
        #expect(pu.layout == .picrust2 && pu.unit == nil)
        try expectSame(pu, u, strata: false)
        var contributions = ["sample\tfunction\ttaxon\ttaxon_abun\ttaxon_rel_abun\tgenome_function_count\ttaxon_function_abun\ttaxon_rel_function_abun\tnorm_taxon_function_contrib"]
        for line in lines.dropFirst() where line.contains("|") && !line.hasPrefix("UN") {
            let f = line.split(separator: "\t").map(String.init)
            let (function, taxon) = (String(f[0].split(separator: "|")[0]), String(f[0].split(separator: "|")[1]))
            for j in 1..<f.count where f[j] != "0" { contributions.append("\(joined.sampleIDs[j - 1])\t\(function)\t\(taxon)\t1\t0.1\t1\t\(f[j])\t0.01\t0.5") }
        }
        let pc = try FunctionalProfile.read(paths: [temporaryFile("pred_metagenome_contrib.tsv", contributions.joined(separator: "\n"))])
        #expect(pc.layout == .picrust2Contributions)
        #expect(Set(pc.sampleIDs) == Set(joined.sampleIDs))
        #expect(pc.strata!.rows.nonZeroCount == joined.strata!.rows.nonZeroCount)
        // A header name written with `#` (`# taxon_function_abun`) is recognised
        // and read by the same normalised names (a fuzzed file crashed here).
        var commented = contributions
        commented[0] = commented[0].replacingOccurrences(of: "\ttaxon_function_abun", with: "\t# taxon_function_abun")
        let pcc = try FunctionalProfile.read(paths: [temporaryFile("commented_contrib.tsv", commented.joined(separator: "\n"))])
        #expect(pcc.layout == .picrust2Contributions)
        #expect(pcc.strata!.rows.nonZeroCount == pc.strata!.rows.nonZeroCount)
    }

    func expectSame(_ a: FunctionalProfile, _ b: FunctionalProfile, strata: Bool = true) throws {
        #expect(Set(a.functionIDs) == Set(b.functionIDs))
        for (k, id) in b.functionIDs.enumerated() {
            let ka = try #require(a.functionIDs.firstIndex(of: id))
            for j in b.sampleIDs.indices {
                let ja = a.sampleIDs.firstIndex(of: b.sampleIDs[j])!
                #expect(a.community.value(taxon: ka, sample: ja) == b.community.value(taxon: k, sample: j))
            }
        }
        if strata { #expect(Set(a.strata!.rows.rowIDs) == Set(b.strata!.rows.rowIDs)) }
    }

    @Test func strataThatDoNotSumToTheirCommunityRowAreNoted() throws {
        let text = "# Gene Family\tA_Abundance-CPM\tB_Abundance-CPM\nK00001\t10\t4\nK00001|g__X\t6\t4\nK00001|unclassified\t3\t0\nK00002\t1\t1\nK00002|g__X\t1\t1\n"
        let p = try FunctionalProfile.read(paths: [temporaryFile("t.tsv", text)])
        #expect(p.unit == "CPM")
        #expect(p.sampleIDs == ["A", "B"])
        #expect(p.notes == ["\(p.community.source): the stratified rows of 1 of 2 functions do not sum to their community row (largest difference 10.0% of the larger, K00001 in sample A); the community rows are used for the community profile"])
        #expect(p.community.abundances(ofSample: 0) == [10, 1])
    }

    @Test(arguments: [
        ("# Gene Family\tA\nK00001\t1\nK00002\t2\nK00001\t3\n",
         "t.tsv:4:1: duplicate function ID 'K00001' (first seen at line 2). Every function needs a unique ID; merge or rename the duplicates"),
        ("# Gene Family\tA\nK00001: x\t1\nK00001: y\t3\n",
         "t.tsv:3:1: function K00001 has two community rows (the first on line 2). Give each function one row (sum the rows, or keep one)"),
        ("# Gene Family\tA\tB\nK00001\t1\t-2\n",
         "t.tsv:2:3: negative abundance -2; abundances must be ≥ 0 (column 'B'). Correct the value; counts and relative abundances cannot be negative"),
        ("# Gene Family\tA\tB\nK00001\t1\tabc\n",
         "t.tsv:2:3: 'abc' is not a number; expected a count (column 'B'). Only numbers may follow the function column (text columns such as descriptions cannot be read)"),
        ("# Gene Family\tA\nK00001\t1\nK00001|g__X\t1\nK00002|g__X\t2\n",
         "t.tsv:4:1: the stratified row K00002|g__X has no community row, though other functions of the table have one. Give the whole table as HUMAnN wrote it (each function's community row, then its strata), or only its stratified rows"),
        ("# Gene Family\tA_Abundance-RPKs\tB_Abundance-CPM\nK00001\t1\t2\n",
         "t.tsv:1: the sample columns mix units (CPM, RPKs). Normalise every sample the same way (humann_renorm_table) before joining"),
        ("# Gene Family\tA\nK00001|\t1\n",
         "t.tsv:2:1: the stratified row 'K00001|' names no taxon after |. Write K00001|taxon, or K00001|unclassified"),
        ("taxon\tKO\tA\ng__X\tK00001\t1\ng__X\tK00001\t2\n",
         "t.tsv:3: function K00001 of taxon g__X appears twice (the first on line 2). Give each function and taxon one row"),
        ("# Gene Family\tA\nK00001: x\t1\nK00001: x|g__X\t1\nK00001|g__Y\t1\nK00001|g__X\t2\n",
         "t.tsv:5:1: the stratified row K00001|g__X appears twice (the first on line 3). Give each function and taxon one row"),
    ])
    func badTablesAreRefusedAtTheirPlace(_ text: String, _ expected: String) throws {
        let path = temporaryFile("t.tsv", text)
        // The same error whichever strata are kept.
        for kept in [nil, [], ["K00001"]] as [Set<String>?] {
            let error = try #require(throws: InputError.self) { try FunctionalProfile.read(paths: [path], strataOf: kept) }
            #expect(message(error) == path.replacingOccurrences(of: "t.tsv", with: "") + expected)
        }
    }

    /// Keeping only some functions' strata (the rest summed as they are
    /// read) changes nothing but the strata rows held: the community, the
    /// taxa and functions, the notes (the check of the sums) are the same.
    @Test func strataKeptForSomeFunctionsOnlyReadTheSame() throws {
        let lines = Self.humannLines
        let header = lines[0].split(separator: "\t").map(String.init)
        let mismatched = lines.enumerated().map { k, line in
            // Two strata rows raised (their first value prefixed by 1).
            k == 40 || k == 200 ? line.replacingOccurrences(of: "\t", with: "\t1", options: [], range: line.range(of: "\t")) : line
        }
        let dir = temporaryDirectory()
        var perSample = [String]()
        for j in 1..<4 {
            perSample.append(dir + "/sample\(j)_genefamilies.tsv")
            try (lines.map { line in
                let f = line.split(separator: "\t", omittingEmptySubsequences: false)
                return "\(f[0])\t\(f[j])"
            }.joined(separator: "\n") + "\n").write(toFile: perSample.last!, atomically: true, encoding: .utf8)
        }
        let inputs = [[Self.humann], [temporaryFile("mismatched.tsv", mismatched.joined(separator: "\n"))],
                      [temporaryFile("strat.tsv", ([lines[0]] + lines.dropFirst().filter { $0.contains("|") }).joined(separator: "\n"))],
                      perSample]
        #expect(header.count == 13)
        for paths in inputs {
            let all = try FunctionalProfile.read(paths: paths)
            let functions = all.strata!.functions
            for kept in [Set<String>(), Set(functions.prefix(3)), Set(functions.enumerated().filter { $0.offset % 7 == 2 }.map(\.element))] {
                let some = try FunctionalProfile.read(paths: paths, strataOf: kept)
                #expect(some.notes == all.notes)
                #expect(some.sampleIDs == all.sampleIDs && some.functionIDs == all.functionIDs && some.unit == all.unit)
                #expect(some.community.columnStarts == all.community.columnStarts && some.community.taxonIndices == all.community.taxonIndices)
                #expect(some.community.values == all.community.values)
                let (a, b) = (all.strata!, try #require(some.strata))
                #expect(b.taxa == a.taxa)
                let wanted = (0..<a.rows.rowCount).filter { kept.contains(a.functions[Int(a.rowFunction[$0])]) }
                #expect(b.rows.rowIDs == wanted.map { a.rows.rowIDs[$0] })
                #expect(b.rowTaxon == wanted.map { a.rowTaxon[$0] })
                #expect(wanted.indices.allSatisfy { b.functions[Int(b.rowFunction[$0])] == a.functions[Int(a.rowFunction[wanted[$0]])] })
                for (r, w) in wanted.enumerated() {
                    #expect(b.rows.range(ofRow: r).map { b.rows.values[$0] } == a.rows.range(ofRow: w).map { a.rows.values[$0] })
                    #expect(b.rows.range(ofRow: r).map { b.rows.columnIndices[$0] } == a.rows.range(ofRow: w).map { a.rows.columnIndices[$0] })
                }
            }
        }
        #expect(try FunctionalProfile.read(paths: inputs[1]).notes.contains { $0.contains("of 2 of") })
    }

    /// The fast reading of a plainly spelled stratum ID gives the function
    /// the full split gives, and leaves every other spelling to it; the
    /// fold keys are those of the split either way.
    @Test func plainStratumIDsReadAsTheSplitReadsThem() {
        let plain = ["K00001|g__Bacteroides.s__Bacteroides_fragilis", "K00001|unclassified", "UNMAPPED|x", "K1|t", "K00001|a|b", "K00001|t "]
        let other = ["K00001: alcohol dehydrogenase|g__X", "K00001| g__X", "K00001|\tg__X", "K00001|", "|g__X", " K00001|g__X",
                     "K00001 |g__X", "K0:1|t", "Kø0001|t", "K00001", "UNMAPPED"]
        for id in plain {
            let (function, taxon) = OneColumnProfile.split(id)
            #expect(OneColumnProfile.plainStratumFunction(id) == function && taxon?.isEmpty == false, "\(id)")
        }
        for id in other { #expect(OneColumnProfile.plainStratumFunction(id) == nil, "\(id)") }
        let fold = OneColumnProfile.fold(keeping: ["K00002"])
        #expect(plain.map(fold.key) == ["K00001", "K00001", nil, "K1", "K00001", "K00001"])
        #expect(other.map(fold.key) == ["K00001", "K00001", "K00001", nil, nil, "K00001", "K00001", "K0:1", "Kø0001", nil, nil])
        #expect(fold.key("K00002|g__X") == nil && fold.key("K00002: name|g__X") == nil)
    }

    /// However the records are cut into chunks (which depends on the
    /// cores), a run of folded rows is never split: its sum is the same bits
    /// on every machine.
    @Test func chunksNeverSplitARunOfFoldedRows() throws {
        let text = try DelimitedText(path: Self.humann)
        var parser = try RecordParser(text, options: CountTableReadOptions(orientation: .columns))
        parser.fold = OneColumnProfile.fold(keeping: ["K00001"])
        let fold = try #require(parser.fold)
        let key = { (r: Int) in fold.key(try! parser.idOfRecord(r)) }
        let n = text.recordCount
        for cuts in [[1, 2, 3], [40, 41, 200], [n / 4, n / 2, 3 * n / 4], Array(stride(from: 7, to: n, by: 97))] {
            let starts = [0] + cuts
            let ranges = zip(starts, cuts + [n]).map { $0..<$1 }
            let kept = parser.keepingRunsWhole(ranges)
            #expect(kept.first?.lowerBound == 0 && kept.last?.upperBound == n && !kept.contains { $0.isEmpty })
            #expect(zip(kept, kept.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
            for range in kept.dropFirst() {
                let (before, after) = (key(range.lowerBound - 1), key(range.lowerBound))
                #expect(before == nil || before != after, "a run split at record \(range.lowerBound)")
            }
            // Boundaries move only forward, and only past a run.
            #expect(kept.count <= ranges.count)
        }
        #expect(key(0) == nil && (0..<n).contains { key($0) != nil })
    }

    @Test func filesThatDoNotGoTogetherAreRefused() throws {
        let a = temporaryFile("a.tsv", "# Gene Family\tA\nK00001\t1\nK00001|g__X\t1\n")
        let b = temporaryFile("b.tsv", "# Gene Family\tB\nK00001\t1\n")
        let c = temporaryFile("c.tsv", "# Gene Family\tA\nK00002\t1\n")
        var e = try #require(throws: InputError.self) { try FunctionalProfile.read(paths: [a, b]) }
        #expect(e.description == "\(b): not stratified, while \(a) is stratified: the files mix stratified and unstratified layouts. Give every sample's table in the same layout (all with their |taxon rows, or all without)")
        e = try #require(throws: InputError.self) { try FunctionalProfile.read(paths: [b, c, a]) }
        #expect(e.description == "\(a): stratified, while \(b) is not: the files mix stratified and unstratified layouts. Give every sample's table in the same layout (all with their |taxon rows, or all without)")
        let d = temporaryFile("d.tsv", "# Gene Family\tB\nK00003\t1\n")
        e = try #require(throws: InputError.self) { try FunctionalProfile.read(paths: [b, d]) }
        #expect(e.description == "\(d): sample B is also in \(b). Give each sample once")
        let merged = try FunctionalProfile.read(paths: [b, c])
        #expect(merged.functionIDs == ["K00001", "K00002"])
        #expect(merged.community.abundances(ofSample: 1) == [0, 1])
    }

    @Test func theCarriedDatabasesAreTheirFilesUnchanged() throws {
        for (key, entry) in ModuleDatabaseFiles.files {
            let file = try String(contentsOfFile: datasetPath("module-databases/" + entry.file), encoding: .utf8)
            #expect(entry.text + (entry.endsWithNewline ? "\n" : "") == file, "\(key): run scripts/embed_module_databases.py")
        }
        let gbm = try #require(ModuleDatabase.builtIn("gbm")), gmm = try #require(ModuleDatabase.builtIn("gmm"))
        #expect(gbm.modules.count == 56 && gmm.modules.count == 103)
        #expect(gbm.modules.last?.id == "MGB056")
        #expect(gbm.modules[4].steps[0] == [["K01657", "K01658"], ["K13497"], ["K13501"], ["K13503"]])
        // Names as in the .names files.
        for (db, file) in [(gbm, "GBMs.v1.0.names"), (gmm, "GMMs.v1.07.names")] {
            let names = try String(contentsOfFile: datasetPath("module-databases/" + file), encoding: .utf8).split(separator: "\n")
                .map { $0.split(separator: "\t", maxSplits: 1).map(String.init) }
            #expect(names.map { $0[0] } == db.modules.map(\.id))
            #expect(names.map { $0[1] } == db.modules.map(\.name))
        }
    }

    @Test(arguments: [
        ("M1\tx\n///\n", "m.txt:2: module M1 (line 1) has no steps. List its steps, one per line, between its header and ///"),
        ("M1\tx\nK00001\n\nK00002\n///\n", "m.txt:3: an empty step in module M1. Remove the empty line, or end the module with ///"),
        ("M1\tx\nK00001\n///\nM1\ty\nK00002\n", "m.txt:4:1: module M1 is defined twice (first on line 1). Give each module its own ID"),
        ("M1\tx\nK00001,,K00002\n///\n", "m.txt:2:1: an empty subunit in 'K00001,,K00002' (module M1). Separate a complex's orthologs by single commas"),
        ("///\n", "m.txt:1: /// ends no module. Start each module with a line ID<TAB>name"),
        ("\n\n", "m.txt: no module in the file. Give a module file in omixer-rpm's text format (ID<TAB>name, one step per line, ///)"),
        ("M1\tx\nK00001\n///\nM2\tlast, unterminated\n\n", "m.txt:4: module M2 (line 4) has no steps. List its steps, one per line, between its header and ///"),
    ])
    func badModuleFilesAreRefusedAtTheirLine(_ text: String, _ expected: String) throws {
        let path = temporaryFile("m.txt", text)
        let error = try #require(throws: InputError.self) { try ModuleDatabase.read(path: path) }
        #expect(error.description == path.replacingOccurrences(of: "m.txt", with: "") + expected)
    }
}
