#include "CRsvg.h"
#include "CDynamicLibrary.h"
#include <stdio.h>

static struct mb_rsvg_functions table;
static const struct mb_rsvg_functions *loaded;
static char reason[MB_LIBRARY_ERROR_SIZE];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void) {
    static const char *const rsvg[] = {"librsvg-2.so.2", "librsvg-2.so", NULL};
    static const char *const cairo[] = {"libcairo.so.2", "libcairo.so", NULL};
    static const char *const fontconfig[] = {"libfontconfig.so.1", "libfontconfig.so", NULL};
    static const char *const zlib[] = {"libz.so.1", "libz.so", NULL};
    static const char *const gobject[] = {"libgobject-2.0.so.0", NULL};
    static const char *const glib[] = {"libglib-2.0.so.0", NULL};
    void *r = mb_library_open(rsvg, 0, reason, sizeof reason);
    if (!r) return;
    void *c = mb_library_open(cairo, 0, reason, sizeof reason);
    if (!c) return;
    void *f = mb_library_open(fontconfig, 0, reason, sizeof reason);
    if (!f) return;
    void *z = mb_library_open(zlib, 0, reason, sizeof reason);
    if (!z) return;
    void *go = mb_library_open(gobject, 0, reason, sizeof reason);
    if (!go) return;
    void *gl = mb_library_open(glib, 0, reason, sizeof reason);
    if (!gl) return;
#define MB_BIND_FROM(handle, label, name) \
    if (!(table.name = (__typeof__(table.name))mb_library_symbol(handle, #name, label, reason, sizeof reason))) return;
    MB_BIND_FROM(r, "librsvg", rsvg_handle_new_from_data)
    MB_BIND_FROM(r, "librsvg", rsvg_handle_render_document)
    MB_BIND_FROM(r, "librsvg", rsvg_handle_get_intrinsic_size_in_pixels)
    MB_BIND_FROM(r, "librsvg", rsvg_handle_set_dpi)
    MB_BIND_FROM(go, "GObject", g_object_unref)
    MB_BIND_FROM(gl, "GLib", g_error_free)
#define MB_BIND_CAIRO(name) MB_BIND_FROM(c, "cairo", name)
#define MB_BIND_FONTCONFIG(name) MB_BIND_FROM(f, "fontconfig", name)
#define MB_BIND_ZLIB(name) MB_BIND_FROM(z, "zlib", name)
    MB_CAIRO_FUNCTIONS(MB_BIND_CAIRO)
    MB_FONTCONFIG_FUNCTIONS(MB_BIND_FONTCONFIG)
    MB_ZLIB_FUNCTIONS(MB_BIND_ZLIB)
    const unsigned *major = mb_library_symbol(r, "rsvg_major_version", "librsvg", reason, sizeof reason);
    const unsigned *minor = mb_library_symbol(r, "rsvg_minor_version", "librsvg", reason, sizeof reason);
    const unsigned *micro = mb_library_symbol(r, "rsvg_micro_version", "librsvg", reason, sizeof reason);
    if (!major || !minor || !micro) return;
    if (*major != 2 || *minor < 52) {
        snprintf(reason, sizeof reason, "librsvg %u.%u is installed; Moodbiome needs 2.52 or later", *major, *minor);
        return;
    }
    table.rsvg_major = *major;
    table.rsvg_minor = *minor;
    table.rsvg_micro = *micro;
    reason[0] = 0;
    loaded = &table;
}

const struct mb_rsvg_functions *mb_rsvg(void) {
    pthread_once(&once, load);
    return loaded;
}

const char *mb_rsvg_error(void) { return reason; }
