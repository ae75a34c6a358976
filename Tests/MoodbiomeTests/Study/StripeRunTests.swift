import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeNumerics
@testable import MoodbiomeReport
@testable import MoodbiomeStudy

/// Distance matrices by stripes: the plan, the stripes' distances, the
/// HDF5 files (unifrac-binaries' layout) and `merge-partial`, bit for bit
/// against one process.
@Suite("Striped distance matrices and merge-partial")
struct StripeRunTests {
    /// phyloseq's gp500 test table (28 samples, 500 taxa) and its tree: the
    /// GlobalPatterns BIOM file (19,216 taxa) took 0.6 s to read in a debug
    /// build, sixteen times per case, for the same work on the stripes.
    let globalPatterns = fixturePath("beta/gp500-table.tsv")
    let tree = fixturePath("beta/gp500.tree")

    @Test(arguments: [2, 3, 7, 26, 100, 1001])
    func stripePlansCoverEveryPairOnceInEqualShares(n: Int) throws {
        let total = PairRows.pairCount(n)
        #expect(total == n * (n - 1) / 2)
        let most = StripePlan.maximumStripes(n)
        #expect(most >= 1 && most < n)
        for stripes in Set([1, 2, 3, 5, most].filter { $0 <= most }) {
            let plan = try StripePlan(n: n, stripes: stripes)
            #expect(plan.bounds.first == 0 && plan.bounds.last == n)
            var next = 0
            for k in 1...stripes {
                let pairs = plan.stripe(k)
                #expect(pairs.count > 0)
                #expect(pairs.offset == next)
                next += pairs.count
                // No stripe is more than one row's pairs away from its share.
                #expect(abs(pairs.count - total / stripes) <= n)
            }
            #expect(next == total)
        }
        #expect(throws: StripePlan.Problem.tooManyStripes(requested: most + 1, samples: n, maximum: most)) {
            try StripePlan(n: n, stripes: most + 1)
        }
    }

    @Test func pairIndicesAreSciPysCondensedOrder() {
        // scipy.spatial.distance.squareform: (0,1) (0,2) (0,3) (1,2) (1,3) (2,3).
        let all = PairRows.all(4)
        #expect([(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)].map { all.index($0.0, $0.1) } == [0, 1, 2, 3, 4, 5])
        let tail = PairRows(n: 4, rows: 1..<3)
        #expect(tail.offset == 3 && tail.count == 3 && tail.index(2, 3) == 2)
    }

    /// Every metric: the stripes' distances, concatenated, are the whole
    /// matrix's bit for bit, for every N — and the whole matrix's are those
    /// of the square matrix the statistics use.
    @Test(arguments: BetaMetricDefinition.registry.map(\.name))
    func stripesAreTheWholeMatrixBitForBit(metric: String) throws {
        let definition = try #require(BetaMetricDefinition.named(metric))
        let dataset = definition.needsTree ? "gp500" : "globalpatterns"
        var options = BetaOptions()
        options.phylogeny = betaTrees[dataset]
        let (table, _) = try BetaDiversityResult.samplesWithReads(betaTables[dataset]!)
        let whole = try definition.distances(table, options: options, pairs: .all(table.sampleCount))
        let square = try BetaDiversityResult(table: table, metric: definition, options: options).matrix
        #expect(whole.map(\.bitPattern) == square.condensed(.all(table.sampleCount)).map(\.bitPattern))
        for stripes in [2, 3, 5] {
            let plan = try StripePlan(n: table.sampleCount, stripes: stripes)
            let joined = try (1...stripes).flatMap { try definition.distances(table, options: options, pairs: plan.stripe($0)) }
            #expect(joined.map(\.bitPattern) == whole.map(\.bitPattern), "\(stripes) stripes")
        }
        // Stripe by stripe into float32: each distance rounded once.
        let single = try definition.condensed(table, options: options, as: Float.self, stripeBytes: 1024)
        #expect(single == whole.map { Float($0) })
    }

    /// Runs `beta` with `configure` applied, in `dir`.
    func beta(_ dir: String, _ configure: (inout BetaRun) -> Void) throws -> [String] {
        var notes = [String]()
        var job = BetaRun(tablePath: globalPatterns)
        configure(&job)
        _ = try job.run { notes.append($0) }
        return notes
    }

    func stripes(_ dir: String, _ n: Int, metric: String = "braycurtis", precision: DistancePrecision? = nil) throws -> [String] {
        try (1...n).map { k in
            let path = dir + "/part-\(k).h5"
            _ = try beta(dir) {
                $0.metric = metric
                $0.stripe = try! StripeRequest(stripe: k, stripes: n)
                $0.partialPath = path
                $0.precision = precision
                if metric.contains("unifrac") { $0.tree = TreeInput(path: tree) }
            }
            return path
        }
    }

    /// The merged file is byte for byte the one a single process writes,
    /// for every N, in both precisions, for a shared-sum and a tree metric.
    @Test(arguments: [("braycurtis", DistancePrecision.float64), ("braycurtis", .float32), ("unweighted_unifrac", .float64)])
    func mergedStripesAreTheSingleProcessFileByteForByte(metric: String, precision: DistancePrecision) throws {
        let dir = temporaryDirectory()
        let single = dir + "/single.h5"
        let notes = try beta(dir) {
            $0.metric = metric
            $0.outputPath = single
            $0.precision = precision
            if metric.contains("unifrac") { $0.tree = TreeInput(path: tree) }
        }
        #expect(notes.contains { $0.hasPrefix("28 samples: 378 distances, \(precision == .float32 ? "1.5" : "3.0") kB in \(precision.rawValue)") })
        let bytes = try Data(contentsOf: URL(fileURLWithPath: single))
        for n in 1...5 {
            let sub = dir + "/n\(n)"
            try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: true)
            let parts = try stripes(sub, n, metric: metric, precision: precision)
            var merge = MergePartialRun(parts: parts.reversed(), outputPath: sub + "/merged.h5")
            _ = try merge.run { _ in }
            #expect(try Data(contentsOf: URL(fileURLWithPath: sub + "/merged.h5")) == bytes, "\(n) stripes")
            // Bands of one row and of a few rows: the same bytes.
            let set = try StripeSet(try parts.map(DistanceHDF5.readStripe))
            for bandBytes in [1, 16 * 28 * 4] {
                try DistanceHDF5.writeMatrix(set, to: sub + "/bands.h5", bandBytes: bandBytes)
                #expect(try Data(contentsOf: URL(fileURLWithPath: sub + "/bands.h5")) == bytes, "\(n) stripes, bands of \(bandBytes) bytes")
            }
            merge.outputPath = sub + "/merged.tsv"
            _ = try merge.run { _ in }
            let text = try DistanceMatrix.read(sub + "/merged.tsv")
            let h5 = try DistanceMatrix.read(single)
            #expect(text.ids == h5.ids && text.values == h5.values)
        }
        // The HDF5 matrix reads back as the TSV one does (float32: each rounded once).
        let tsv = dir + "/single.tsv"
        _ = try beta(dir) {
            $0.metric = metric
            $0.outputPath = tsv
            if metric.contains("unifrac") { $0.tree = TreeInput(path: tree) }
        }
        let a = try DistanceMatrix.read(tsv), b = try DistanceMatrix.read(single)
        #expect(a.ids == b.ids)
        #expect(a.values.storage.map { precision == .float32 ? Double(Float($0)) : $0 } == b.values.storage)
    }

    @Test func mergeRefusesIncompleteRepeatedAndMismatchedStripes() throws {
        let dir = temporaryDirectory()
        let parts = try stripes(dir, 3)
        func failure(_ paths: [String]) -> String {
            let job = MergePartialRun(parts: paths, outputPath: dir + "/m.h5")
            do { _ = try job.run { _ in }; return "" } catch { return message(error) }
        }
        #expect(failure([parts[0], parts[2]]) == "\(parts[0]): stripe 2 of 3 is missing. Compute it (moodbiome beta … --stripes K/3 --partial FILE) and give every stripe")
        #expect(failure(parts + [parts[1]]) == "\(parts[1]): stripe 2 of 3 is given twice: here and in \(parts[1]). Give each stripe once")
        let other = dir + "/other"
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        let jaccard = try stripes(other, 3, metric: "jaccard")
        #expect(failure([parts[0], jaccard[1], parts[2]]) == "\(jaccard[1]): this stripe's metric is 'jaccard', but \(parts[0])'s is 'braycurtis': they are not parts of one matrix. Merge the stripes of one run of moodbiome beta --stripes K/N (same table, metric, options, precision and N)")
        let fourDir = dir + "/four"
        try FileManager.default.createDirectory(atPath: fourDir, withIntermediateDirectories: true)
        let four = try stripes(fourDir, 4)
        #expect(failure([parts[0], four[1], parts[2]]).contains("this stripe's number of stripes is 4, but \(parts[0])'s is 3"))
        // A stripe of another table (the first 20 samples).
        let small = dir + "/small.csv"
        let table = try CountTable.read(globalPatterns).selectingSamples(Array(0..<20))
        try table.write(to: small, format: .delimited, overwrite: false)
        var job = BetaRun(tablePath: small)
        job.stripe = try StripeRequest(stripe: 2, stripes: 3)
        job.partialPath = dir + "/small-2.h5"
        _ = try job.run { _ in }
        #expect(failure([parts[0], dir + "/small-2.h5", parts[2]]).contains("this stripe's table is 'table sha256:"))
        // Nothing was written by any refusal.
        #expect(!FileManager.default.fileExists(atPath: dir + "/m.h5"))
        // A whole matrix is not a stripe, and a stripe is not a matrix.
        let single = dir + "/single.h5"
        _ = try beta(dir) { $0.outputPath = single }
        #expect(failure([single]) == "\(single): this is not a stripe written by moodbiome beta --partial. Give the files that moodbiome beta --stripes K/N --partial FILE wrote")
        #expect { try DistanceMatrix.read(parts[0]) } throws: {
            message($0) == "\(parts[0]): this is one stripe of a distance matrix, not the whole matrix. Merge the stripes first: moodbiome merge-partial PART-1.h5 … PART-N.h5 -o matrix.h5"
        }
        // A truncated stripe is refused before anything is read from it.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: parts[1]))
        let cut = dir + "/cut.h5"
        try bytes.prefix(bytes.count - 200).write(to: URL(fileURLWithPath: cut))
        #expect(!failure([parts[0], cut, parts[2]]).isEmpty)
    }

    @Test func stripeOptionsAreCheckedBeforeAnyWork() throws {
        func failure(_ configure: (inout BetaRun) -> Void) -> String {
            var job = BetaRun(tablePath: globalPatterns)
            configure(&job)
            do { try job.validate(); return "" } catch { return message(error) }
        }
        #expect(failure { $0.stripe = try! StripeRequest(stripe: 1, stripes: 2) }.contains("stripes"))
        #expect(failure { $0.partialPath = "p.h5" }.contains("partial"))
        #expect(failure { $0.stripe = try! StripeRequest(stripe: 1, stripes: 2); $0.partialPath = "p.tsv" }.contains("ending in .h5"))
        #expect(failure { $0.precision = .float32; $0.outputPath = "m.tsv" }.contains("this output is not HDF5"))
        #expect(failure { $0.layout = .csv; $0.outputPath = "m.h5" }.contains("disagrees with the extension of 'm.h5'"))
        #expect(throws: ParameterError.self) { try StripeRequest(parsing: "4/3") }
        #expect(throws: ParameterError.self) { try StripeRequest(parsing: "3") }
        #expect(try StripeRequest(parsing: "2/5") == StripeRequest(stripe: 2, stripes: 5))
        // More stripes than 28 samples can share.
        var job = BetaRun(tablePath: globalPatterns)
        job.stripe = try StripeRequest(stripe: 1, stripes: 30)
        job.partialPath = temporaryDirectory() + "/p.h5"
        #expect { try job.run { _ in } } throws: { message($0).contains("30 stripes is above the documented limit of 17 for 28 samples") }
    }
}

