// Opening a system library at first use (dlopen), so that a process loads
// only the libraries its job needs: `moodbiome --version` starts without
// OpenBLAS, HDF5 or cairo, and `diversity` never starts OpenBLAS's threads.
// Each C shim (CLAPACK, CNLopt, CHDF5, CZip, CCrypto, CRsvg) resolves its
// functions into a table whose field types come from the library's own
// header (`__typeof__`), so a prototype is never written by hand where a
// header can be read; the binary links none of these libraries.
#ifndef MOODBIOME_CDYNAMICLIBRARY_H
#define MOODBIOME_CDYNAMICLIBRARY_H

#include <pthread.h>
#include <stddef.h>

/// Opens the first of `sonames` (NULL-terminated) that loads, with
/// RTLD_NOW, and RTLD_GLOBAL when `global` (a library whose symbols a later
/// one resolves against, as LAPACKE against OpenBLAS). NULL when none does;
/// `error` then holds the loader's reason for the first name.
void *mb_library_open(const char *const *sonames, int global, char *error, size_t size);

/// The address of `symbol` in `handle`, or NULL; on NULL `error` says which
/// symbol and library were missing.
void *mb_library_symbol(void *handle, const char *symbol, const char *library, char *error, size_t size);

/// The size of a loader's error text.
#define MB_LIBRARY_ERROR_SIZE 1024

/// Resolves one function of an X-macro list into the table `mb_table`
/// from the handle `mb_handle` (the names a loader below defines).
#define MB_LIBRARY_BIND(function) \
    if (!(mb_table->function = (__typeof__(mb_table->function))mb_library_symbol( \
              mb_handle, #function, mb_label, mb_reason, MB_LIBRARY_ERROR_SIZE))) return;

/// Defines `const TYPE *NAME(void)`, which opens the library (the first of
/// the sonames that loads) on its first call, once per process, and binds
/// every function of the X-macro list FUNCTIONS; NULL when that fails, and
/// `const char *NAME_error(void)` says why. LABEL names the library in errors.
#define MB_LIBRARY_LOADER(NAME, TYPE, FUNCTIONS, LABEL, ...) \
    static TYPE NAME##_table; \
    static const TYPE *NAME##_loaded; \
    static char NAME##_reason[MB_LIBRARY_ERROR_SIZE]; \
    static pthread_once_t NAME##_once = PTHREAD_ONCE_INIT; \
    static void NAME##_load(void) { \
        static const char *const sonames[] = {__VA_ARGS__, NULL}; \
        const char *mb_label = LABEL; \
        char *mb_reason = NAME##_reason; \
        TYPE *mb_table = &NAME##_table; \
        void *mb_handle = mb_library_open(sonames, 0, mb_reason, MB_LIBRARY_ERROR_SIZE); \
        if (!mb_handle) return; \
        FUNCTIONS(MB_LIBRARY_BIND) \
        NAME##_loaded = mb_table; \
    } \
    const TYPE *NAME(void) { pthread_once(&NAME##_once, NAME##_load); return NAME##_loaded; } \
    const char *NAME##_error(void) { return NAME##_reason; }

#endif
