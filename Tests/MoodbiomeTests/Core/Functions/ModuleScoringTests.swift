import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeNumerics

/// Module abundance and coverage against omixer-rpm 1.1 (Fixtures/modules/,
/// generate_modules_omixer.py): community and per-taxon, GBMs and GMMs,
/// median, average and sum, with and without length normalising, to 1e-12.
@Suite("Gut–brain and gut metabolic modules, as omixer-rpm scores them")
struct ModuleScoringTests {
    static let profile = try! FunctionalProfile.read(paths: [fixturePath("modules/humann-ko-stratified.tsv")])

    /// One omixer-rpm output case: its settings from the folder's name.
    struct Case: CustomTestStringConvertible, Sendable {
        let folder: String
        var testDescription: String { folder }
        var parts: [String] { folder.split(separator: "-").map(String.init) }
        var database: ModuleDatabase { ModuleDatabase.builtIn(parts[0] == "test" ? (folder.contains("gbm") ? "gbm" : "gmm") : parts[0])! }
        var perTaxon: Bool { folder.hasSuffix("-taxa") }
        var settings: ModuleScoring.Settings {
            var s = ModuleScoring.Settings()
            s.estimator = ModuleScoring.Estimator(rawValue: parts.first { ModuleScoring.Estimator(rawValue: $0) != nil }!)!
            s.normalizeByLength = parts.contains("n")
            if let c = parts.first(where: { $0.hasPrefix("c") && Double($0.dropFirst()) != nil }) { s.coverage = Double(c.dropFirst())! }
            return s
        }
    }

    static let cases: [Case] = try! FileManager.default.contentsOfDirectory(atPath: fixturePath("modules/omixer")).sorted().map(Case.init)

    /// omixer-rpm's matrix: (taxon or "", module) → per sample.
    static func omixer(_ folder: String, _ file: String) -> (samples: [String], rows: [String: [Double]]) {
        let lines = try! String(contentsOfFile: fixturePath("modules/omixer/\(folder)/\(file)"), encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        let skip = lines[0][0] == "Taxon" ? 2 : 1
        var rows = [String: [Double]]()
        for f in lines.dropFirst() { rows[(skip == 2 ? f[0] + "|" : "") + f[skip - 1]] = f[skip...].map { Double($0)! } }
        return (Array(lines[0][skip...]), rows)
    }

    static func input(_ c: Case) throws -> FunctionalProfile {
        if c.folder.hasPrefix("test-matrix") { return try FunctionalProfile.read(paths: [fixturePath("modules/omixer-test-matrix.tsv")]) }
        if c.folder.hasPrefix("test-species") { return try FunctionalProfile.read(paths: [fixturePath("modules/omixer-test-species_matrix.tsv")]) }
        return profile
    }

    @Test(arguments: cases)
    func matchesOmixerRpm(_ c: Case) throws {
        let profile = try Self.input(c)
        let database = c.database
        let scoring = ModuleScoring(database: database, settings: c.settings)
        let abundance = Self.omixer(c.folder, "modules.tsv"), coverage = Self.omixer(c.folder, "modules-coverage.tsv")
        var ours = [String: (Double, Double)]()
        if c.perTaxon {
            let strata = try #require(profile.strata)
            for s in scoring.scorePerTaxon(strata) {
                ours[strata.taxa[Int(s.taxon)] + "|" + database.modules[Int(s.module)].id + "|" + profile.sampleIDs[Int(s.sample)]] = (s.abundance, s.coverage)
            }
        } else {
            let scores = scoring.score(profile.community)
            for (j, sample) in scores.sampleIDs.enumerated() {
                for (m, module) in scores.moduleIDs.enumerated() where scores.coverage[j * scores.moduleIDs.count + m] > 0 {
                    ours["|" + module + "|" + sample] = (scores.abundance[j * scores.moduleIDs.count + m], scores.coverage[j * scores.moduleIDs.count + m])
                }
            }
        }
        var theirs = [String: (Double, Double)]()
        for (key, values) in abundance.rows {
            for (k, sample) in abundance.samples.enumerated() {
                let cov = coverage.rows[key]![coverage.samples.firstIndex(of: sample)!]
                if cov > 0 { theirs[(c.perTaxon ? "" : "|") + key + "|" + sample] = (values[k], cov) }
            }
        }
        #expect(theirs.count > 20, "a case with too few modules found to test anything")
        #expect(Set(ours.keys) == Set(theirs.keys), "modules found: \(Set(ours.keys).symmetricDifference(theirs.keys).sorted().prefix(5))")
        var worst = 0.0
        for (key, (a, cov)) in theirs {
            guard let mine = ours[key] else { continue }
            worst = max(worst, abs(mine.0 - a) / a)
            #expect(mine.1 == cov, "coverage of \(key)")
        }
        #expect(worst <= 1e-12, "largest relative difference of an abundance \(worst)")
    }

    /// omixer-rpmR's own test values (test/runitModules.R).
    @Test func omixerRpmRTestValues() throws {
        let profile = try FunctionalProfile.read(paths: [fixturePath("modules/omixer-test-matrix.tsv")])
        var settings = ModuleScoring.Settings()
        let gmm = ModuleDatabase.builtIn("gmm")!
        let m = gmm.modules.firstIndex { $0.id == "MF0004" }!
        let plain = ModuleScoring(database: gmm, settings: settings).score(profile.community)
        #expect(abs(plain.abundance[m] - 5457.398359) < 1e-6)
        settings.normalizeByLength = true
        let normalised = ModuleScoring(database: gmm, settings: settings).score(profile.community)
        #expect(abs(normalised.abundance[m] - 708.5907183) < 1e-7)
        settings = .init()
        settings.coverage = 0.3
        let found = ModuleScoring(database: gmm, settings: settings).score(profile.community)
        let modulesFound = (0..<gmm.modules.count).filter { m in (0..<2).contains { found.coverage[$0 * gmm.modules.count + m] > 0 } }
        #expect(modulesFound.count == 96)
    }

    /// The estimators by hand on a module with a complex, alternatives and a missing step.
    @Test func estimatorsByHand() throws {
        let db = try ModuleDatabase.parse("M1\tx\nK00001,K00002\tK00003\nK00004\nK00005\nK00006\n///\n", name: "t", source: "t")
        let table = try CountTable(sampleIDs: ["s"], taxonIDs: ["K00001", "K00002", "K00003", "K00004", "K00006"],
                                   counts: Matrix(rows: 5, columns: 1, columnMajor: [3, 5, 2, 10, 7]))
        // Steps: max(mean(3,5), 2) = 4; 10; 0 (missing); 7 → coverage 3/4.
        var expected: [ModuleScoring.Estimator: (Double, Double)] = [.median: (7, 5.5), .average: (7, 21.0 / 4), .sum: (21, 21.0 / 4), .min: (4, 4)]
        for (estimator, (plain, normalised)) in expected {
            for normalise in [false, true] {
                var s = ModuleScoring.Settings()
                s.estimator = estimator
                s.normalizeByLength = normalise
                let scores = ModuleScoring(database: db, settings: s).score(table)
                #expect(scores.coverage == [0.75])
                #expect(scores.abundance == [normalise ? normalised : plain], "\(estimator) \(normalise)")
            }
        }
        expected = [:]
        var s = ModuleScoring.Settings()
        s.coverage = 0.8
        #expect(ModuleScoring(database: db, settings: s).score(table).abundance == [0])
        #expect(ModuleScoring(database: db, settings: s).score(table).coverage == [0])
    }
}