/// `permanova STRIPE.h5 --partial` and `merge-partial` of the shares: the
/// table of `permanova` on the whole matrix, for every number of stripes.
@Suite("PERMANOVA shares through the jobs")
struct PermanovaShareRunTests {
    let dune = datasetPath("vegan-dune/dune_cover.csv")
    let env = datasetPath("vegan-dune/dune_env.csv")

    /// `permanova MATRIX` with this suite's settings (margin, 499 permutations, seed 5).
    func permanova(_ matrix: String, formula: String, strata: String?) -> PermanovaRun {
        var job = PermanovaRun(input: DistanceMetadataInput(matrixPath: matrix, metadataPath: env), formula: formula)
        job.split = .margin
        job.permutation.seed = 5
        job.permutation.permutations = 499
        job.permutation.strata = strata
        return job
    }

    func run(_ dir: String, stripes: Int, formula: String, strata: String?) throws -> String {
        var shares = [String]()
        for k in 1...stripes {
            var beta = BetaRun(tablePath: dune)
            beta.stripe = try StripeRequest(stripe: k, stripes: stripes)
            beta.partialPath = dir + "/d\(k).h5"
            _ = try beta.run { _ in }
            var job = permanova(dir + "/d\(k).h5", formula: formula, strata: strata)
            job.partialPath = dir + "/p\(k).h5"
            _ = try job.run { _ in }
            shares.append(job.partialPath!)
        }
        let merge = MergePartialRun(parts: shares.shuffled(), outputPath: dir + "/permanova.csv")
        _ = try merge.run { _ in }
        return try String(contentsOfFile: dir + "/permanova.csv", encoding: .utf8)
    }

