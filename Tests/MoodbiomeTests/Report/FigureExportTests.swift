import CRsvg
import Foundation
import Testing
@testable import MoodbiomeIO
@testable import MoodbiomeReport

/// PDF and PNG exports of SVG figures: read back with cairo's own PNG
/// reader and checked pixel by pixel, chunk by chunk and object by object.
@Suite struct FigureExportTests {
    /// 100 × 50 px, no background of its own: a red square at (10, 10)–(30, 30),
    /// a blue one at (70, 10)–(90, 30), and a word.
    static let svg = """
    <svg xmlns="http://www.w3.org/2000/svg" width="100.00" height="50.00" viewBox="0 0 100.00 50.00" role="img">
    <title>Shannon &amp; PHQ-9 &lt;test&gt;</title>
    <rect x="10" y="10" width="20" height="20" fill="#ff0000"/>
    <rect x="70" y="10" width="20" height="20" fill="#0000ff"/>
    <text x="50" y="45" \(SVGCanvas.font) font-size="8" text-anchor="middle" fill="#222">shannon</text>
    </svg>

    """

    /// The chunks of a PNG: type, data, and whether the stored CRC-32 matches.
    static func chunks(_ png: [UInt8]) throws -> [(type: String, data: [UInt8], crcValid: Bool)] {
        let zlib = try SVGRenderer.library()
        var out = [(String, [UInt8], Bool)]()
        var i = 8
        func u32(_ k: Int) -> UInt32 { png[k..<k + 4].reduce(0) { $0 << 8 | UInt32($1) } }
        while i + 12 <= png.count {
            let n = Int(u32(i))
            let typeAndData = Array(png[(i + 4)..<(i + 8 + n)])
            let crc = typeAndData.withUnsafeBufferPointer { UInt32(zlib.crc32(0, $0.baseAddress, uInt($0.count))) }
            out.append((String(decoding: typeAndData.prefix(4), as: UTF8.self), Array(typeAndData.dropFirst(4)), crc == u32(i + 8 + n)))
            i += 12 + n
        }
        return out
    }

    /// Decodes a PNG with cairo's reader: width, height and a pixel getter (RGB).
    static func decode(_ png: [UInt8]) -> (width: Int, height: Int, pixel: (Int, Int) -> (Int, Int, Int))? {
        final class Source { var bytes: [UInt8]; var offset = 0; init(_ b: [UInt8]) { bytes = b } }
        let source = Source(png)
        let read: cairo_read_func_t = { closure, data, length in
            let s = Unmanaged<Source>.fromOpaque(closure!).takeUnretainedValue()
            guard s.offset + Int(length) <= s.bytes.count else { return CAIRO_STATUS_READ_ERROR }
            for k in 0..<Int(length) { data![k] = s.bytes[s.offset + k] }
            s.offset += Int(length)
            return CAIRO_STATUS_SUCCESS
        }
        let surface = cairo_image_surface_create_from_png_stream(read, Unmanaged.passUnretained(source).toOpaque())
        guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else { cairo_surface_destroy(surface); return nil }
        let w = Int(cairo_image_surface_get_width(surface)), h = Int(cairo_image_surface_get_height(surface))
        let stride = Int(cairo_image_surface_get_stride(surface))
        let data = cairo_image_surface_get_data(surface)!
        // ARGB32 in native (little-endian) order: B, G, R, A.
        var pixels = [(Int, Int, Int)]()
        for y in 0..<h { for x in 0..<w { let p = data + y * stride + 4 * x; pixels.append((Int(p[2]), Int(p[1]), Int(p[0]))) } }
        cairo_surface_destroy(surface)
        return (w, h, { x, y in pixels[y * w + x] })
    }

    @Test(arguments: [96, 192, 300])
    func pngIsTheFigureAtTheResolutionOnWhite(dpi: Int) throws {
        let png = try FigureExport.png(svg: Self.svg, dpi: dpi, name: "figure.png")
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let chunks = try Self.chunks(png)
        #expect(chunks.map(\.type).prefix(2) == ["IHDR", "pHYs"])
        #expect(chunks.last?.type == "IEND")
        #expect(chunks.allSatisfy { $0.crcValid })
        #expect(!chunks.contains { $0.type == "tIME" })
        // pHYs: pixels per metre in x and y, unit 1 (metre).
        let perMetre = UInt32((Double(dpi) / 0.0254).rounded())
        let be: (UInt32) -> [UInt8] = { [UInt8($0 >> 24), UInt8($0 >> 16 & 0xFF), UInt8($0 >> 8 & 0xFF), UInt8($0 & 0xFF)] }
        #expect(chunks[1].data == be(perMetre) + be(perMetre) + [1])
        let image = try #require(Self.decode(png))
        let scale = Double(dpi) / 96
        #expect(image.width == Int((100 * scale).rounded(.up)) && image.height == Int((50 * scale).rounded(.up)))
        func at(_ x: Double, _ y: Double) -> (Int, Int, Int) { image.pixel(Int(x * scale), Int(y * scale)) }
        #expect(at(2, 2) == (255, 255, 255))        // the white background
        #expect(at(20, 20) == (255, 0, 0))          // inside the red square
        #expect(at(80, 20) == (0, 0, 255))          // inside the blue one
        #expect(at(50, 20) == (255, 255, 255))      // between them
        // The word is drawn: dark pixels in its line, none above it.
        let line = (Int(38 * scale)..<Int(46 * scale)).flatMap { y in (Int(30 * scale)..<Int(70 * scale)).map { image.pixel($0, y) } }
        #expect(line.contains { $0.0 < 128 && $0.1 < 128 && $0.2 < 128 })
    }

