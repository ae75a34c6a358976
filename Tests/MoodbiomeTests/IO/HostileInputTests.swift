import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeReport
@testable import MoodbiomeStudy

func hostileFixture(_ name: String) -> String { fixturePath("hostile/" + name) }

/// BIOM 2.1 files in every layout HDF5 allows (Fixtures/generate_biom_variants.py):
/// each must read as the same table, biom-format's reading of the reference.
@Suite("BIOM 2.1 in every layout")
struct BIOMVariantTests {
    static let variants = ["reference", "int64-chunked", "int32-chunked", "uint16-chunked", "float32-chunked",
                           "float64-big-endian", "int64-indices", "uint32-indices", "contiguous", "chunked-uncompressed",
                           "shuffle-gzip", "fletcher32", "gzip-level-9-one-chunk", "scrambled-columns", "userblock-chunked"]

    @Test(arguments: variants)
    func readsAsBiomFormatDoes(_ name: String) throws {
        let expected = try CountTable.read(fixturePath("formats/variants/expected.csv"))
        let table = try CountTable.read(fixturePath("formats/variants/\(name).biom"))
        #expect(table.sampleIDs == expected.sampleIDs)
        #expect(table.taxonIDs == expected.taxonIDs)
        #expect(table.denseSamplesByTaxa().storage == expected.denseSamplesByTaxa().storage)
        #expect(table.isIntegral)
    }

    /// A child process started while HDF5 had a file open inherits the
    /// descriptor and, with HDF5's default file locking, its flock: the
    /// table could not be read again until the child ended (seen in CI as
    /// "HDF5 cannot open it" while another test ran a subprocess). Here the
    /// held lock is simulated by a second open file description.
    @Test func aLockHeldElsewhereDoesNotStopReading() throws {
        let dir = temporaryDirectory()
        let path = dir + "/locked.biom"
        let table = try CountTable.read(fixturePath("formats/variants/reference.biom"))
        try table.write(to: path, format: .biom, overwrite: false)
        let fd = open(path, O_RDONLY)
        #expect(fd >= 0)
        defer { close(fd) }
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        #expect(try BIOM2.readInProcess(path: path, source: path).sampleIDs == table.sampleIDs)
        #expect(try CountTable.read(path).sampleIDs == table.sampleIDs)
        try table.write(to: dir + "/again.biom", format: .biom, overwrite: false)
    }