    @Test(arguments: [("~ A1 + Management", nil as String?), ("~ A1 + Use", "Management")])
    func mergedSharesAreTheWholeMatrixTest(formula: String, strata: String?) throws {
        let dir = temporaryDirectory()
        var whole = BetaRun(tablePath: dune)
        whole.outputPath = dir + "/dune.tsv"
        _ = try whole.run { _ in }
        let single = try permanova(dir + "/dune.tsv", formula: formula, strata: strata).compute { _ in }
        var tables = [String]()
        for n in [1, 2, 4] {
            let sub = dir + "/n\(n)"
            try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: true)
            tables.append(try run(sub, stripes: n, formula: formula, strata: strata))
        }
        #expect(Set(tables).count == 1, "the same bytes for 1, 2 and 4 stripes")
        // One process reading the whole matrix block by block: the same bytes again.
        whole.outputPath = dir + "/dune.h5"
        _ = try whole.run { _ in }
        for matrix in ["dune.h5", "dune.tsv"] {
            var streamed = permanova(dir + "/" + matrix, formula: formula, strata: strata)
            streamed.streamed = true
            streamed.output.path = dir + "/streamed-\(matrix).csv"
            _ = try streamed.run { _ in }
            #expect(try String(contentsOfFile: streamed.output.path!, encoding: .utf8) == tables[0], "--streamed on \(matrix)")
        }
        let rows = tables[0].split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
        #expect(rows.map { $0[0] } == single.rows.map(\.term))
        for (row, reference) in zip(rows, single.rows) {
            #expect(isClose(Double(row[2])!, reference.sumOfSquares, relative: 1e-12))
            if row[4] != "NA" {
                #expect(isClose(Double(row[4])!, reference.f, relative: 1e-12))
                #expect(Double(row[5])! == reference.pValue)
            }
        }
    }

    @Test func sharesNeedASeedAndOneTest() throws {
        let dir = temporaryDirectory()
        var job = PermanovaRun(input: DistanceMetadataInput(matrixPath: dir + "/d1.h5", metadataPath: env), formula: "~ A1")
        job.partialPath = dir + "/p1.h5"
        #expect { try job.validate() } throws: { message($0).contains("--seed") }
        // Shares of two tests do not merge; nor do shares and distance stripes.
        _ = try run(dir, stripes: 2, formula: "~ A1 + Management", strata: nil)
        let other = dir + "/other"
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        _ = try run(other, stripes: 2, formula: "~ A1 + Use", strata: nil)
        func failure(_ parts: [String]) -> String {
            do { _ = try MergePartialRun(parts: parts, outputPath: dir + "/m.csv").run { _ in }; return "" } catch { return message(error) }
        }
        #expect(failure([dir + "/p1.h5", other + "/p2.h5"]) == "\(other)/p2.h5: this PERMANOVA share is of another test than \(dir)/p1.h5's (formula, permutations, seed, strata or metadata differ). Merge the shares of one test: the same --formula, --permutations, --seed, --strata and metadata for every stripe")
        #expect(failure([dir + "/p1.h5", dir + "/d2.h5"]) == "\(dir)/d2.h5: this is a distance stripe and \(dir)/p1.h5 a PERMANOVA share. Merge distance stripes into a matrix, or PERMANOVA shares into a test, one kind at a time")
        #expect(failure([dir + "/p1.h5", dir + "/p2.h5"]).isEmpty)
        job.streamed = true
        #expect { try job.validate() } throws: { message($0) == "--partial: cannot be combined with --streamed. Give --partial or --streamed, not both" }
        #expect(!FileManager.default.fileExists(atPath: dir + "/m2.csv"))
    }
}
