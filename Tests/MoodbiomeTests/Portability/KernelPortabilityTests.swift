import Foundation
import Testing
@testable import MoodbiomeNumerics

/// The same answers under every OpenBLAS kernel and thread count.
///
/// OpenBLAS picks its kernels for the CPU it runs on (Debian's build has
/// them all), and two kernels round differently in the last bits; an
/// iterative fit (an optimiser, a profile, IRLS, a BFGS spatial median, an
/// eigensolver's signs) can turn those bits into a different answer. This
/// suite runs the iterative fits through the `moodbiome` executable under
/// every kernel this CPU can run (`OPENBLAS_CORETYPE`, checked with
/// `OPENBLAS_VERBOSE`) with `OPENBLAS_NUM_THREADS` 1 and 2, so a
/// CPU-dependent answer is caught on any machine, not only on the one
/// whose CPU picks the unlucky kernel:
/// - the profile interval whose lower end once came out 2.8948 on one CPU
///   is the exact end (2.876204, an independent dense computation in R,
///   Fixtures/mixed/mixed-profile-exact.csv) to 1e-6 under each;
/// - every text cell is the same, and every number agrees with the run
///   under the CPU's own kernel to what the fit itself determines (each
///   job's tolerance says why): a fit that converges fast (IRLS, Newton,
///   an eigensolver) to 1e-9; a BFGS spatial median, which stops at R's
///   relative tolerance as vegan's does, to 1e-7; a mixed model to 1e-5,
///   because the REML criterion is flat to its own rounding along a small
///   variance (it changes by < 1e-12 while θ moves 1e-7), so no optimiser
///   can place that θ closer — lme4's own θ moves by 1e-6 between two
///   machines — and the same 1e-5 bounds the comparison with lme4.
@Suite("Same answers under every OpenBLAS kernel and thread count")
struct KernelPortabilityTests {
    /// OpenBLAS 0.3's x86-64 kernel names and the CPU flags each needs.
    static let kernels: [(name: String, printed: String, flags: [String])] = [
        ("Prescott", "Prescott", ["pni"]),
        ("Nehalem", "Nehalem", ["ssse3", "sse4_2"]),
        ("SandyBridge", "Sandybridge", ["avx"]),
        ("Haswell", "Haswell", ["avx2", "fma"]),
        ("Zen", "Zen", ["avx2", "fma"]),
        ("SkylakeX", "SkylakeX", ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]),
    ]

    /// The kernels this CPU can run.
    static var runnableKernels: [(name: String, printed: String)] {
        #if arch(x86_64)
        guard let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return [] }
        let flags = Set(line.split(separator: " ").map(String.init))
        return kernels.filter { $0.flags.allSatisfy(flags.contains) }.map { ($0.name, $0.printed) }
        #else
        return []
        #endif
    }

    /// The jobs: each an argument list writing into the run's folder
    /// (`$OUT`), the files compared, and the relative tolerance (with
    /// 1e-12 absolute, for values that are zero up to rounding).
    static let jobs: [(name: String, arguments: [String], outputs: [String], tolerance: Double)] = {
        let fixtures = repositoryRoot + "/Tests/MoodbiomeTests/Fixtures/"
        let datasets = repositoryRoot + "/Datasets/"
        return [
            ("mixed model and profile", ["regress", fixtures + "mixed/longitudinal.csv",
              "--formula", "phq9_total ~ shannon + months + (1 | site/participant_id)",
              "--random-output", "$OUT/random.csv", "--profile-ci", "-o", "$OUT/mixed.csv"], ["mixed.csv", "random.csv"], 1e-5),
            ("logistic regression", ["regress", fixtures + "regression-data.csv", "--family", "binomial",
              "--formula", "depressed ~ shannon + age + sex + bmi", "-o", "$OUT/logistic.csv"], ["logistic.csv"], 1e-9),
            ("negative binomial per feature", ["associate", "--counts", datasets + "simulated-gut-mood/counts.csv",
              "--metadata", datasets + "simulated-gut-mood/metadata.csv", "--formula", "~ phq9_total + antidepressant",
              "--model", "negbin", "--normalization", "none", "--transform", "none", "--min-prevalence", "0.5",
              "--out-dir", "$OUT/negbin"], ["negbin/all_results.csv"], 1e-9),
            ("mixed models per feature", ["associate", "--counts", datasets + "simulated-longitudinal/counts.csv",
              "--metadata", datasets + "simulated-longitudinal/metadata.csv", "--formula", "~ phq9_total + months",
              "--random", "(1 | participant_id)", "--min-prevalence", "0.9", "--out-dir", "$OUT/random-features"],
             ["random-features/all_results.csv"], 1e-5),
            // LinDA: the mean-shift mode iterates on the coefficients of one
            // QR (fixed effects: to rounding) or of per-feature mixed models
            // (whose optimiser stops within 1e-5, as the MaAsLin2 job above).
            ("LinDA", ["associate", "--counts", datasets + "simulated-gut-mood/counts.csv",
              "--metadata", datasets + "simulated-gut-mood/metadata.csv", "--formula", "~ phq9_total + sex + antidepressant",
              "--method", "linda", "--out-dir", "$OUT/linda"], ["linda/all_results.csv", "linda/bias.csv"], 1e-9),
            ("LinDA with mixed models", ["associate", "--counts", datasets + "twins/Twins.csv", "--samples-in", "columns",
              "--metadata", datasets + "twins/metadata.tsv", "--formula", "~ phenotype", "--random", "(1 | subject)",
              "--method", "linda", "--min-prevalence", "0.5", "--out-dir", "$OUT/linda-mixed"],
             ["linda-mixed/all_results.csv", "linda-mixed/bias.csv"], 1e-5),
            // ANCOM-BC: its fit is plain loops, so the E–M (with Nelder–Mead
            // inside, which would follow any last-bit difference) sees the same numbers.
            ("ANCOM-BC", ["associate", "--counts", datasets + "twins/Twins.csv", "--samples-in", "columns",
              "--metadata", datasets + "twins/metadata.tsv", "--formula", "~ phenotype",
              "--method", "ancombc", "--min-prevalence", "0.1", "--out-dir", "$OUT/ancombc"], ["ancombc/all_results.csv", "ancombc/bias.csv"], 1e-12),
            // ANCOM-BC2: the same fit twice around the E–M; the bias variance's
            // split at two quantiles sees ties made exact (GlobalPatterns has them).
            ("ANCOM-BC2", ["associate", "--counts", datasets + "globalpatterns/feature-table.tsv",
              "--metadata", datasets + "globalpatterns/metadata.tsv", "--formula", "~ SampleType", "--struc-zero", "SampleType",
              "--method", "ancombc2", "--min-prevalence", "0.6", "--out-dir", "$OUT/ancombc2"], ["ancombc2/all_results.csv", "ancombc2/bias.csv"], 1e-12),
            ("principal coordinates", ["ordinate", fixtures + "beta/dune-bray.tsv", "-o", "$OUT/pcoa.csv"], ["pcoa.csv"], 1e-9),
            // The first axes only: dsytrd + dsterf + dstebz/dstein + dormtr.
            ("principal coordinates, first axes", ["ordinate", fixtures + "beta/bci-bray.tsv", "--dimensions", "5",
              "--eigenvalues-output", "$OUT/pcoa5-eigenvalues.csv", "-o", "$OUT/pcoa5.csv"], ["pcoa5.csv", "pcoa5-eigenvalues.csv"], 1e-9),
            // Randomized block Krylov iteration: BLAS products each pass, stopped at a
            // residual of 1e-11, so the axes agree to ~1e-10 under any kernel.
            ("principal coordinates, fsvd", ["ordinate", fixtures + "beta/bci-bray.tsv", "--method", "fsvd", "--dimensions", "4",
              "--eigenvalues-output", "$OUT/fsvd-eigenvalues.csv", "-o", "$OUT/fsvd.csv"], ["fsvd.csv", "fsvd-eigenvalues.csv"], 1e-8),
            // Mediation: the draws use OpenBLAS only through Cholesky factors and
            // least-squares fits (refits in the bootstrap); the ACMEs and their
            // percentiles must not move beyond rounding under any kernel.
            ("mediation, quasi-Bayesian and bootstrap", ["mediate", "--metadata", datasets + "simulated-mediation/participants.csv",
              "--exposure", "diet", "--outcome", "phq9_total", "--mediator", "shannon", "--covariates", "age,C(sex)",
              "--method", "bootstrap", "--sims", "300", "--out-dir", "$OUT/mediation"], ["mediation/mediation.csv", "mediation/paths.csv"], 1e-9),
            ("compositional mediation", ["mediate", "--counts", datasets + "simulated-gut-mood/counts.csv",
              "--metadata", datasets + "simulated-gut-mood/metadata.csv", "--exposure", "antidepressant", "--outcome", "phq9_total",
              "--mediator", "composition,shannon", "--composition-parts", "10", "--sims", "300", "--out-dir", "$OUT/composition"],
             ["composition/compositional-mediation.csv", "composition/composition-sensitivity.csv", "composition/mediation.csv"], 1e-9),
            ("dispersion around spatial medians", ["betadisper", fixtures + "beta/dune-bray.tsv", "--metadata", fixtures + "beta/dune-env.csv",
              "--group", "Management", "--seed", "1", "-o", "$OUT/betadisper.csv"], ["betadisper.csv"], 1e-7),
        ]
    }()

    struct Run: Sendable {
        let label: String
        let files: [String: String]
    }

    /// Runs every job under one environment into a fresh folder.
    static func run(kernel: (name: String, printed: String)?, threads: Int) throws -> Run {
        let out = temporaryDirectory()
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_NUM_THREADS"] = String(threads)
        environment["OPENBLAS_VERBOSE"] = "2"
        environment["OPENBLAS_CORETYPE"] = kernel?.name
        let label = "\(kernel?.name ?? "this CPU's kernel"), \(threads) thread\(threads == 1 ? "" : "s")"
        var files = [String: String]()
        for job in jobs {
            let result = try runMoodbiome(job.arguments.map { $0.replacingOccurrences(of: "$OUT", with: out) }, environment: environment)
            guard result.status == 0 else { throw Failure("\(job.name) under \(label) exited \(result.status): \(result.standardError)") }
            if let kernel, !result.standardError.contains("Core: \(kernel.printed)") {
                throw Failure("\(job.name): OPENBLAS_CORETYPE=\(kernel.name) did not take effect (\(result.standardError.prefix(200)))")
            }
            for name in job.outputs { files[name] = try String(contentsOfFile: out + "/" + name, encoding: .utf8) }
        }
        return Run(label: label, files: files)
    }

    /// Unless the user set OPENBLAS_CORETYPE, Moodbiome picks the kernel
    /// from the CPU's instruction sets (an OpenBLAS older than the CPU
    /// would run its slowest one); a kernel the user set is kept.
    @Test func theKernelFollowsTheInstructionSetsUnlessTheUserChose() throws {
        let runnable = Self.runnableKernels.map(\.name)
        let expected = runnable.contains("SkylakeX") ? "SkylakeX" : runnable.contains("Haswell") ? "Haswell" : nil
        let arguments = ["ordinate", repositoryRoot + "/Tests/MoodbiomeTests/Fixtures/beta/dune-bray.tsv", "-o", temporaryDirectory() + "/pcoa.csv"]
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_VERBOSE"] = "2"
        environment["OPENBLAS_CORETYPE"] = nil
        let chosen = try runMoodbiome(arguments, environment: environment)
        #expect(chosen.status == 0)
        if let expected { #expect(chosen.standardError.contains("Core: \(expected)"), "\(chosen.standardError.prefix(200))") }
        guard runnable.contains("Nehalem") else { return }
        environment["OPENBLAS_CORETYPE"] = "Nehalem"
        let kept = try runMoodbiome(arguments + ["--force"], environment: environment)
        #expect(kept.status == 0 && kept.standardError.contains("Core: Nehalem"), "\(kept.standardError.prefix(200))")
    }

    @Test func iterativeFitsGiveTheSameAnswersUnderEveryKernel() throws {
        let kernels = Self.runnableKernels
        #if arch(x86_64)
        #expect(kernels.count >= 2, "an x86-64 CPU runs at least Prescott and Nehalem kernels")
        #endif
        let environments: [((name: String, printed: String)?, Int)] = [(nil, 1)] + kernels.flatMap { k in [1, 2].map { (k, $0) } } + [(nil, 2)]
        let outcomes = parallelChunkMap(count: environments.count) { range in
            range.map { e in Result { try Self.run(kernel: environments[e].0, threads: environments[e].1) } }
        }.flatMap { $0 }
        let failures = outcomes.compactMap { outcome -> String? in
            if case .failure(let error) = outcome { return "\(error)" } else { return nil }
        }
        #expect(failures.isEmpty, "\(failures)")
        let runs = outcomes.compactMap { try? $0.get() }
        guard let base = runs.first else { return }
        let exact = csvRows("mixed/mixed-profile-exact.csv").first { $0["case"] == "long_nested" && $0["index"] == "1" }
        let exactLow = try #require(exact.flatMap { Double($0["low"]!) })
        for run in runs {
            // The profile's lower end against the exact end.
            let random = try #require(run.files["random.csv"]).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
            let low = try #require(Double(random[1][6]))
            #expect(abs(low - exactLow) <= 1e-6, "\(run.label): profile lower end \(low), exact \(exactLow)")
            for job in Self.jobs {
                for name in job.outputs {
                    let difference = Self.firstDifference(base.files[name] ?? "", run.files[name] ?? "", relative: job.tolerance)
                    #expect(difference == nil, "\(name): \(run.label) differs from \(base.label): \(difference ?? "")")
                }
            }
        }
    }

    /// The first cell where two CSV texts differ: numbers beyond `relative`
    /// (and 1e-12 absolute), text at all.
    static func firstDifference(_ a: String, _ b: String, relative: Double) -> String? {
        let rowsA = a.split(separator: "\n", omittingEmptySubsequences: false), rowsB = b.split(separator: "\n", omittingEmptySubsequences: false)
        guard rowsA.count == rowsB.count else { return "\(rowsA.count) vs \(rowsB.count) lines" }
        for (line, (ra, rb)) in zip(rowsA, rowsB).enumerated() {
            let ca = ra.split(separator: ",", omittingEmptySubsequences: false), cb = rb.split(separator: ",", omittingEmptySubsequences: false)
            guard ca.count == cb.count else { return "line \(line + 1): \(ca.count) vs \(cb.count) cells" }
            for (x, y) in zip(ca, cb) where x != y {
                guard let u = Double(x), let v = Double(y), abs(u - v) <= relative * Swift.max(abs(u), abs(v)) + 1e-12 else {
                    return "line \(line + 1): \(x) vs \(y)"
                }
            }
        }
        return nil
    }
}

struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The `moodbiome` executable built beside this test bundle.
func moodbiomeExecutable() throws -> String {
    let bundle = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
    let path = bundle.deletingLastPathComponent().appendingPathComponent("moodbiome").path
    guard FileManager.default.isExecutableFile(atPath: path) else { throw Failure("no moodbiome executable beside the tests at \(path); `swift build` builds it") }
    return path
}

/// Runs `moodbiome` with `arguments`; its exit status and what it printed.
func runMoodbiome(_ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, standardOutput: String, standardError: String) {
    try spawn(try moodbiomeExecutable(), arguments, environment: environment)
}

/// Runs an executable with posix_spawn, standard output and error to files
/// (so neither can fill a pipe and block the child); its exit status (128 +
/// the signal for a killed process) and what it printed.
func spawn(_ executable: String, _ arguments: [String], environment: [String: String]?) throws -> (status: Int32, standardOutput: String, standardError: String) {
    let folder = temporaryDirectory()
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, folder + "/out", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, folder + "/err", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    let envp = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { for p in argv + envp { free(p) } }
    var pid = pid_t()
    let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
    guard spawned == 0 else { throw Failure("cannot start \(executable): error \(spawned)") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    let exited = status & 0x7f == 0
    return (exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), try readWhole(folder + "/out"), try readWhole(folder + "/err"))
}

/// A file's text, read to its end with the C library (for /proc files,
/// which report no size, and empty files, whose read through
/// FoundationEssentials leaks a buffer that LeakSanitizer reports).
func readWhole(_ path: String) throws -> String {
    guard let stream = fopen(path, "r") else { throw Failure("cannot read \(path)") }
    defer { fclose(stream) }
    var bytes = [UInt8](), buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buffer, 1, buffer.count, stream)
        if n <= 0 { break }
        bytes += buffer[..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
}
