// The C interfaces of OpenBLAS (CBLAS) and LAPACKE, loaded at first use.
//
// The headers give the types; `mb_lapack()` opens OpenBLAS
// (libopenblas.so.0) and LAPACKE (liblapacke.so.3) the first time a job
// needs linear algebra and returns the table of the functions Moodbiome
// calls, each typed by its header's declaration. Swift imports
// `lapack_int` as whatever integer type the headers pick (int32 for the
// LP64 interface Debian ships); `moodbiome_lapack_int` names it.
#ifndef MOODBIOME_CLAPACK_H
#define MOODBIOME_CLAPACK_H

#include <cblas.h>
#include <lapacke.h>

typedef lapack_int moodbiome_lapack_int;

#define MB_LAPACK_FUNCTIONS(X) \
    X(cblas_ddot) X(cblas_dgemv) X(cblas_dgemm) X(cblas_dsyrk) X(cblas_dtrmm) X(cblas_dtrsm) \
    X(LAPACKE_dgeqp3_work) X(LAPACKE_dormqr_work) X(LAPACKE_dorgqr_work) X(LAPACKE_dtrtrs_work) \
    X(LAPACKE_dtrtri_work) X(LAPACKE_dsyevr_work) X(LAPACKE_dpotrf_work) X(LAPACKE_dpotri_work) \
    X(LAPACKE_dsytrd_work) X(LAPACKE_dsterf_work) X(LAPACKE_dstebz_work) X(LAPACKE_dstein_work) \
    X(LAPACKE_dormtr_work)

struct mb_lapack_functions {
#define MB_LAPACK_FIELD(name) __typeof__(&name) _Nonnull name;
    MB_LAPACK_FUNCTIONS(MB_LAPACK_FIELD)
#undef MB_LAPACK_FIELD
};

/// The functions, loading OpenBLAS and LAPACKE on the first call (once per
/// process); NULL when they cannot be loaded, and `mb_lapack_error()` says why.
const struct mb_lapack_functions *_Nullable mb_lapack(void);
const char *_Nonnull mb_lapack_error(void);

/// OpenBLAS's version and build configuration (`openblas_get_config`), or
/// "CBLAS (not OpenBLAS)"; NULL before the library is loaded.
const char *_Nullable mb_lapack_description(void);

/// OpenBLAS's thread count (`openblas_set_num_threads`); no effect for
/// another BLAS.
void mb_lapack_set_threads(int threads);

#endif
