import CRsvg
import FoundationEssentials
import MoodbiomeIO
import MoodbiomeNumerics

/// SVG drawn to PDF and PNG by librsvg on cairo: the one place Moodbiome
/// touches those C libraries (the figures' typography and file names are
/// ``FigureExport``'s). They are loaded when the first figure is exported
/// (``SystemLibrary``), so no other job loads them.
///
/// - PDF: one page (PDF 1.5), its size in points from the SVG's pixels
///   (1 px = 1/96 in = 0.75 pt); fonts embedded as subsets; no creation
///   date (an invalid date clears the one cairo sets), so the same SVG
///   gives the same bytes; optional title, creator "Moodbiome".
/// - PNG: the SVG scaled by dpi/96 onto an opaque white background, written
///   by cairo (8-bit RGB, no time chunk), with a `pHYs` chunk recording the
///   resolution inserted after `IHDR`, so page-layout and journal tools read
///   300 dpi as 300 dpi (PNG specification, 2nd ed., §11.3.5.3).
/// - Output bytes depend on the librsvg, cairo and font versions, which
///   ``version`` and ``font(named:)`` report for provenance.
public enum SVGRenderer {
    /// librsvg, cairo, fontconfig and zlib, loaded at the first call.
    static func library() throws -> mb_rsvg_functions {
        guard let table = mb_rsvg() else {
            throw SystemLibrary.Unavailable(.figureExport, reason: String(cString: mb_rsvg_error()))
        }
        return table.pointee
    }

    /// `librsvg 2.54.7, cairo 1.16.0`.
    public static func version() throws -> String {
        let r = try library()
        return "librsvg \(r.rsvg_major).\(r.rsvg_minor).\(r.rsvg_micro), cairo \(SVGRenderer.text(r.cairo_version_string()))"
    }

    /// The file and revision of the font fontconfig picks for `family`,
    /// when that is the family asked for (not a substitute).
    public static func font(named family: String) throws -> (file: String, version: String)? {
        let r = try library()
        guard r.FcInit() != 0, let pattern = r.FcNameParse(family) else { return nil }
        defer { r.FcPatternDestroy(pattern) }
        r.FcConfigSubstitute(nil, pattern, FcMatchPattern)
        r.FcDefaultSubstitute(pattern)
        var result = FcResultMatch
        guard let match = r.FcFontMatch(nil, pattern, &result) else { return nil }
        defer { r.FcPatternDestroy(match) }
        var matched: UnsafeMutablePointer<FcChar8>? = nil, file: UnsafeMutablePointer<FcChar8>? = nil
        var version: Int32 = 0
        guard r.FcPatternGetString(match, FC_FAMILY, 0, &matched) == FcResultMatch, let matched,
              String(cString: matched) == family,
              r.FcPatternGetString(match, FC_FILE, 0, &file) == FcResultMatch, let file else { return nil }
        _ = r.FcPatternGetInteger(match, FC_FONTVERSION, 0, &version)
        // FC_FONTVERSION is the font's revision in 16.16 fixed point.
        return (String(cString: file), String(cFormat: "%.3f", Double(version) / 65536))
    }

    /// A parsed SVG and its size in pixels.
    private final class Drawing {
        let r: mb_rsvg_functions
        let handle: OpaquePointer
        let width: Double
        let height: Double

        init(svg: String, name: String) throws {
            let r = try SVGRenderer.library()
            let bytes = Array(svg.utf8)
            var error: UnsafeMutablePointer<mb_GError>? = nil
            let handle = bytes.withUnsafeBufferPointer { r.rsvg_handle_new_from_data($0.baseAddress, $0.count, &error) }
            guard let handle else {
                defer { if let error { r.g_error_free(error) } }
                throw OutputError(path: name, problem: "the figure could not be rendered: \(SVGRenderer.message(error) ?? "librsvg refused it")")
            }
            r.rsvg_handle_set_dpi(handle, 96)
            var w = 0.0, h = 0.0
            guard r.rsvg_handle_get_intrinsic_size_in_pixels(handle, &w, &h) != 0, w > 0, h > 0 else {
                r.g_object_unref(UnsafeMutableRawPointer(handle))
                throw OutputError(path: name, problem: "the figure has no size in pixels to render")
            }
            self.r = r
            self.handle = handle
            self.width = w
            self.height = h
        }

        deinit { r.g_object_unref(UnsafeMutableRawPointer(handle)) }

        /// Draws the figure on `cr`, scaled by `scale`.
        func draw(on cr: OpaquePointer, scale: Double, name: String) throws {
            r.cairo_scale(cr, scale, scale)
            var viewport = mb_RsvgRectangle(x: 0, y: 0, width: width, height: height)
            var error: UnsafeMutablePointer<mb_GError>? = nil
            if r.rsvg_handle_render_document(handle, cr, &viewport, &error) == 0 {
                defer { if let error { r.g_error_free(error) } }
                throw OutputError(path: name, problem: "the figure could not be rendered: \(SVGRenderer.message(error) ?? "librsvg failed")")
            }
            let status = r.cairo_status(cr)
            guard status == CAIRO_STATUS_SUCCESS else {
                throw OutputError(path: name, problem: "the figure could not be rendered: \(SVGRenderer.text(r.cairo_status_to_string(status)))")
            }
        }
    }

