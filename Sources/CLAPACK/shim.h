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

#endif
