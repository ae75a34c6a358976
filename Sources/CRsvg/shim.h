// Shim over librsvg (GNOME's SVG renderer) and cairo (its drawing library),
// which turn Moodbiome's SVG figures into PDF (cairo's PDF surface, fonts
// embedded as subsets) and PNG (cairo's image surface and PNG writer);
// fontconfig, to check that the font the exports are set in is installed;
// zlib's CRC-32, for the PNG chunk that records the resolution.
#ifndef MOODBIOME_CRSVG_SHIM_H
#define MOODBIOME_CRSVG_SHIM_H

#include <librsvg/rsvg.h>
#include <cairo.h>
#include <cairo-pdf.h>
#include <fontconfig/fontconfig.h>
#include <zlib.h>

#endif
