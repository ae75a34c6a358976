import FoundationEssentials
import MoodbiomeIO
import MoodbiomeNumerics

/// A figure file format. Every figure is drawn as SVG (the report embeds
/// it); PDF and PNG are exports of that SVG, as journals ask for them.
public enum FigureFormat: String, CaseIterable, Sendable, Comparable {
    case svg, pdf, png

    public static func < (a: Self, b: Self) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
}

/// Which figure files a run writes besides the SVGs: the formats, and the
/// resolution of PNGs.
public struct FigureExportSettings: Sendable, Equatable {
    /// The formats written, SVG always among them, in the order svg, pdf, png.
    public private(set) var formats: [FigureFormat]
    /// PNG resolution in dots per inch (a figure's SVG pixel is 1/96 inch,
    /// CSS's convention, so 300 dpi draws 3.125 image pixels per SVG pixel).
    public var dpi: Int

    /// The accepted resolutions: from screen resolution to the 1200 dpi
    /// print journals ask of line art.
    public static let dpiRange = 72...1200

    public init(formats: [FigureFormat] = [.svg], dpi: Int = 300) {
        self.formats = Array(Set(formats + [.svg])).sorted()
        self.dpi = dpi
    }

    /// Only SVG.
    public var svgOnly: Bool { formats == [.svg] }

    /// Whether the settings can be honoured, before any work: the
    /// resolution within ``dpiRange`` and, for PDF or PNG, the font
    /// installed. `path` is the output the error names.
    public func check(for path: String) throws {
        try checkResolution()
        if !svgOnly { try FigureExport.checkFont(for: path) }
    }

    /// The resolution within ``dpiRange``.
    public func checkResolution() throws {
        if !Self.dpiRange.contains(dpi) {
            throw ParameterError(.dpi, .outOfRange(value: String(dpi), allowed: .between(String(Self.dpiRange.lowerBound), String(Self.dpiRange.upperBound))))
        }
    }

    /// The settings as provenance records them.
    public var provenance: [(name: String, json: String)] {
        [("figure_formats", jsonValue(names)), ("dpi", formats.contains(.png) ? jsonValue(dpi) : "null")]
    }

    /// The formats as the manifest and provenance spell them.
    public var names: [String] { formats.map(\.rawValue) }

    /// The output file names of an SVG figure: itself, then its exports.
    public func files(for svgName: String) -> [String] {
        guard svgName.hasSuffix(".svg") else { return [svgName] }
        let stem = svgName.dropLast(4)
        return formats.map { stem + "." + $0.rawValue }
    }
}

extension Parameter {
    /// The figure formats written besides SVG.
    public static let figureFormats = Parameter("figureFormats")
    /// The resolution of PNG figures.
    public static let dpi = Parameter("dpi")
}

/// PDF and PNG from Moodbiome's SVG figures, rendered by librsvg on cairo
/// (``SVGRenderer``, in the IO layer).
///
/// - Fonts: the exports are set in Liberation Sans (SIL Open Font License;
///   metric-compatible with Arial and Helvetica, which the SVGs name), so a
///   figure looks the same on every machine instead of taking whatever
///   sans-serif fontconfig finds; ``checkFont(for:)`` refuses to export when it
///   is not installed. PDFs embed the subset of it they use.
/// - Reproducibility: a PDF carries no creation date (the run time lives in
///   `provenance.json` only) and PNGs no time chunk, so the same figure
///   gives the same bytes — for the same librsvg, cairo and font versions,
///   which ``renderer`` names and provenance records.
/// - PDF: one page, sized in points from the SVG's pixels, titled by the
///   figure's `<title>`; PNG: on white, with its resolution recorded in a
///   `pHYs` chunk (details in ``SVGRenderer``).
public enum FigureExport {
    /// The family every exported figure is set in.
    public static let fontFamily = "Liberation Sans"

    /// Whether ``fontFamily`` is installed: fontconfig's best match for it
    /// must be that family; otherwise an error naming the package.
    public static func checkFont(for path: String) throws { try checkFont(installedFont(), family: fontFamily, for: path) }

    static func checkFont(_ font: (file: String, version: String)?, family: String, for path: String) throws {
        guard font != nil else {
            throw OutputError(path: path, problem: "PDF and PNG figures are set in \(family), which is not installed",
                              fix: "Install it (Debian and Ubuntu: apt install fonts-liberation2), or write SVG figures only")
        }
    }

    /// The installed file and revision of ``fontFamily``, if any (asked
    /// of fontconfig once, when the first figure is exported).
    static func installedFont() throws -> (file: String, version: String)? { try font.get() }
    private static let font = Result { try SVGRenderer.font(named: fontFamily) }

    /// The renderer and font, as provenance records them:
    /// `librsvg 2.54.7, cairo 1.16.0, Liberation Sans 2.100`.
    public static func renderer() throws -> String {
        try SVGRenderer.version() + ", " + (installedFont().map { "\(fontFamily) \($0.version)" } ?? "\(fontFamily) (not installed)")
    }

    /// The SVG as the exports draw it: every text in ``fontFamily``.
    static func pinnedFont(_ svg: String) -> String {
        svg.replacing(SVGCanvas.font, with: "font-family=\"\(fontFamily)\"")
    }

    /// The figure's `<title>`, unescaped.
    static func title(of svg: String) -> String? {
        guard let start = svg.firstRange(of: "<title>"), let end = svg[start.upperBound...].firstRange(of: "</title>") else { return nil }
        return Escape.unescapedXML(String(svg[start.upperBound..<end.lowerBound]))
    }

    /// The figure as a one-page PDF titled by its `<title>`; `name` names it in errors.
    public static func pdf(svg: String, name: String) throws -> [UInt8] {
        try SVGRenderer.pdf(svg: pinnedFont(svg), title: title(of: svg), name: name)
    }

    /// The figure as a PNG at `dpi` dots per inch, on white.
    public static func png(svg: String, dpi: Int, name: String) throws -> [UInt8] {
        try SVGRenderer.png(svg: pinnedFont(svg), dpi: dpi, name: name)
    }

    /// The exports of every SVG among `files` (by name), in `settings`'
    /// formats besides SVG, each after its SVG. Rendered on both cores;
    /// the output does not depend on the thread count.
    public static func files(_ files: [OutputFile], settings: FigureExportSettings) throws -> [OutputFile] {
        if settings.svgOnly { return files }
        let figures = files.indices.filter { files[$0].name.hasSuffix(".svg") }
        let exports = settings.formats.filter { $0 != .svg }
        let jobs = figures.flatMap { i in exports.map { (i, $0) } }
        let rendered: [[OutputFile]] = try parallelChunkMap(count: jobs.count) { (range: Range<Int>) throws -> [OutputFile] in
            try range.map { k in
                let (i, format) = jobs[k]
                let name = String(files[i].name.dropLast(4)) + "." + format.rawValue
                let svg = String(decoding: files[i].bytes, as: UTF8.self)
                switch format {
                case .pdf: return OutputFile(name, bytes: try pdf(svg: svg, name: name))
                case .png: return OutputFile(name, bytes: try png(svg: svg, dpi: settings.dpi, name: name))
                case .svg: return files[i]
                }
            }
        }
        var byFigure = [Int: [OutputFile]]()
        for (k, file) in rendered.joined().enumerated() { byFigure[jobs[k].0, default: []].append(file) }
        return files.indices.flatMap { [files[$0]] + (byFigure[$0] ?? []) }
    }
}