    @Test func pdfIsOnePageInPointsWithTheTitleTheFontAndNoDate() throws {
        let pdf = try FigureExport.pdf(svg: Self.svg, name: "figure.pdf")
        let text = String(decoding: pdf, as: UTF8.self)
        #expect(text.hasPrefix("%PDF-1.5"))
        #expect(text.hasSuffix("%%EOF\n"))
        // 100 × 50 px at 96 per inch = 75 × 37.5 pt.
        #expect(text.contains("/MediaBox [ 0 0 75 37.5 ]"))
        #expect(text.components(separatedBy: "/Type /Page\n").count - 1 == 1 || text.components(separatedBy: "/Type /Page ").count - 1 == 1)
        #expect(text.contains("/Title (Shannon & PHQ-9 <test>)"))
        #expect(text.contains("/Creator (Moodbiome)"))
        #expect(!text.contains("CreationDate") && !text.contains("ModDate"))
        // The word is set in the embedded subset of Liberation Sans, whatever the SVG asks for.
        #expect(text.range(of: #"/FontName /[A-Z]{6}\+LiberationSans"#, options: .regularExpression) != nil)
        #expect(text.contains("/FontFile2"))
        #expect(!text.contains("Nimbus") && !text.contains("DejaVu"))
        // Reproducible: the same figure gives the same bytes.
        #expect(try FigureExport.pdf(svg: Self.svg, name: "figure.pdf") == pdf)
        #expect(try FigureExport.png(svg: Self.svg, dpi: 300, name: "f.png") == FigureExport.png(svg: Self.svg, dpi: 300, name: "f.png"))
    }

    @Test func exportsFollowTheirSVGAndLeaveOtherFilesAlone() throws {
        let files = [OutputFile("models.csv", text: "a,b\n"), OutputFile("figures/a.svg", text: Self.svg),
                     OutputFile("summary.md", text: "# x\n"), OutputFile("figures/b.svg", text: Self.svg)]
        #expect(try FigureExport.files(files, settings: FigureExportSettings()) == files)
        let exported = try FigureExport.files(files, settings: FigureExportSettings(formats: [.png, .pdf], dpi: 150))
        #expect(exported.map(\.name) == ["models.csv", "figures/a.svg", "figures/a.pdf", "figures/a.png", "summary.md",
                                         "figures/b.svg", "figures/b.pdf", "figures/b.png"])
        #expect(exported[2].bytes == (try FigureExport.pdf(svg: Self.svg, name: "x")))
        #expect(exported[3].bytes == (try FigureExport.png(svg: Self.svg, dpi: 150, name: "x")))
        let settings = FigureExportSettings(formats: [.png, .svg, .png], dpi: 600)
        #expect(settings.formats == [.svg, .png])
        #expect(settings.files(for: "rarefaction-shannon.svg") == ["rarefaction-shannon.svg", "rarefaction-shannon.png"])
        #expect(settings.provenance.map { "\($0.name)=\($0.json)" } == ["figure_formats=[\"svg\", \"png\"]", "dpi=600"])
        #expect(FigureExportSettings(formats: [.pdf]).provenance.map(\.json) == ["[\"svg\", \"pdf\"]", "null"])
    }

    @Test func errorsNameTheProblemAndTheFix() throws {
        #expect { try FigureExportSettings(formats: [.png], dpi: 50).check(for: "out") } throws: {
            message($0) == "--dpi: must be between 72 and 1200 (got 50)"
        }
        #expect { try FigureExport.checkFont(try SVGRenderer.font(named: "No Such Family Moodbiome"), family: "No Such Family Moodbiome", for: "out") } throws: {
            message($0) == "out: PDF and PNG figures are set in No Such Family Moodbiome, which is not installed. Install it (Debian and Ubuntu: apt install fonts-liberation2), or write SVG figures only"
        }
        #expect(try SVGRenderer.font(named: FigureExport.fontFamily)?.file.hasSuffix("LiberationSans-Regular.ttf") == true)
        let renderer = try FigureExport.renderer()
        #expect(renderer.hasPrefix("librsvg 2."))
        #expect(renderer.contains(", cairo 1.") && renderer.contains(", Liberation Sans "))
        #expect { try FigureExport.png(svg: "<svg", dpi: 96, name: "figures/x.png") } throws: {
            message($0).hasPrefix("figures/x.png: the figure could not be rendered: ")
        }
        // A 4000 px wide figure at 1200 dpi would be 50,000 px wide.
        let wide = Self.svg.replacingOccurrences(of: "width=\"100.00\"", with: "width=\"4000.00\"")
        #expect { try FigureExport.png(svg: wide, dpi: 1200, name: "figures/w.png") } throws: {
            message($0) == "figures/w.png: at 1200 dpi the image would be 50000 × 625 pixels, above the limit of 32767 pixels a side and 300 million in all. Choose a lower resolution, or PDF, which is vector and sharp at any size"
        }
        #expect { try FigureExport.pdf(svg: "<svg xmlns=\"http://www.w3.org/2000/svg\"/>", name: "figures/y.pdf") } throws: {
            message($0) == "figures/y.pdf: the figure has no size in pixels to render"
        }
    }
}
