import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeNumerics
@testable import MoodbiomeReport
@testable import MoodbiomeStudy

/// A tiny study whose IDs and levels are hostile HTML.
func hostileStudy() -> (counts: String, metadata: String) {
    let dir = temporaryDirectory()
    let ids = ["<script>alert(1)</script>", "S&2", "S3", "S4", "S5", "S6", "S7", "S8"]
    var counts = "sample_id,Bacteroides,<i>Prevotella</i>,Roseburia\n"
    var metadata = "sample-id,score,group\n"
    let rows = [[50, 10, 0], [20, 20, 20], [5, 40, 1], [30, 0, 12], [12, 12, 30], [60, 1, 0], [9, 25, 9], [15, 15, 2]]
    for (k, id) in ids.enumerated() {
        counts += "\"\(id)\"," + rows[k].map(String.init).joined(separator: ",") + "\n"
        // The script-named sample is in the count table only, so the report lists it.
        if k > 0 { metadata += "\"\(id)\",\(3 + k % 4 + k / 3),\(k % 2 == 0 ? "<b>bold</b>" : "plain")\n" }
    }
    metadata += "\"<img src=x onerror=alert(2)>\",5,plain\n"
    try! counts.write(toFile: dir + "/counts.csv", atomically: false, encoding: .utf8)
    try! metadata.write(toFile: dir + "/metadata.csv", atomically: false, encoding: .utf8)
    return (dir + "/counts.csv", dir + "/metadata.csv")
}

/// Debian's Chromium, when installed.
let chromiumPath = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

/// Whether `text` parses as XML.
func isWellFormedXML(_ text: String) -> Bool {
    XMLParser(data: Data(text.utf8)).parse()
}

@Suite struct ReportTests {
    /// The report shows each model whole (every covariate's row, not only
    /// the metric's), and each figure with its legend as text beside it, the
    /// legends also in captions.md.
    @Test func reportShowsEveryTermAndLegendsAsText() throws {
        let out = temporaryDirectory() + "/out"
        var job = StudyAnalysis(countsPath: datasetPath("simulated-gut-mood/counts.csv"),
                                metadataPath: datasetPath("simulated-gut-mood/metadata.csv"), outcome: "phq9_total", outputDirectory: out)
        job.association.covariates = ["age", "C(sex)"]
        job.diversity.metrics = "shannon"
        let result = try job.run { _ in }
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        let terms = try #require(html.range(of: "<h3>Every term of each model</h3>"))
        let table = html[terms.upperBound...].prefix { _ in true }.split(separator: "</table>")[0]
        let model = result.metrics[0].model
        #expect(model.coefficients.count == 4)
        for c in model.coefficients {
            #expect(table.contains("<td>shannon</td><td>\(Escape.html(c.name))</td><td class=\"num\">\(NumberPolicy.value(c.estimate!)) ("), "\(c.name)")
        }
        #expect(html.contains("<figcaption><b>PHQ-9 total against Shannon diversity.</b> n = "))
        let legends = try String(contentsOfFile: out + "/captions.md", encoding: .utf8)
        #expect(legends.contains("## figures/phq9_total-vs-shannon.svg\n\n**PHQ-9 total against Shannon diversity.** n = "))
        let svg = try String(contentsOfFile: out + "/figures/phq9_total-vs-shannon.svg", encoding: .utf8)
        // In the SVG the legend is only the <desc>, never drawn text.
        #expect(svg.contains("<desc>n = ") && svg.components(separatedBy: "n = ").count == 2)
    }

    @Test func everyUserStringIsEscaped() throws {
        let (counts, metadata) = hostileStudy()
        let out = temporaryDirectory() + "/out"
        var job = StudyAnalysis(countsPath: counts, metadataPath: metadata, outcome: "score", outputDirectory: out)
        job.association.groupBy = "group"
        job.diversity.metrics = "shannon,observed_features"
        let result = try job.run { _ in }
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(!html.lowercased().contains("<script"))
        #expect(result.onlyInCounts == ["<script>alert(1)</script>"])
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("&lt;img src=x onerror=alert(2)&gt;") && !html.contains("<img"))
        #expect(!html.contains("<b>bold</b>") && html.contains("&lt;b&gt;bold&lt;/b&gt;"))
        // No network resources: the only URL is the SVG namespace, which is a name, never fetched.
        let withoutNamespace = html.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
        #expect(!withoutNamespace.contains("http://") && !withoutNamespace.contains("https://"))
        for tag in ["<script", "<link", "<img", "<iframe", "<object", "<embed"] { #expect(!html.lowercased().contains(tag)) }
        for figure in result.files where figure.name.hasSuffix(".svg") {
            #expect(isWellFormedXML(figure.text), "\(figure.name) is not well-formed")
            #expect(!figure.text.contains("<b>"))
        }
    }

