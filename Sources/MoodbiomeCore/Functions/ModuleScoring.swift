import FoundationEssentials
import MoodbiomeIO
import MoodbiomeNumerics

/// Module abundance and coverage from a functional profile, as omixer-rpm
/// 1.1 computes them (Darzi Y. et al. 2016, *Bioinformatics* 32:1111;
/// the method of Vieira-Silva et al. 2016 and Valles-Colomer et al. 2019).
///
/// For one profile (a sample's community, or one taxon's share of it):
/// - an alternative's value is the mean of its subunits' abundances (a
///   subunit absent from the profile counts 0); a step's value is its best
///   alternative's, and the step is **observed** when that is > 0;
/// - **coverage** = observed steps / steps;
/// - **abundance** = the estimator over the observed steps' values: their
///   median (the mean of the two middle values for an even count), average,
///   sum or minimum. With `normalizeByLength` every step enters, missing
///   ones as 0: the median of all steps (a zero median replaced by the
///   smallest observed value), or the sum divided by the number of steps
///   (for `average` and `sum`); `min` is unchanged;
/// - a module counts in the profile when coverage ≥ the cut-off; otherwise
///   its abundance and coverage are both 0.
///
/// omixer-rpm searches every combination of alternatives for the one with
/// the highest coverage, ties broken by the higher abundance. Every
/// estimator is non-decreasing in each step's value, so taking each step's
/// best alternative is that combination: the search is done step by step.
///
/// Conventions checked against omixer-rpm 1.1 (`Fixtures/modules/`): the
/// median, average and sum estimators with and without length normalising,
/// on community and per-taxon profiles, to 1e-12. omixer-rpm's `min` takes
/// something other than the mean for a complex's value (its result for a
/// complex depends on the order of the subunits and on the module's other
/// steps), so Moodbiome's `min` — the smallest observed step value, a
/// complex valued as the mean of its subunits like every other estimator —
/// matches it only on modules without complexes.
public struct ModuleScoring: Sendable {
    public enum Estimator: String, Sendable, CaseIterable {
        case median, average, sum, min
    }

    public struct Settings: Sendable, Equatable {
        /// The smallest coverage at which a module counts (omixer-rpmR's
        /// default of published analyses, 0.66: two steps of three).
        public var coverage = 0.66
        public var estimator = Estimator.median
        public var normalizeByLength = false
        public init() {}
    }

    public let database: ModuleDatabase
    public let settings: Settings
    /// Every ortholog the modules name, each once.
    public let orthologs: [String]
    /// Per module, per step, per alternative: its subunits (indices into ``orthologs``).
    let compiled: [[[[Int32]]]]
    /// Per ortholog, the modules naming it.
    let modulesOf: [[Int32]]

    public init(database: ModuleDatabase, settings: Settings = Settings()) {
        self.database = database
        self.settings = settings
        var orthologs = [String](), index = [String: Int32]()
        func id(_ name: String) -> Int32 {
            if let k = index[name] { return k }
            index[name] = Int32(orthologs.count)
            orthologs.append(name)
            return Int32(orthologs.count - 1)
        }
        compiled = database.modules.map { $0.steps.map { $0.map { $0.map(id) } } }
        var modulesOf = [[Int32]](repeating: [], count: orthologs.count)
        for (m, module) in compiled.enumerated() {
            for o in Set(module.flatMap { $0.flatMap { $0 } }).sorted() { modulesOf[Int(o)].append(Int32(m)) }
        }
        self.orthologs = orthologs
        self.modulesOf = modulesOf
    }

    /// One module's coverage and abundance in a profile given as the value
    /// of each ortholog of ``orthologs``, before the cut-off.
    func score(module m: Int, values: UnsafeBufferPointer<Double>, scratch: inout [Double]) -> (abundance: Double, coverage: Double) {
        let steps = compiled[m]
        scratch.removeAll(keepingCapacity: true)
        var observed = 0
        for step in steps {
            var best = 0.0
            for alternative in step {
                var sum = 0.0
                for o in alternative { sum += values[Int(o)] }
                best = Swift.max(best, sum / Double(alternative.count))
            }
            if best > 0 { observed += 1 }
            if best > 0 || settings.normalizeByLength { scratch.append(best) }
        }
        let coverage = Double(observed) / Double(steps.count)
        guard observed > 0 else { return (0, coverage) }
        return (estimate(&scratch, steps: steps.count), coverage)
    }

