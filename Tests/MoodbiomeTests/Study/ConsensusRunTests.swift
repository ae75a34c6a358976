import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeReport
@testable import MoodbiomeStudy

/// `associate --method all`: the four methods on one selection, and where
/// they agree.
@Suite("associate --method all: the consensus")
struct ConsensusRunTests {
    let counts = datasetPath("simulated-gut-mood/counts.csv"), metadata = datasetPath("simulated-gut-mood/metadata.csv")
    let formula = "~ phq9_total + age + sex + antidepressant"

    func job(_ dir: String, _ configure: (inout AssociationRun) -> Void = { _ in }) -> AssociationRun {
        var job = AssociationRun(countsPath: counts, metadataPath: metadata, outputDirectory: dir)
        job.formula = formula
        job.method = .all
        configure(&job)
        return job
    }

    /// Every method's q in consensus.csv is the q of that method run on its
    /// own with the same prevalence cut (LinDA's and ANCOM-BC's rule, which
    /// the consensus shares: the same samples and features), to the last
    /// digit; n_significant counts them (ANCOM-BC2's when they pass its
    /// pseudo-count sensitivity analysis); the planted genera are agreed on.
    @Test func eachColumnIsThatMethodRunAlone() throws {
        let dir = temporaryDirectory()
        var notes = [String]()
        let result = try job(dir + "/out").run { notes.append($0) }
        let consensus = try #require(result.consensus)
        let text = try String(contentsOfFile: dir + "/out/consensus.csv", encoding: .utf8)
        #expect(text.hasPrefix("feature,term,maaslin2_direction,maaslin2_q,linda_direction,linda_q,ancombc_direction,ancombc_q,ancombc2_direction,ancombc2_q,ancombc2_passed_ss,n_significant,n_tested,directions_agree\n"))
        let rows = csvRows(fromFile: dir + "/out/consensus.csv")
        #expect(rows.count == consensus.rows.count && rows.count == 164 * 4)
        // Each method alone, with the shared prevalence cut.
        var alone = [AssociationMethod: [String: TaxonAssociation.Row]]()
        for method in [AssociationMethod.linda, .ancombc, .ancombc2] {
            var single = job(dir + "/" + method.rawValue) { $0.method = method }
            single.linda.minimumPrevalence = 0.1
            single.ancombc.minimumPrevalence = 0.1
            single.ancombc.pseudoCount = method == .ancombc2 ? 0 : 1   // each at its own default, as the consensus runs them
            let r = try single.run { _ in }
            alone[method] = Dictionary(uniqueKeysWithValues: r.association.rows.map { ($0.feature + "|" + $0.term, $0) })
        }
        for row in rows {
            let key = row["feature"]! + "|" + row["term"]!
            var significant = 0
            for method in AssociationConsensus.methods {
                let q = Double(row[method.rawValue + "_q"]!)!
                // ANCOM-BC2's call counts only when it survives the pseudo-count sensitivity analysis.
                if q <= 0.25 && row[method.rawValue + "_passed_ss"] != "false" { significant += 1 }
                guard let single = alone[method]?[key] else { continue }
                #expect(q == single.qValue, "\(key) \(method): \(q) vs \(single.qValue)")
                #expect(row[method.rawValue + "_direction"] == (single.estimate < 0 ? "down" : "up"))
            }
            #expect(row["n_significant"] == "\(significant)" && row["n_tested"] == "4")
        }
        // MaAsLin2 on the consensus's features: its own subdirectory, the same q.
        let maaslin = csvRows(fromFile: dir + "/out/maaslin2/all_results.csv")
        let byKey = Dictionary(uniqueKeysWithValues: rows.map { ($0["feature"]! + "|" + $0["term"]!, $0) })
        for r in maaslin { #expect(Double(byKey[r["feature"]! + "|" + r["term"]!]!["maaslin2_q"]!)! == Double(r["q_value"]!)!) }
        // The planted mood genera: agreed by all four.
        let summary = try String(contentsOfFile: dir + "/out/summary.md", encoding: .utf8)
        for genus in ["Dialister (phq9_total, lower)", "Coprococcus (phq9_total, lower)", "Eggerthella (phq9_total, higher)"] {
            #expect(summary.contains(genus))
        }
        #expect(summary.contains("**Agreed by every method** (3): Dialister (phq9_total, lower); Coprococcus (phq9_total, lower); Eggerthella (phq9_total, higher)."))
        #expect(summary.contains("**Found by LinDA only** (3)"))
        #expect(notes.last == "q ≤ 0.25: MaAsLin2 LM 8, LinDA 10, ANCOM-BC 5, ANCOM-BC2 3; 3 agreed by all 4 methods (656 feature–term pairs tested)")
        #expect(notes.contains("note: 36 of 200 features present in fewer than 10% of samples left out (filtered_features.csv); the same 164 tested by every method"))
        for file in ["figures/consensus-phq9_total.svg", "linda/bias.csv", "ancombc2/report.html", "maaslin2/summary.md", "report.html", "provenance.json"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/out/" + file), "\(file)")
        }
        // Same inputs, same bytes.
        try job(dir + "/again").run { _ in }
        for file in ["consensus.csv", "summary.md", "report.html", "figures/consensus-phq9_total.svg", "ancombc/all_results.csv"] {
            #expect(FileManager.default.contents(atPath: dir + "/out/" + file) == FileManager.default.contents(atPath: dir + "/again/" + file))
        }
    }

    /// Structural zeros are set aside for every method, so all four still
    /// test the same features.
    @Test func structuralZerosLeaveEveryMethodTheSameFeatures() throws {
        let dir = temporaryDirectory()
        var twins = AssociationRun(countsPath: datasetPath("twins/Twins.csv"), metadataPath: datasetPath("twins/metadata.tsv"), outputDirectory: dir + "/out")
        twins.readOptions.orientation = .columns
        twins.formula = "~ phenotype"
        twins.method = .all
        twins.consensus.minimumPrevalence = 0.05
        twins.consensus.structuralZeroGroup = "phenotype"
        let result = try twins.run { _ in }
        let consensus = try #require(result.consensus)
        let absent = try #require(consensus.structuralZeros)
        let setAside = Set(consensus.filtered.filter { $0.reason == .structuralZero }.map(\.feature))
        #expect(setAside.count == 4)
        #expect(Set(absent.features).isSuperset(of: setAside))
        for (_, association) in consensus.results {
            #expect(Set(association.rows.map(\.feature)) == Set(consensus.features))
            #expect(association.rows.allSatisfy { !setAside.contains($0.feature) })
        }
        #expect(consensus.rows.allSatisfy { $0.tested == 4 })
        #expect(FileManager.default.fileExists(atPath: dir + "/out/structural_zeros.csv"))
    }

    @Test func refusesWhatTheConsensusCannotDo() throws {
        let dir = temporaryDirectory()
        let cases: [(AssociationRun, String)] = [
            (job(dir + "/out") { $0.random = "(1 | sex)" },
             "--method all includes ANCOM-BC and ANCOM-BC2, which fit no mixed models (as scikit-bio 0.7.4's ancombc and ancombc2), so random-effects terms cannot be used with it. Use --method linda or maaslin2 with --random"),
            (job(dir + "/out") { $0.methodOnly = [(.pseudocount, [.linda, .ancombc, .ancombc2])] },
             "--pseudocount: applies only to --method linda, ancombc or ancombc2. Add --method linda, ancombc or ancombc2, or drop --pseudocount"),
            (job(dir + "/out") { $0.consensus.minimumPrevalence = 2 }, "--min-prevalence: must be between 0 and 1 (got 2)"),
            (job(dir + "/out") { $0.consensus.structuralZeroGroup = "bmi" }, "--struc-zero: 'bmi' is not one of phq9_total, age, sex, antidepressant"),
        ]
        for (job, expected) in cases {
            #expect { try job.run { _ in } } throws: { message($0) == expected }
            #expect(!FileManager.default.fileExists(atPath: dir + "/out"))
        }
    }
}
