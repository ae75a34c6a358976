// libzip, the ZIP library Moodbiome reads QIIME 2 artifacts (.qza files are
// ZIP archives) with; no inflate is written here. Loaded at first use
// (libzip.so.4); the header gives the types.
#ifndef MOODBIOME_CZIP_H
#define MOODBIOME_CZIP_H

#include <zip.h>

#define MB_ZIP_FUNCTIONS(X) \
    X(zip_open) X(zip_discard) X(zip_get_num_entries) X(zip_get_name) X(zip_stat_init) X(zip_stat) \
    X(zip_fopen) X(zip_fread) X(zip_fclose) X(zip_stat_index) X(zip_fopen_index)

struct mb_zip_functions {
#define MB_ZIP_FIELD(name) __typeof__(&name) _Nonnull name;
    MB_ZIP_FUNCTIONS(MB_ZIP_FIELD)
#undef MB_ZIP_FIELD
};

/// The functions, loading libzip on the first call; NULL when it cannot be
/// loaded, and `mb_zip_error()` says why.
const struct mb_zip_functions *_Nullable mb_zip(void);
const char *_Nonnull mb_zip_error(void);

#endif