    /// The estimator over the step values in `values` (all steps with
    /// ``Settings/normalizeByLength``, else the observed ones).
    func estimate(_ values: inout [Double], steps: Int) -> Double {
        switch settings.estimator {
        case .median:
            values.sort()
            let n = values.count, h = n / 2
            let middle = n % 2 == 1 ? values[h] : (values[h - 1] + values[h]) / 2
            return middle == 0 ? (values.first { $0 > 0 } ?? 0) : middle
        case .average:
            return values.reduce(0, +) / Double(settings.normalizeByLength ? steps : values.count)
        case .sum:
            let sum = values.reduce(0, +)
            return settings.normalizeByLength ? sum / Double(steps) : sum
        case .min:
            return values.filter { $0 > 0 }.min() ?? 0
        }
    }

    /// Abundance and coverage of every module in every sample, samples ×
    /// modules (row-major), after the cut-off.
    public struct Scores: Sendable {
        public let sampleIDs: [String]
        public let moduleIDs: [String]
        public let abundance: [Double]
        public let coverage: [Double]

        /// Module `m`'s abundance in sample `j`.
        public func abundance(sample j: Int, module m: Int) -> Double { abundance[j * moduleIDs.count + m] }
        /// Module `m`'s coverage in sample `j` (0 when it does not count).
        public func coverage(sample j: Int, module m: Int) -> Double { coverage[j * moduleIDs.count + m] }
        /// In how many samples each module counts.
        public var samplesFound: [Int] {
            moduleIDs.indices.map { m in sampleIDs.indices.filter { coverage(sample: $0, module: m) > 0 }.count }
        }
    }

    /// Scores the community profile `table` (its `taxonIDs` the function IDs).
    public func score(_ table: CountTable) -> Scores {
        let position = positions(of: table.taxonIDs)
        let modules = compiled.count, cutoff = settings.coverage
        let chunks = parallelChunkMap(count: table.sampleCount, minimumPerChunk: 8) { range in
            var abundance = [Double](), coverage = [Double]()
            var values = [Double](repeating: 0, count: orthologs.count), scratch = [Double]()
            for j in range {
                for k in table.range(ofSample: j) {
                    let o = position[Int(table.taxonIndices[k])]
                    if o >= 0 { values[Int(o)] = table.values[k] }
                }
                values.withUnsafeBufferPointer { v in
                    for m in 0..<modules {
                        let (a, c) = score(module: m, values: v, scratch: &scratch)
                        let counts = c >= cutoff && c > 0
                        abundance.append(counts ? a : 0)
                        coverage.append(counts ? c : 0)
                    }
                }
                for k in table.range(ofSample: j) {
                    let o = position[Int(table.taxonIndices[k])]
                    if o >= 0 { values[Int(o)] = 0 }
                }
            }
            return (abundance, coverage)
        }
        return Scores(sampleIDs: table.sampleIDs, moduleIDs: database.modules.map(\.id),
                      abundance: chunks.flatMap(\.0), coverage: chunks.flatMap(\.1))
    }

    /// A module found in one taxon's share of one sample.
    public struct TaxonScore: Sendable, Equatable {
        public let taxon: Int32
        public let module: Int32
        public let sample: Int32
        public let abundance: Double
        public let coverage: Double
    }