    /// Tables read and written from many threads at once (parallel tests, an
    /// embedding program) come out whole.
    @Test func manyThreadsAtOnce() async throws {
        let expected = try CountTable.read(fixturePath("formats/variants/expected.csv"))
        let dir = temporaryDirectory()
        let sources = Self.variants.filter { $0 != "lzf" }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for round in 0..<6 {
                for name in sources {
                    group.addTask {
                        let path = fixturePath("formats/variants/\(name).biom")
                        let table = round % 2 == 0 ? try CountTable.read(path) : try BIOM2.readInProcess(path: path, source: path)
                        let copy = dir + "/\(name)-\(round).biom"
                        try table.write(to: copy, format: .biom, overwrite: false)
                        #expect(try CountTable.read(copy).denseSamplesByTaxa().storage == expected.denseSamplesByTaxa().storage)
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// Every layout reads the same through the helper process as with HDF5
    /// in this process, and the helper is there to be used in the tests.
    @Test func theHelperProcessReadsWhatHDF5Reads() throws {
        #expect(HDF5Process.helper != nil, "moodbiome-hdf5 is built beside the tests")
        for name in Self.variants + ["lzf"] {
            let path = fixturePath("formats/variants/\(name).biom")
            let inProcess = Result { try BIOM2.readInProcess(path: path, source: path) }
            let helper = Result { try HDF5Process.read(path: path) }
            switch (inProcess, helper) {
            case (.success(let a), .success(let b?)):
                #expect(a.sampleIDs == b.sampleIDs && a.taxonIDs == b.taxonIDs && a.columnStarts == b.columnStarts, "\(name)")
                #expect(a.taxonIndices == b.taxonIndices && a.values == b.values && a.isIntegral == b.isIntegral, "\(name)")
                #expect(a.taxonomy == b.taxonomy && a.origin == b.origin && a.source == b.source, "\(name)")
            case (.failure(let a), .failure(let b)):
                #expect(message(a) == message(b), "\(name)")
            default:
                Issue.record("\(name): \(inProcess) in this process, \(helper) in the helper")
            }
        }
        let qza = formatFixture("rich-sparse.qza")
        #expect(try CountTable.read(qza).sampleCount == 6)
        // A file on which HDF5 1.10.8 overflows a heap buffer: an error, never
        // a crash (under `make asan` the helper dies of it, the tests do not).
        #expect(throws: InputError.self) { try CountTable.read(repositoryRoot + "/Tests/Fuzz/corpus/biom2/hdf5-heap-overflow-1.10.8") }
    }

    /// A helper that dies (HDF5 crashing inside it) or stops halfway is a
    /// clear error about the file, never a crash or a partial table.
    @Test(arguments: [("kill -SEGV $$", "signal 11"), ("printf 'MBH5\\001\\000\\003'; exit 0", "exit status 0"),
                      ("exit 3", "exit status 3")])
    func aHelperThatDiesIsAnError(_ script: String, _ how: String) throws {
        // The stand-in helper is a shell command line, not a script file: a
        // file just written can be "busy" to exec while another test's child
        // still holds it open.
        let error = try #require(throws: InputError.self) {
            try HDF5Process.run("/bin/sh", arguments: ["-c", script], source: "t.biom", descriptor: nil)
        }
        #expect(message(error) == "t.biom: HDF5 failed while reading this file (moodbiome-hdf5 ended with \(how)): the file is damaged, or made to break HDF5. Export the table again (biom convert, or qiime tools export)")
    }

    /// A helper that hangs (HDF5 looping on a file) is stopped after
    /// ``HDF5Process/patience`` seconds (here 1) without a byte, and the file refused.
    @Test func aHelperThatHangsIsStopped() throws {
        let started = ContinuousClock.now
        let error = try #require(throws: InputError.self) {
            try HDF5Process.run("/bin/sh", arguments: ["-c", "exec sleep 30"], source: "t.biom", descriptor: nil, patience: 1)
        }
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(message(error) == "t.biom: HDF5 stopped answering while reading this file (nothing for 1 s): the file is damaged, or made to loop HDF5. Export the table again (biom convert, or qiime tools export)")
    }

    /// A real file on which HDF5 1.10.8 loops (found by the biom2 fuzzer):
    /// the helper is stopped after its patience and the file refused; and a
    /// `moodbiome` killed meanwhile takes its helper with it, so no helper is
    /// ever left spinning on a core.
    @Test func aFileThatLoopsHDF5EndsAndTheHelperNeverOutlivesMoodbiome() throws {
        let looping = repositoryRoot + "/Tests/Fuzz/hangs/biom2/hdf5-loop-1.10.8"
        let helper = try #require(HDF5Process.helper)
        let started = ContinuousClock.now
        #expect(throws: InputError.self) {
            try HDF5Process.run(helper, arguments: ["read", looping, looping], source: looping, descriptor: nil, patience: 2)
        }
        #expect(ContinuousClock.now - started < .seconds(30))

        var pid: pid_t = 0
        let words: [String] = [try moodbiomeExecutable(), "diversity", looping, "--metrics", "observed_features", "-o", temporaryDirectory() + "/a.csv"]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        #expect(posix_spawn(&pid, words[0], nil, nil, argv, environ) == 0)
        /// The helpers whose parent is `parent`, from /proc.
        func helpers(of parent: pid_t) -> [pid_t] {
            ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { entry -> pid_t? in
                guard let id = pid_t(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                      stat.contains("(moodbiome-hdf5)") else { return nil }
                let fields = stat[stat.range(of: ")")!.upperBound...].split(separator: " ")
                return fields.count > 1 && pid_t(fields[1]) == parent && fields[0] != "Z" ? id : nil
            }
        }
        var child = [pid_t]()
        for _ in 0..<100 where child.isEmpty { usleep(50_000); child = helpers(of: pid) }
        #expect(child.count == 1, "the helper started")
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        /// Whether the process is gone (or a zombie no one reaps: it no longer runs).
        func ended(_ id: pid_t) -> Bool {
            guard let stat = try? String(contentsOfFile: "/proc/\(id)/stat", encoding: .utf8) else { return true }
            return stat[stat.range(of: ")")!.upperBound...].split(separator: " ").first == "Z"
        }
        var gone = false
        for _ in 0..<100 where !gone { usleep(50_000); gone = child.allSatisfy(ended) }
        #expect(gone, "the helper ended with moodbiome")
    }

    @Test func aFilterHDF5LacksIsNamed() throws {
        let path = fixturePath("formats/variants/lzf.biom")
        let error = try #require(throws: InputError.self) { try CountTable.read(path) }
        #expect(error.problem == "BIOM 2.1: 'sample/matrix/data' is compressed with the 'lzf' filter, which this HDF5 library does not have (h5py's LZF, for one, exists only inside h5py)")
    }
}

/// Inputs that lie about their size, point outside themselves, or carry
/// names and numbers no reader may take on trust (issue 27's classes; the
/// binary files come from Fixtures/generate_hostile.py).
@Suite("Hostile input")
struct HostileInputTests {
    /// Declared sizes are compared with what the file holds before anything
    /// is allocated: the 80 GB dataset is refused in milliseconds.
    @Test func declaredSizesAreCheckedBeforeAllocating() throws {
        let huge = try #require(throws: InputError.self) { try CountTable.read(hostileFixture("huge-declared.biom")) }
        #expect(huge.problem == "BIOM 2.1: 'sample/matrix/data' declares 10000000000 values but the file stores only 0 bytes for it (compressed)")
        let zip = try #require(throws: InputError.self) { try CountTable.read(hostileFixture("lying-size.qza")) }
        #expect(zip.problem.hasPrefix("the archive's entry 3f2a9c1e-7b4d-4e8a-9c55-0d6b1e2f4a10/data/feature-table.biom declares 2.1 GB but holds "))
        #expect(MemoryBudget.inflatedLimit(compressed: 1000) == 1_097_536)
        #expect(MemoryBudget.describe(2_147_483_648) == "2.1 GB" && MemoryBudget.describe(999) == "999 bytes")
        #expect(throws: InputError.self) { try MemoryBudget.check(nil, for: "x", file: "f") }
    }

    /// A table is read from one file: links and storage outside it are refused.
    @Test func dataOutsideTheFileIsRefused() throws {
        let link = try #require(throws: InputError.self) { try CountTable.read(hostileFixture("external-link.biom")) }
        #expect(link.problem.hasPrefix("BIOM 2.1: 'sample/matrix/data' is an external link into another HDF5 file"))
        let storage = try #require(throws: InputError.self) { try CountTable.read(hostileFixture("external-storage.biom")) }
        #expect(storage.problem.hasPrefix("BIOM 2.1: the values of 'sample/matrix/data' are stored outside the file"))
    }

    @Test func fractionalIndicesAreRefused() throws {
        let error = try #require(throws: InputError.self) { try CountTable.read(hostileFixture("float-indices.biom")) }
        #expect(error.problem == "BIOM 2.1: 'sample/matrix/indices' holds floating-point numbers, not integer positions")
    }

    /// One name rule in every reader: control characters and invalid UTF-8
    /// refused, surrounding spaces trimmed (so "s0" and "s0 " are one name).
    @Test func everyReaderAppliesTheNameRule() throws {
        let control = try #require(throws: InputError.self) { try CountTable.read(hostileFixture("control-id.biom")) }
        #expect(control.problem == "the sample ID 2 (sample/ids) '�[31mred' holds a control character (U+001B)")
        let utf8 = try #require(throws: InputError.self) { try CountTable.read(hostileFixture("invalid-utf8-id.biom")) }
        #expect(utf8.problem == "the sample ID 2 (sample/ids) is not valid UTF-8 text (byte 0xFF at position 2 of the name)")
        let padded = try #require(throws: InputError.self) { try CountTable.read(hostileFixture("padded-duplicate.biom")) }
        #expect(padded.problem.hasPrefix("duplicate sample ID 's0'"))

        let json = #"{"shape":[1,2],"matrix_type":"dense","rows":[{"id":"o\u0007"}],"columns":[{"id":"a"},{"id":"b"}],"data":[[1,2]]}"#
        let bell = try #require(throws: InputError.self) { try CountTable.read(temporaryFile("bell.json", json)) }
        #expect(bell.problem == "the row 1's ID 'o�' holds a control character (U+0007)")
        let numbers = #"{"shape":[1,2],"matrix_type":"dense","rows":[{"id":"o"}],"columns":[{"id":1},{"id":1.0}],"data":[[1,2]]}"#
        let same = try #require(throws: InputError.self) { try CountTable.read(temporaryFile("ids.json", numbers)) }
        #expect(same.problem.hasPrefix("duplicate sample ID '1'"))

        let shared = "label\tGroup\tnumOtus\tOtu1\n0.03\tA\u{1B}\t1\t4\n"
        let mothur = try #require(throws: InputError.self) { try CountTable.read(temporaryFile("t.shared", shared)) }
        #expect(mothur.line == 2 && mothur.column == 2 && mothur.problem == "the sample (Group) 'A�' holds a control character (U+001B)")

        let tree = try #require(throws: InputError.self) { try PhylogeneticTree.parseNewick(Array("(a:1,'b\u{1B}':2);".utf8), source: "t.nwk") }
        #expect(tree.problem == "the label 'b�' holds a control character (U+001B)")

        let taxonomy = try #require(throws: InputError.self) {
            try TaxonomyTable.read(temporaryFile("taxonomy.tsv", "Feature ID\tTaxon\nf1\u{7F}\tk__Bacteria\n"))
        }
        #expect(taxonomy.problem == "the feature ID 'f1�' holds a control character (U+007F)")
    }

    /// Counts above 2⁵³ are refused in every reader, as the CSV reader does.
    @Test func countsAboveTwoToTheFiftyThreeAreRefused() throws {
        let json = #"{"shape":[1,2],"matrix_type":"sparse","rows":[{"id":"o"}],"columns":[{"id":"a"},{"id":"b"}],"data":[[0,0,1e20]]}"#
        let big = try #require(throws: InputError.self) { try CountTable.read(temporaryFile("big.json", json)) }
        #expect(big.problem.hasPrefix("BIOM 1.0: abundance 1e+20 at row 0, column 0 is above 2^53"))
        let shared = "label\tGroup\tnumOtus\tOtu1\n0.03\tA\t1\t90071992547409930\n"
        let mothur = try #require(throws: InputError.self) { try CountTable.read(temporaryFile("big.shared", shared)) }
        #expect(mothur.column == 4 && mothur.problem.hasPrefix("'90071992547409930' is above 2^53"))
        let truth = #"{"shape":[1,1],"matrix_type":"sparse","rows":[{"id":"o"}],"columns":[{"id":"a"}],"data":[[0,0,true]]}"#
        #expect(throws: InputError.self) { try CountTable.read(temporaryFile("true.json", truth)) }
    }

    /// mothur: numOtus near Int.max is an error, not an overflow trap; a
    /// file with 150,000 labels is read in linear time.
    @Test func mothurSizesAndLabels() throws {
        let overflow = "label\tGroup\tnumOtus\tOtu1\n0.03\tA\t9223372036854775807\t1\n"
        let error = try #require(throws: InputError.self) { try CountTable.read(temporaryFile("o.shared", overflow)) }
        #expect(error.column == 3 && error.problem == "numOtus '9223372036854775807' is not a count of the header's OTU columns")
        var lines = ["label\tGroup\tnumOtus\tOtu1"]
        for i in 0..<150_000 { lines.append("L\(i)\tA\(i)\t1\t1") }
        let path = temporaryFile("labels.shared", lines.joined(separator: "\n") + "\n")
        let clock = ContinuousClock()
        let elapsed = try clock.measure {
            let table = try CountTable.read(path, options: CountTableReadOptions(label: "L149999"))
            #expect(table.sampleIDs == ["A149999"])
        }
        #expect(elapsed < .seconds(10), "150,000 labels took \(elapsed)")
    }

    /// Newick: nothing after the tree's ';', and lengths whose sum is finite.
    @Test func newickEndsAtItsSemicolonAndSumsFinitely() throws {
        let second = try #require(throws: InputError.self) { try PhylogeneticTree.parseNewick(Array("(a:1,b:2);(c:1,d:1);".utf8), source: "t.nwk") }
        #expect(second.line == 1 && second.column == 11 && second.problem == "more after the tree's closing ';' (a second tree, or text that is not Newick)")
        let infinite = try #require(throws: InputError.self) { try PhylogeneticTree.parseNewick(Array("(a:1e308,b:1e308);".utf8), source: "t.nwk") }
        #expect(infinite.problem == "the branch lengths add up to more than a 64-bit double holds (about 1.8e308)")
        #expect(try PhylogeneticTree.parseNewick(Array("(a:1,b:2); [a comment]\n".utf8), source: "t.nwk").names.compactMap { $0 } == ["a", "b"])
    }

    /// Distance matrices: a header the file cannot back is refused before
    /// n² doubles are allocated; a large finite distance is a distance.
    @Test func distanceMatrixSizesAndLargeDistances() throws {
        let ids = (0..<25_000).map { "s\($0)" }
        let rows = ids.map { $0 + "\t" }.joined(separator: "\n")
        let header = try #require(throws: InputError.self) {
            try DistanceMatrix.read(temporaryFile("dm.tsv", "\t" + ids.joined(separator: "\t") + "\n" + rows + "\n"))
        }
        #expect(header.problem.hasPrefix("the header names 25000 samples, but the file's "))
        let big = try DistanceMatrix.read(temporaryFile("big.tsv", "\ta\tb\na\t0\t1e20\nb\t1e20\t0\n"))
        #expect(big.values[0, 1] == 1e20)
    }

