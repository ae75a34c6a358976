// Compiled only: checks CRsvg.h's hand-written librsvg and GLib
// declarations against the real headers (see declarations.c).
#ifndef MOODBIOME_RSVG_DECLARATIONS_H
#define MOODBIOME_RSVG_DECLARATIONS_H
/// 1: the file compiled, so every check held.
int mb_rsvg_declarations_checked(void);
#endif