    /// Scores each taxon's profile in each sample: the modules that count
    /// (coverage ≥ the cut-off), ordered by taxon, module and sample. Taxa
    /// on all cores, each from its strata rows whose function a module
    /// names, put in sample order by a counting sort.
    public func scorePerTaxon(_ strata: FunctionalProfile.Strata) -> [TaxonScore] {
        let rows = strata.rows
        let functionPosition = positions(of: strata.functions)
        let rowOrtholog = strata.rowFunction.map { functionPosition[Int($0)] }
        // Per taxon, its rows of module orthologs (taxonStarts, taxonRows).
        var taxonStarts = [Int](repeating: 0, count: strata.taxa.count + 1)
        for (r, t) in strata.rowTaxon.enumerated() where rowOrtholog[r] >= 0 { taxonStarts[Int(t) + 1] += 1 }
        for t in 0..<strata.taxa.count { taxonStarts[t + 1] += taxonStarts[t] }
        var next = taxonStarts, taxonRows = [Int32](repeating: 0, count: taxonStarts[strata.taxa.count])
        for (r, t) in strata.rowTaxon.enumerated() where rowOrtholog[r] >= 0 {
            taxonRows[next[Int(t)]] = Int32(r)
            next[Int(t)] += 1
        }
        let (starts, members) = (taxonStarts, taxonRows)
        let chunks = parallelChunkMap(count: strata.taxa.count, minimumPerChunk: 4) { taxa in
            var out = [TaxonScore](), found = [TaxonScore]()
            var profile = TaxonProfile(samples: rows.columnCount, orthologs: orthologs.count, modules: compiled.count)
            for t in taxa where starts[t] < starts[t + 1] {
                profile.gather(members[starts[t]..<starts[t + 1]], rows: rows, rowOrtholog: rowOrtholog)
                found.removeAll(keepingCapacity: true)
                for j in 0..<rows.columnCount {
                    profile.score(sample: j, scoring: self) { m, a, c in
                        found.append(TaxonScore(taxon: Int32(t), module: m, sample: Int32(j), abundance: a, coverage: c))
                    }
                }
                found.sort { ($0.module, $0.sample) < ($1.module, $1.sample) }
                out += found
            }
            return out
        }
        return parallelJoined(chunks)
    }

    /// One taxon's orthologs in every sample, grouped by sample, and the
    /// scratch space to score them.
    struct TaxonProfile {
        /// Where each sample's entries start (`samples + 1`).
        var sampleStarts: [Int]
        var entries = [(ortholog: Int32, value: Double)]()
        var values: [Double]
        var marked: [Bool]
        var touched = [Int32](), scratch = [Double]()

        init(samples: Int, orthologs: Int, modules: Int) {
            sampleStarts = [Int](repeating: 0, count: samples + 1)
            values = [Double](repeating: 0, count: orthologs)
            marked = [Bool](repeating: false, count: modules)
        }

        /// The taxon's rows `members` (of module orthologs) put in sample order.
        mutating func gather(_ members: ArraySlice<Int32>, rows: SparseRows, rowOrtholog: [Int32]) {
            let samples = sampleStarts.count - 1
            for j in 0...samples { sampleStarts[j] = 0 }
            for r in members { for k in rows.range(ofRow: Int(r)) { sampleStarts[Int(rows.columnIndices[k]) + 1] += 1 } }
            for j in 0..<samples { sampleStarts[j + 1] += sampleStarts[j] }
            entries = Array(repeating: (0, 0), count: sampleStarts[samples])
            var next = sampleStarts
            for r in members {
                let o = rowOrtholog[Int(r)]
                for k in rows.range(ofRow: Int(r)) {
                    let j = Int(rows.columnIndices[k])
                    entries[next[j]] = (o, rows.values[k])
                    next[j] += 1
                }
            }
        }

        /// Scores sample `j`'s profile: `found(module, abundance, coverage)`
        /// for each module that counts, in module order.
        mutating func score(sample j: Int, scoring: ModuleScoring, _ found: (Int32, Double, Double) -> Void) {
            let mine = sampleStarts[j]..<sampleStarts[j + 1]
            guard !mine.isEmpty else { return }
            for (o, value) in entries[mine] {
                values[Int(o)] = value
                for m in scoring.modulesOf[Int(o)] where !marked[Int(m)] {
                    marked[Int(m)] = true
                    touched.append(m)
                }
            }
            touched.sort()
            values.withUnsafeBufferPointer { v in
                for m in touched {
                    let (a, c) = scoring.score(module: Int(m), values: v, scratch: &scratch)
                    if c >= scoring.settings.coverage && c > 0 { found(m, a, c) }
                }
            }
            for m in touched { marked[Int(m)] = false }
            touched.removeAll(keepingCapacity: true)
            for (o, _) in entries[mine] { values[Int(o)] = 0 }
        }
    }

    /// Per function ID, its index in ``orthologs`` (−1 for a function no module names).
    func positions(of functions: [String]) -> [Int32] {
        var index = [String: Int32]()
        for (k, o) in orthologs.enumerated() { index[o] = Int32(k) }
        return functions.map { index[$0] ?? -1 }
    }

    /// Per module, how many of its distinct KEGG orthologs `functions` holds.
    public func keggOrthologsFound(in functions: [String]) -> [Int] {
        let present = Set(functions)
        return database.modules.map { $0.keggOrthologs.filter(present.contains).count }
    }
}
