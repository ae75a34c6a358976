// librsvg (GNOME's SVG renderer) and cairo (its drawing library), which turn
// Moodbiome's SVG figures into PDF (cairo's PDF surface, fonts embedded as
// subsets) and PNG (cairo's image surface and PNG writer); fontconfig, to
// check that the font the exports are set in is installed; zlib's CRC-32,
// for the PNG chunk that records the resolution.
//
// All four are loaded when a figure is first exported, never otherwise
// (they bring some forty libraries: pango, glib, X11…). cairo's,
// fontconfig's and zlib's headers give their functions' types. librsvg's
// header needs GLib's include paths, which only pkg-config knows, so its
// six entry points and GLib's error type are declared below as librsvg
// 2.52's rsvg.h and GLib's gerror.h declare them (gboolean is int, gsize is
// size_t, gdouble is double on every Linux ABI); the loader checks that
// librsvg is 2.52 or later, and the test suite checks these declarations
// against the real headers (Tests/RsvgDeclarations).
#ifndef MOODBIOME_CRSVG_H
#define MOODBIOME_CRSVG_H

#include <cairo/cairo.h>
#include <cairo/cairo-pdf.h>
#include <fontconfig/fontconfig.h>
#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

typedef struct _RsvgHandle RsvgHandle;
/// GLib's GError: `GQuark domain; gint code; gchar *message`.
struct mb_GError_layout { uint32_t domain; int code; char *_Nullable message; };
/// librsvg's RsvgRectangle.
struct mb_RsvgRectangle_layout { double x, y, width, height; };
#ifdef MB_RSVG_REAL_TYPES
// The declarations check (test suite): the real types, so that each entry
// point's type can be compared with the header's.
typedef GError mb_GError;
typedef RsvgRectangle mb_RsvgRectangle;
#else
typedef struct mb_GError_layout mb_GError;
typedef struct mb_RsvgRectangle_layout mb_RsvgRectangle;
#endif

#define MB_CAIRO_FUNCTIONS(X) \
    X(cairo_version_string) X(cairo_create) X(cairo_destroy) X(cairo_status) X(cairo_status_to_string) \
    X(cairo_scale) X(cairo_set_source_rgb) X(cairo_paint) X(cairo_show_page) \
    X(cairo_surface_destroy) X(cairo_surface_finish) X(cairo_surface_flush) X(cairo_surface_status) \
    X(cairo_image_surface_create) \
    X(cairo_surface_write_to_png_stream) \
    X(cairo_pdf_surface_create_for_stream) X(cairo_pdf_surface_restrict_to_version) X(cairo_pdf_surface_set_metadata)
#define MB_FONTCONFIG_FUNCTIONS(X) \
    X(FcInit) X(FcNameParse) X(FcPatternDestroy) X(FcConfigSubstitute) X(FcDefaultSubstitute) X(FcFontMatch) \
    X(FcPatternGetString) X(FcPatternGetInteger)
#define MB_ZLIB_FUNCTIONS(X) X(crc32)

struct mb_rsvg_functions {
    RsvgHandle *_Nullable (*_Nonnull rsvg_handle_new_from_data)(const uint8_t *_Nullable data, size_t length, mb_GError *_Nullable *_Nullable error);
    int (*_Nonnull rsvg_handle_render_document)(RsvgHandle *_Nonnull handle, cairo_t *_Nonnull cr,
                                                const mb_RsvgRectangle *_Nonnull viewport, mb_GError *_Nullable *_Nullable error);
    int (*_Nonnull rsvg_handle_get_intrinsic_size_in_pixels)(RsvgHandle *_Nonnull handle, double *_Nullable width, double *_Nullable height);
    void (*_Nonnull rsvg_handle_set_dpi)(RsvgHandle *_Nonnull handle, double dpi);
    void (*_Nonnull g_object_unref)(void *_Nonnull object);
    void (*_Nonnull g_error_free)(mb_GError *_Nonnull error);
#define MB_RSVG_FIELD(name) __typeof__(&name) _Nonnull name;
    MB_CAIRO_FUNCTIONS(MB_RSVG_FIELD)
    MB_FONTCONFIG_FUNCTIONS(MB_RSVG_FIELD)
    MB_ZLIB_FUNCTIONS(MB_RSVG_FIELD)
#undef MB_RSVG_FIELD
    /// librsvg's version, e.g. 2.54.7.
    unsigned rsvg_major, rsvg_minor, rsvg_micro;
};

/// The functions, loading librsvg, cairo, fontconfig and zlib on the first
/// call (once per process); NULL when they cannot be loaded, and
/// `mb_rsvg_error()` says why.
const struct mb_rsvg_functions *_Nullable mb_rsvg(void);
const char *_Nonnull mb_rsvg_error(void);

#endif
