// CRsvg declares librsvg's six entry points and GLib's GError by hand (their
// headers need pkg-config's include paths, and the binary must not link
// them). This file, built only for the test suite, includes the real
// headers and CRsvg.h with the real types, and fails to compile if any
// declaration or layout differs.
#include <librsvg/rsvg.h>
#include <stddef.h>
#define MB_RSVG_REAL_TYPES 1
#include "CRsvg.h"
#include "RsvgDeclarations.h"

#define SAME_TYPE(real, ours) _Static_assert(__builtin_types_compatible_p(__typeof__(&real), __typeof__(((struct mb_rsvg_functions *)0)->ours)), #real " is declared differently in CRsvg.h")
SAME_TYPE(rsvg_handle_new_from_data, rsvg_handle_new_from_data);
SAME_TYPE(rsvg_handle_render_document, rsvg_handle_render_document);
SAME_TYPE(rsvg_handle_get_intrinsic_size_in_pixels, rsvg_handle_get_intrinsic_size_in_pixels);
SAME_TYPE(rsvg_handle_set_dpi, rsvg_handle_set_dpi);
SAME_TYPE(g_object_unref, g_object_unref);
SAME_TYPE(g_error_free, g_error_free);

#define SAME_FIELD(real, ours, field) \
    _Static_assert(offsetof(real, field) == offsetof(struct ours, field) && sizeof(((real *)0)->field) == sizeof(((struct ours *)0)->field), \
                   #real "." #field " differs from CRsvg.h's layout")
_Static_assert(sizeof(GError) == sizeof(struct mb_GError_layout), "GError's size differs from CRsvg.h's layout");
SAME_FIELD(GError, mb_GError_layout, domain);
SAME_FIELD(GError, mb_GError_layout, code);
SAME_FIELD(GError, mb_GError_layout, message);
_Static_assert(sizeof(RsvgRectangle) == sizeof(struct mb_RsvgRectangle_layout), "RsvgRectangle's size differs from CRsvg.h's layout");
SAME_FIELD(RsvgRectangle, mb_RsvgRectangle_layout, x);
SAME_FIELD(RsvgRectangle, mb_RsvgRectangle_layout, y);
SAME_FIELD(RsvgRectangle, mb_RsvgRectangle_layout, width);
SAME_FIELD(RsvgRectangle, mb_RsvgRectangle_layout, height);

int mb_rsvg_declarations_checked(void) { return 1; }