    /// The report opens in headless Chromium (Debian's package, installed by
    /// `scripts/setup.sh --test`) and renders: the DOM has the figures, the
    /// tables, and the hostile sample ID as text, with no script element.
    @Test(.enabled(if: chromiumPath != nil, "Chromium is not installed: `make test` installs it (scripts/setup.sh --test, Debian package chromium); without it this browser test is skipped"))
    func reportRendersInHeadlessChromium() throws {
        let path = try #require(chromiumPath)
        let (counts, metadata) = hostileStudy()
        let out = temporaryDirectory() + "/out"
        var job = StudyAnalysis(countsPath: counts, metadataPath: metadata, outcome: "score", outputDirectory: out)
        job.association.groupBy = "group"
        try job.run { _ in }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", "file://" + out + "/report.html"]
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let dom = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let log = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "chromium failed: \(log.suffix(500))")
        #expect(dom.contains("<h1>Alpha diversity and score</h1>"))
        #expect(dom.components(separatedBy: "<svg").count - 1 >= 4)
        #expect(dom.contains("<table>"))
        #expect(!dom.lowercased().contains("<script"))
        #expect(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!dom.contains("<img"))
        #expect(!log.contains("Uncaught") && !log.contains("CONSOLE"))
    }

    /// The report at a phone's width (420 px) and a desktop's (1400 px):
    /// Chromium lays it out and paints it (a PNG each), and the markup puts
    /// the figures in the grid and keeps table cells unbroken.
    @Test(.enabled(if: chromiumPath != nil, "Chromium is not installed (scripts/setup.sh --test installs it)"))
    func reportLaysOutAtNarrowAndWideWidths() throws {
        let path = try #require(chromiumPath)
        let out = temporaryDirectory() + "/out"
        var job = StudyAnalysis(countsPath: datasetPath("simulated-gut-mood/counts.csv"),
                                metadataPath: datasetPath("simulated-gut-mood/metadata.csv"), outcome: "phq9_total", outputDirectory: out)
        job.association.covariates = ["age", "sex", "bmi"]
        job.diversity.metrics = "shannon,simpson,observed_features"
        try job.run { _ in }
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(html.contains("<div class=\"figures\">") && html.contains("main th, main td { white-space: nowrap; }"))
        for width in [420, 1400] {
            let shot = temporaryDirectory() + "/w\(width).png"
            let process = Process()
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=\(width),2400",
                                 "--screenshot=" + shot, "file://" + out + "/report.html"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            let png = try Data(contentsOf: URL(fileURLWithPath: shot))
            #expect(png.count > 10_000 && png.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "width \(width)")
        }
    }

    /// Box plots: points under a visible box, sizes and opacity by n, a
    /// shape per group past the palette's 8 colours, labels rotated (with
    /// room made) when they collide.
    @Test func boxPlotsStayReadable() {
        let many = (0..<9).map { (label: "Environment number \($0)", values: (0..<5).map { Double($0) }) }
        let svg = Figures.boxPlot(groups: many, xLabel: "type", yLabel: "shannon", title: "t", caption: ["c"]).svg
        #expect(svg.contains("rotate(-35"))
        #expect(!svg.contains("height=\"438.00\" viewBox"))
        #expect(svg.contains("<rect x=") && svg.contains("stroke=\"#333\" stroke-opacity="))
        #expect(isWellFormedXML(svg))
        // The box is drawn after the points, on a white ground.
        let firstPoint = svg.range(of: "<circle")!.lowerBound
        let firstBox = svg.range(of: "fill=\"#ffffff\" fill-opacity")!.lowerBound
        #expect(firstPoint < firstBox && svg.components(separatedBy: "fill=\"#ffffff\" fill-opacity").count == 10)
        let few = Figures.boxPlot(groups: [("a", [1, 2, 3]), ("b", [2, 3, 4])], xLabel: "g", yLabel: "y", title: "t", caption: []).svg
        #expect(!few.contains("rotate(-35") && few.contains("height=\"438.00\" viewBox"))
    }

    /// Coordinates are written digit by digit into the figure's buffer: the
    /// same text as C's `%.2f` wherever the value is not a tie at the third
    /// decimal (there the canvas rounds half away from zero), for values
    /// of every sign and size up to the `%.2f` fallback at 10¹².
    @Test func coordinatesPrintWithTwoDecimals() {
        var state: UInt64 = 7
        for k in 0..<20_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let unit = Double(state >> 11) / Double(1 << 53)
            let scale = [1e-3, 1, 10, 555, 1e5, 1e9, 9.9e11, 2e12][k % 8]
            let x = (unit - 0.4) * scale
            let scaled = x * 100
            guard abs(scaled - scaled.rounded(.down) - 0.5) > 1e-6 else { continue }
            #expect(SVGCanvas.f(x) == String(cFormat: "%.2f", x).replacing("-0.00", with: "0.00"), "\(x)")
        }
        #expect([0, -0.004, -0.005, 0.005, 1.995, -12.345, 1e12, .infinity].map(SVGCanvas.f)
                == ["0.00", "0.00", "-0.01", "0.01", "2.00", "-12.35", "1000000000000.00", "inf"])
    }

    /// Many rarefaction curves: faint lines under a mean with a band, the
    /// extremes labelled; few: one coloured line each.
    @Test func manyCurvesGetAMeanAndBand() {
        let lines = (0..<40).map { k in
            (label: "S\(k)", points: [1000.0, 2000, 4000, 8000].prefix(k % 4 + 1).map { ($0, log($0) * Double(k + 10)) })
        }
        let figure = Figures.curves(lines, xLabel: "depth", yLabel: "observed", title: "t", caption: ["c"], marker: 20_000)
        let svg = figure.svg
        #expect(figure.caption == "c Grey: each sample; line: mean where ≥ 10 samples reach the depth; band: 10th–90th pct.")
        // The caption is text beside the figure: in the SVG's <desc>, never drawn.
        #expect(svg.contains("<desc>\(figure.caption)</desc>") && !svg.contains(">Grey: each sample"))
        #expect(svg.contains(">S0<") && svg.contains(">S39<") || svg.contains(">S36<"))
        #expect(svg.contains("chosen depth 20,000"))
        // One grey line per sample with two points or more (30 of the 40).
        #expect(svg.components(separatedBy: "stroke=\"#8c8c8c\"").count == 31)
        #expect(isWellFormedXML(svg))
        let few = Figures.curves(Array(lines.prefix(3)), xLabel: "depth", yLabel: "observed", title: "t", caption: [])
        #expect(!few.svg.contains("#8c8c8c") && !few.caption.contains("Grey:"))
    }

    @Test func displayNamesFollowInstrumentsAndOptions() {
        var names = DisplayNames()
        #expect(names.column("phq9_total") == "PHQ-9 total" && names.column("phq9_band") == "PHQ-9 severity band")
        #expect(names.column("hads_d_total") == "HADS-D total")
        // Metrics by their proper names; other columns as they are.
        #expect(names.column("shannon") == "Shannon diversity" && names.column("hill_1") == "Hill number of order 1")
        #expect(names.column("faith_pd") == "Faith's phylogenetic diversity" && names.column("age") == "age")
        #expect(BetaMetricDefinition.registry.allSatisfy { !$0.title.isEmpty } && AlphaMetricDefinition.registry.allSatisfy { !$0.title.isEmpty })
        #expect(BetaMetricDefinition.named("braycurtis")?.title == "Bray–Curtis")
        let labelled = names.addLabel("phq9_total=Depression (PHQ-9)")
        #expect(labelled && names.column("phq9_total") == "Depression (PHQ-9)")
        let levelled = names.addLevels("obese=1:obese,0:lean")
        #expect(levelled)
        let ordered = names.ordered([(label: "0", values: [1.0]), (label: "1", values: [2.0]), (label: "NA", values: [3.0])], of: "obese")
        #expect(ordered.map(\.label) == ["obese", "lean", "NA"])
        let bad = [names.addLevels("nolevels"), names.addLevels("x=a,,b"), names.addLabel("x=")]
        #expect(bad == [false, false, false])
    }

    /// Captions never break between a name and its value: `p = 0.0069` stays on one line.
    @Test func captionsKeepRelationsWhole() {
        for limit in [8, 12, 20, 30] {
            let lines = Figures.wrap("n = 296. Adjusted for age: β = -0.976 (95% CI -1.62 to -0.332), p = 0.0031, q < 0.001.", limit: limit)
            #expect(!lines.contains { $0.hasSuffix(" p") || $0.hasSuffix(" q") || $0.hasPrefix("=") || $0.hasPrefix("<") }, "\(limit): \(lines)")
            #expect(lines.contains { $0.contains("p = 0.0031,") } && lines.contains { $0.contains("q < 0.001.") })
        }
    }

    @Test func figureFileNamesAreSafe() {
        #expect(fileNameComponent("BMI (kg/m2)-vs-shannon") == "BMI__kg_m2_-vs-shannon")
        #expect(fileNameComponent("../x") == ".._x")
    }

    /// A PCoA is drawn with one unit the same length on both axes, every
    /// point still inside, ticks inside the widened axis.
    @Test func ordinationAxesShareOneScale() {
        for (xs, ys) in [((-0.62, 0.91), (-0.08, 0.11)), ((-0.01, 0.02), (-3.0, 2.5)), ((0.0, 1.0), (0.0, 1.0))] {
            let frame = Figures.Frame(x: AxisScale(xs.0, xs.1), y: AxisScale(ys.0, ys.1)).equalScale()
            let ux = (frame.x.hi - frame.x.lo) / frame.plotWidth, uy = (frame.y.hi - frame.y.lo) / frame.plotHeight
            #expect(abs(ux - uy) <= 1e-12 * max(ux, uy), "\(xs) \(ys)")
            #expect(frame.x.lo <= xs.0 && frame.x.hi >= xs.1 && frame.y.lo <= ys.0 && frame.y.hi >= ys.1)
            #expect(frame.x.ticks.allSatisfy { $0 >= frame.x.lo - 1e-12 && $0 <= frame.x.hi + 1e-12 } && frame.y.ticks.count >= 2)
        }
    }

    @Test func axisTicksAreNice() {
        let a = AxisScale(0.19, 4.07)
        #expect(a.ticks == [0, 1, 2, 3, 4, 5])
        let b = AxisScale(-0.0273, 0.00343)
        #expect(b.ticks.count >= 4 && b.ticks.count <= 8)
        #expect(b.lo <= -0.0273 && b.hi >= 0.00343)
        #expect(AxisScale(0, 40000).label(20000) == "20,000")
        #expect(AxisScale(0, 2e6).label(1e6) == "1,000,000" && AxisScale(0, 40).label(5000) == "5000")
    }

    @Test func sha256KnownVectors() throws {
        #expect(try SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(try SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(try SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(try SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        // A file is hashed 32 MiB at a time: one piece, and three.
        let small = temporaryDirectory() + "/a.txt", large = temporaryDirectory() + "/large.bin"
        try Data(repeating: 0x61, count: 1_000_000).write(to: URL(fileURLWithPath: small))
        #expect(try SHA256.hex(ofFile: small) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        let block = (0..<(1 << 20) + 7).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        var bytes = [UInt8]()
        for _ in 0..<70 { bytes += block }
        try Data(bytes).write(to: URL(fileURLWithPath: large))
        #expect(try SHA256.hex(ofFile: large) == SHA256.hex(bytes))
    }

    @Test func provenanceRecordsInputsAndSeed() throws {
        let out = temporaryDirectory() + "/out"
        var job = StudyAnalysis(countsPath: datasetPath("simulated-gut-mood/counts.csv"), metadataPath: datasetPath("simulated-gut-mood/metadata.csv"),
                                outcome: "phq9_total", outputDirectory: out)
        job.diversity.metrics = "shannon"
        job.diversity.rarefactionDepth = 5000
        job.diversity.seed = 99
        try job.run { _ in }
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/provenance.json"))) as! [String: Any]
        #expect(object["moodbiome_version"] as? String == moodbiomeVersion)
        #expect(object["seed"] as? Int == 99)
        #expect((object["blas"] as? String)?.isEmpty == false)
        let inputs = object["inputs"] as! [[String: Any]]
        let countsHash = try SHA256.hex([UInt8](FileManager.default.contents(atPath: datasetPath("simulated-gut-mood/counts.csv"))!))
        #expect(inputs.first?["sha256"] as? String == countsHash)
        let countsSize = FileManager.default.contents(atPath: datasetPath("simulated-gut-mood/counts.csv"))!.count
        #expect(inputs.first?["bytes"] as? Int == countsSize && fileSize(datasetPath("simulated-gut-mood/counts.csv")) == countsSize)
        let outputs = object["outputs"] as! [[String: Any]]
        let models = try String(contentsOfFile: out + "/models.csv", encoding: .utf8)
        let modelsHash = try SHA256.hex(Array(models.utf8))
        #expect(outputs.contains { $0["file"] as? String == "models.csv" && $0["sha256"] as? String == modelsHash })
        let parameters = object["parameters"] as! [String: Any]
        #expect(parameters["rarefy"] as? Int == 5000 && parameters["metrics"] as? [String] == ["shannon"])
    }
}

