// Shim over the C interfaces of OpenBLAS (CBLAS) and LAPACKE.
//
// Swift imports `lapack_int` as whatever integer type the headers pick
// (int32 for the LP64 interface Debian ships); the typedef below gives it
// a stable name the Swift layer can use without spelling the C type.
#ifndef MOODBIOME_CLAPACK_SHIM_H
#define MOODBIOME_CLAPACK_SHIM_H

#include <cblas.h>
#include <lapacke.h>

typedef lapack_int moodbiome_lapack_int;

/* Which BLAS the build linked, for provenance records: OpenBLAS reports its
   version and build configuration; any other CBLAS is named generically. */
static inline const char *moodbiome_blas_description(void) {
#ifdef OPENBLAS_VERSION
    return openblas_get_config();
#else
    return "CBLAS (not OpenBLAS)";
#endif
}

#endif