    /// A C string from cairo ("" for none).
    static func text(_ string: UnsafePointer<CChar>?) -> String { string.map { String(cString: $0) } ?? "" }

    /// A GError's message.
    static func message(_ error: UnsafeMutablePointer<mb_GError>?) -> String? {
        error?.pointee.message.map { String(cString: $0) }
    }

    /// Bytes written by cairo's stream callbacks.
    private final class Sink {
        var bytes = [UInt8]()
    }

    private static let collect: cairo_write_func_t = { closure, data, length in
        guard let closure, let data else { return CAIRO_STATUS_WRITE_ERROR }
        Unmanaged<Sink>.fromOpaque(closure).takeUnretainedValue().bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
        return CAIRO_STATUS_SUCCESS
    }

    /// The SVG as a one-page PDF; `name` names it in errors.
    public static func pdf(svg: String, title: String?, name: String) throws -> [UInt8] {
        let drawing = try Drawing(svg: svg, name: name)
        let r = drawing.r
        let sink = Sink()
        let points = 72.0 / 96
        guard let surface = r.cairo_pdf_surface_create_for_stream(collect, Unmanaged.passUnretained(sink).toOpaque(),
                                                                  drawing.width * points, drawing.height * points) else {
            throw OutputError(path: name, problem: "the PDF could not be started")
        }
        defer { r.cairo_surface_destroy(surface) }
        r.cairo_pdf_surface_restrict_to_version(surface, CAIRO_PDF_VERSION_1_5)
        r.cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, "")
        r.cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "Moodbiome")
        if let title { r.cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title) }
        guard let cr = r.cairo_create(surface) else { throw OutputError(path: name, problem: "the PDF could not be drawn") }
        defer { r.cairo_destroy(cr) }
        try drawing.draw(on: cr, scale: points, name: name)
        r.cairo_show_page(cr)
        r.cairo_surface_finish(surface)
        let status = r.cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw OutputError(path: name, problem: "the PDF could not be written: \(SVGRenderer.text(r.cairo_status_to_string(status)))")
        }
        return sink.bytes
    }

    /// The largest PNG side (cairo's image limit) and pixel count (4 bytes
    /// each while drawn: 1.2 GB) rendered; a larger image is refused.
    public static let maximumSide = 32_767
    public static let maximumPixels = 300_000_000

    /// The SVG as a PNG at `dpi` dots per inch, on white.
    public static func png(svg: String, dpi: Int, name: String) throws -> [UInt8] {
        let drawing = try Drawing(svg: svg, name: name)
        let scale = Double(dpi) / 96
        let w = (drawing.width * scale).rounded(.up), h = (drawing.height * scale).rounded(.up)
        guard w <= Double(maximumSide) && h <= Double(maximumSide) && w * h <= Double(maximumPixels) else {
            throw OutputError(path: name, problem: "at \(dpi) dpi the image would be \(Int(w)) × \(Int(h)) pixels, above the limit of \(maximumSide) pixels a side and \(maximumPixels / 1_000_000) million in all",
                              fix: "Choose a lower resolution, or PDF, which is vector and sharp at any size")
        }
        let width = Int32(w), height = Int32(h)
        let r = drawing.r
        guard let surface = r.cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height) else {
            throw OutputError(path: name, problem: "a \(width) × \(height) pixel image could not be allocated", fix: "Choose a lower resolution")
        }
        defer { r.cairo_surface_destroy(surface) }
        guard r.cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS, let cr = r.cairo_create(surface) else {
            throw OutputError(path: name, problem: "a \(width) × \(height) pixel image could not be allocated", fix: "Choose a lower resolution")
        }
        defer { r.cairo_destroy(cr) }
        r.cairo_set_source_rgb(cr, 1, 1, 1)
        r.cairo_paint(cr)
        try drawing.draw(on: cr, scale: scale, name: name)
        r.cairo_surface_flush(surface)
        let sink = Sink()
        let status = r.cairo_surface_write_to_png_stream(surface, collect, Unmanaged.passUnretained(sink).toOpaque())
        guard status == CAIRO_STATUS_SUCCESS else {
            throw OutputError(path: name, problem: "the PNG could not be written: \(SVGRenderer.text(r.cairo_status_to_string(status)))")
        }
        return try withResolution(sink.bytes, dpi: dpi)
    }

    /// The PNG with a `pHYs` chunk (pixels per metre, unit 1) right after
    /// its `IHDR` chunk, which the specification requires to come first.
    static func withResolution(_ png: [UInt8], dpi: Int) throws -> [UInt8] {
        let r = try library()
        // Signature (8 bytes), then IHDR: length (4), type (4), 13 data bytes, CRC (4).
        let afterHeader = 8 + 4 + 4 + 13 + 4
        guard png.count > afterHeader, Array(png[12..<16]) == Array("IHDR".utf8) else { return png }
        let perMetre = UInt32((Double(dpi) / 0.0254).rounded())
        func bigEndian(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        let body = Array("pHYs".utf8) + bigEndian(perMetre) + bigEndian(perMetre) + [1]
        let crc = body.withUnsafeBufferPointer { UInt32(r.crc32(0, $0.baseAddress, uInt($0.count))) }
        let chunk = bigEndian(9) + body + bigEndian(crc)
        return Array(png[..<afterHeader]) + chunk + Array(png[afterHeader...])
    }
}