    /// Devices are refused; an endless stream would be refused at half the
    /// machine's memory instead of exhausting it.
    @Test func devicesAreNotTables() throws {
        let error = try #require(throws: InputError.self) { try CountTable.read("/dev/zero", options: CountTableReadOptions(format: .delimited)) }
        #expect(error.problem == "is a device, not a file (a device such as /dev/zero never ends)")
    }

    /// A CSV whose first sample is called clade_name_1 is a CSV.
    @Test func aSampleNamedLikeAMetaPhlAnHeaderIsNotOne() throws {
        let path = temporaryFile("clade.csv", "sample_id,t1,t2\nclade_name_1,1,2\ns2,3,4\n")
        #expect(try CountTableFormat.detect(path: path) == .delimited)
        #expect(try CountTable.read(path).sampleIDs == ["clade_name_1", "s2"])
    }

    /// Permutation tests and dispersion refuse designs they cannot test.
    @Test func designsWithNothingToPermuteOrCompare() throws {
        let dir = temporaryDirectory()
        let counts = dir + "/t.csv", matrix = dir + "/d.tsv", meta = dir + "/m.csv"
        try "sample_id,a,b,c\ns0,1,2,3\ns1,4,0,1\ns2,2,2,9\ns3,0,5,1\ns4,7,1,1\ns5,3,3,0\n".write(toFile: counts, atomically: true, encoding: .utf8)
        try "sample_id,g,block,x\ns0,a,b0,1\ns1,b,b1,2\ns2,c,b2,3\ns3,d,b3,4\ns4,e,b4,5\ns5,f,b5,6\n".write(toFile: meta, atomically: true, encoding: .utf8)
        var beta = BetaRun(tablePath: counts)
        beta.outputPath = matrix
        _ = try beta.run { _ in }
        // Two matrices compared within blocks of one sample: nothing moves.
        var mantel = MantelRun(matrixPath: matrix)
        mantel.metadataPath = meta
        mantel.secondMatrixPath = matrix
        mantel.permutation.seed = 1
        mantel.permutation.strata = "block"
        #expect { _ = try mantel.run { _ in } } throws: {
            message($0) == "every block of --strata block holds a single sample, so no permutation can move a sample and the permutation p-value would be meaningless. Give strata with two or more samples each, or leave --strata out"
        }
        // A variable of one-sample participants: whole participants move, i.e. samples freely.
        var permanova = PermanovaRun(input: DistanceMetadataInput(matrixPath: matrix, metadataPath: meta), formula: "~ x")
        permanova.permutation.seed = 1
        permanova.permutation.strata = "block"
        let free = try permanova.compute { _ in }
        if case .wholePlots = free.plan(for: "x").restriction {} else { Issue.record("x not permuted by whole blocks") }
        var dispersion = DispersionRun(input: DistanceMetadataInput(matrixPath: matrix, metadataPath: meta), group: "g")
        dispersion.permutation.seed = 1
        #expect { _ = try dispersion.run { _ in } } throws: {
            message($0) == "column 'g' puts the 6 samples in 6 groups of one sample each, so no group has a spread to compare. Give a grouping with at least two samples in some group"
        }
        var filter = FilterRun(inputPath: counts, outputPath: dir + "/none.csv")
        filter.minimumDepth = 1000
        let none = try #require(throws: InputError.self) { try filter.run { _ in } }
        #expect(none.problem == "the filter removes every sample: all 6 have fewer than 1000 reads (the deepest has 13)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/none.csv"))
    }

    /// Names in Markdown render as text, never as links or images; long
    /// names make short, distinct file names.
    @Test func namesStayTextInMarkdownAndFitInFileNames() {
        #expect(Escape.markdown("[x](javascript:alert(1))") == "\\[x\\](javascript:alert(1))")
        #expect(Escape.markdown("![](https://t.example/p.png)") == "!\\[\\](https://t.example/p.png)")
        #expect(Escape.markdown("<javascript:alert(1)> *a* `b` ~c~") == "&lt;javascript:alert(1)> \\*a\\* \\`b\\` \\~c\\~")
        let long = String(repeating: "k__Bacteria;p__Firmicutes;", count: 12)
        let a = fileNameComponent(long + "A"), b = fileNameComponent(long + "B")
        #expect(a.count == 97 && b.count == 97 && a != b)
        #expect(fileNameComponent("short name") == "short_name")
    }

    /// A mixed model with more variance parameters than the optimiser is
    /// given is refused before fitting, not left to run without bound.
    @Test func tooManyVarianceParametersAreRefused() throws {
        var lines = ["id,g,y," + (1...25).map { "x\($0)" }.joined(separator: ",")]
        var rng = SystemRandomNumberGenerator()
        for i in 0..<200 { lines.append("r\(i),g\(i % 10),\(Double.random(in: 0...1, using: &rng))," + (1...25).map { _ in String(Double.random(in: 0...1, using: &rng)) }.joined(separator: ",")) }
        let data = try DataTable.read(temporaryFile("slopes.csv", lines.joined(separator: "\n") + "\n"))
        let slopes = (1...25).map { "(0 + x\($0) | g)" }.joined(separator: " + ")
        #expect { _ = try FittedModel.fit(formula: Formula("y ~ x1 + (1 | g) + " + slopes), data: data) } throws: {
            message($0).contains("the random effects have 26 variance and correlation parameters, more than the 21 Moodbiome estimates")
        }
    }
}
