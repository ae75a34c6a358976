// HDF5 and libdeflate behind the functions of CHDF5.h, loaded at first use.
//
// HDF5's header declares every function and global used here; each is
// resolved from the library into the table `h5` (its type taken from the
// header by __typeof__) and the macros below send every call and global
// through it, so the code reads as plain HDF5 and the binary links none of
// it (a call that escaped the table would fail the link).
#define _GNU_SOURCE   // memfd_create, pipe2, F_SETPIPE_SZ
#include "CHDF5.h"
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>
#include "CDynamicLibrary.h"
#if __has_include(<hdf5.h>)
#include <hdf5.h>
#else
#include <hdf5/serial/hdf5.h>   // Debian and Ubuntu's serial build
#endif
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(hid_t) == sizeof(mb_hid), "an HDF5 identifier is 64 bits (HDF5 1.10 and later)");

#define MB_H5_FUNCTIONS(X) \
    X(H5open) X(H5get_libversion) X(H5Eset_auto2) X(H5free_memory) \
    X(H5Fopen) X(H5Fcreate) X(H5Fclose) X(H5Lexists) \
    X(H5Pcreate) X(H5Pclose) X(H5Pset_fclose_degree) X(H5Pset_fapl_core) X(H5Pset_file_image) X(H5Pset_obj_track_times) \
    X(H5Pset_create_intermediate_group) X(H5Pset_chunk) X(H5Pset_deflate) X(H5Pget_layout) X(H5Pget_chunk) \
    X(H5Pget_nfilters) X(H5Pget_filter2) X(H5Pget_external_count) X(H5Zfilter_avail) X(H5Lget_info) \
    X(H5Dget_storage_size) X(H5Dget_offset) X(H5Sselect_hyperslab) X(H5Pset_layout) \
    X(H5Dopen2) X(H5Dclose) X(H5Dcreate2) X(H5Dread) X(H5Dwrite) X(H5Dget_space) X(H5Dget_type) \
    X(H5Dget_create_plist) X(H5Dvlen_reclaim) X(H5Dget_num_chunks) X(H5Dget_chunk_info) \
    X(H5Sclose) X(H5Screate) X(H5Screate_simple) X(H5Sget_simple_extent_ndims) X(H5Sget_simple_extent_dims) \
    X(H5Sget_simple_extent_npoints) \
    X(H5Tclose) X(H5Tcopy) X(H5Tequal) X(H5Tget_class) X(H5Tget_size) X(H5Tget_order) X(H5Tget_cset) \
    X(H5Tis_variable_str) X(H5Tset_size) X(H5Tset_cset) \
    X(H5Aclose) X(H5Acreate_by_name) X(H5Aexists_by_name) X(H5Aopen_by_name) X(H5Aget_space) X(H5Aget_type) \
    X(H5Aread) X(H5Awrite) \
    X(H5Gcreate2) X(H5Gclose) X(H5Fget_create_plist) X(H5Pget_userblock)

#define MB_H5_GLOBALS(X) \
    X(H5T_NATIVE_DOUBLE_g) X(H5T_NATIVE_FLOAT_g) X(H5T_IEEE_F32LE_g) X(H5T_FORTRAN_S1_g) X(H5T_NATIVE_INT32_g) X(H5T_NATIVE_INT64_g) X(H5T_C_S1_g) X(H5T_IEEE_F64LE_g) \
    X(H5T_STD_I32LE_g) X(H5T_STD_I64LE_g) X(H5P_CLS_FILE_ACCESS_ID_g) X(H5P_CLS_FILE_CREATE_ID_g) \
    X(H5P_CLS_DATASET_CREATE_ID_g) X(H5P_CLS_GROUP_CREATE_ID_g) X(H5P_CLS_LINK_CREATE_ID_g)

#define MB_DEFLATE_FUNCTIONS(X) X(libdeflate_alloc_decompressor) X(libdeflate_free_decompressor) X(libdeflate_zlib_decompress)

static struct {
#define MB_FUNCTION_FIELD(name) __typeof__(&name) name;
#define MB_GLOBAL_FIELD(name) __typeof__(name) *name;
    MB_H5_FUNCTIONS(MB_FUNCTION_FIELD)
    MB_H5_GLOBALS(MB_GLOBAL_FIELD)
    MB_DEFLATE_FUNCTIONS(MB_FUNCTION_FIELD)
} h5;

// H5Pset_file_locking, HDF5 1.10.7 and later: bound when present (see
// file_access below).
static herr_t (*set_file_locking)(hid_t fapl, hbool_t use_file_locking, hbool_t ignore_when_disabled);

static char reason[MB_LIBRARY_ERROR_SIZE];
static char version[64] = "HDF5 (not loaded)";
static int status = -1;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void) {
    static const char *const hdf5[] = {"libhdf5_serial.so.103", "libhdf5.so.103", "libhdf5_serial.so", "libhdf5.so", NULL};
    void *h = mb_library_open(hdf5, 0, reason, sizeof reason);
    if (!h) return;
#define MB_BIND_FROM(handle, label, name) \
    if (!(h5.name = (__typeof__(h5.name))mb_library_symbol(handle, #name, label, reason, sizeof reason))) return;
#define MB_BIND_HDF5(name) MB_BIND_FROM(h, "HDF5", name)
    MB_H5_FUNCTIONS(MB_BIND_HDF5)
    MB_H5_GLOBALS(MB_BIND_HDF5)
    unsigned major = 0, minor = 0, release = 0;
    if (h5.H5open() < 0 || h5.H5get_libversion(&major, &minor, &release) < 0) {
        snprintf(reason, sizeof reason, "HDF5 did not start");
        return;
    }
    if (major != H5_VERS_MAJOR || minor != H5_VERS_MINOR) {
        snprintf(reason, sizeof reason, "HDF5 %u.%u is installed, but Moodbiome was built for HDF5 %d.%d", major, minor,
                 H5_VERS_MAJOR, H5_VERS_MINOR);
        return;
    }
    snprintf(version, sizeof version, "HDF5 %u.%u.%u", major, minor, release);
    set_file_locking = (__typeof__(set_file_locking))dlsym(h, "H5Pset_file_locking");
    // HDF5 before 1.10.7 takes the same setting from the environment only.
    if (!set_file_locking) setenv("HDF5_USE_FILE_LOCKING", "FALSE", 0);
    // Errors come back as return codes, never printed by HDF5 itself.
    h5.H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    status = 0;
}

int mb_h5_load(void) {
    pthread_once(&once, load);
    return status;
}

// libdeflate on its own: the process that inflates the chunks need not be
// the one that ran HDF5 (HDF5Process.swift).
static char deflate_reason[MB_LIBRARY_ERROR_SIZE];
static int deflate_status = -1;
static pthread_once_t deflate_once = PTHREAD_ONCE_INIT;

static void load_deflate(void) {
    static const char *const deflate[] = {"libdeflate.so.0", "libdeflate.so", NULL};
    void *d = mb_library_open(deflate, 0, deflate_reason, sizeof deflate_reason);
    if (!d) return;
#define MB_BIND_DEFLATE(name) \
    if (!(h5.name = (__typeof__(h5.name))mb_library_symbol(d, #name, "libdeflate", deflate_reason, sizeof deflate_reason))) return;
    MB_DEFLATE_FUNCTIONS(MB_BIND_DEFLATE)
    deflate_status = 0;
}

int mb_deflate_load(void) {
    pthread_once(&deflate_once, load_deflate);
    return deflate_status;
}

const char *mb_deflate_error(void) { return deflate_reason; }

const char *mb_h5_error(void) { return reason; }
const char *mb_h5_version(void) { return version; }

// HDF5's serial build (Debian's) is not thread-safe: two threads inside it
// at once corrupt its global state. Every mb_h5_ function below begins with
// MB_H5_LOCKED, which holds one process-wide lock until the function
// returns (released by the cleanup attribute on every return path), as
// HDF5's thread-safe build does around each call: jobs, tests or a program
// embedding Moodbiome may use HDF5 from any threads.
static pthread_mutex_t h5_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static void mb_h5_unlock(pthread_mutex_t **held) { pthread_mutex_unlock(*held); }
static pthread_mutex_t *mb_h5_lock(void) { pthread_mutex_lock(&h5_lock); return &h5_lock; }
#define MB_H5_LOCKED __attribute__((cleanup(mb_h5_unlock), unused)) pthread_mutex_t *mb_h5_held = mb_h5_lock()

// From here on, every HDF5 and libdeflate name goes through the table.
// HDF5's per-call header check (H5check) is the version check made once in
// load(), where a mismatch is an error instead of HDF5's abort.
#define H5check_version(major, minor, release) 0
#define H5open (h5.H5open)
#define H5free_memory (h5.H5free_memory)
#define H5Fopen (h5.H5Fopen)
#define H5Fcreate (h5.H5Fcreate)
#define H5Fclose (h5.H5Fclose)
#define H5Fget_create_plist (h5.H5Fget_create_plist)
#define H5Pget_userblock (h5.H5Pget_userblock)
#define H5Lexists (h5.H5Lexists)
#define H5Pcreate (h5.H5Pcreate)
#define H5Pclose (h5.H5Pclose)
#define H5Pset_fclose_degree (h5.H5Pset_fclose_degree)
#define H5Pset_fapl_core (h5.H5Pset_fapl_core)
#define H5Pset_file_image (h5.H5Pset_file_image)
#define H5Pset_obj_track_times (h5.H5Pset_obj_track_times)
#define H5Pset_create_intermediate_group (h5.H5Pset_create_intermediate_group)
#define H5Pset_chunk (h5.H5Pset_chunk)
#define H5Pset_deflate (h5.H5Pset_deflate)
#define H5Pget_layout (h5.H5Pget_layout)
#define H5Pget_chunk (h5.H5Pget_chunk)
#define H5Pget_nfilters (h5.H5Pget_nfilters)
#define H5Pget_filter2 (h5.H5Pget_filter2)
#define H5Pget_external_count (h5.H5Pget_external_count)
#define H5Zfilter_avail (h5.H5Zfilter_avail)
#define H5Lget_info (h5.H5Lget_info)
#define H5Dget_storage_size (h5.H5Dget_storage_size)
#define H5Dget_offset (h5.H5Dget_offset)
#define H5Sselect_hyperslab (h5.H5Sselect_hyperslab)
#define H5Pset_layout (h5.H5Pset_layout)
#define H5Dopen2 (h5.H5Dopen2)
#define H5Dclose (h5.H5Dclose)
#define H5Dcreate2 (h5.H5Dcreate2)
#define H5Dread (h5.H5Dread)
#define H5Dwrite (h5.H5Dwrite)
#define H5Dget_space (h5.H5Dget_space)
#define H5Dget_type (h5.H5Dget_type)
#define H5Dget_create_plist (h5.H5Dget_create_plist)
#define H5Dvlen_reclaim (h5.H5Dvlen_reclaim)
#define H5Dget_num_chunks (h5.H5Dget_num_chunks)
#define H5Dget_chunk_info (h5.H5Dget_chunk_info)
#define H5Sclose (h5.H5Sclose)
#define H5Screate (h5.H5Screate)
#define H5Screate_simple (h5.H5Screate_simple)
#define H5Sget_simple_extent_ndims (h5.H5Sget_simple_extent_ndims)
#define H5Sget_simple_extent_dims (h5.H5Sget_simple_extent_dims)
#define H5Sget_simple_extent_npoints (h5.H5Sget_simple_extent_npoints)
#define H5Tclose (h5.H5Tclose)
#define H5Tcopy (h5.H5Tcopy)
#define H5Tequal (h5.H5Tequal)
#define H5Tget_class (h5.H5Tget_class)
#define H5Tget_size (h5.H5Tget_size)
#define H5Tget_order (h5.H5Tget_order)
#define H5Tget_cset (h5.H5Tget_cset)
#define H5Tis_variable_str (h5.H5Tis_variable_str)
#define H5Tset_size (h5.H5Tset_size)
#define H5Tset_cset (h5.H5Tset_cset)
#define H5Aclose (h5.H5Aclose)
#define H5Acreate_by_name (h5.H5Acreate_by_name)
#define H5Aexists_by_name (h5.H5Aexists_by_name)
#define H5Aopen_by_name (h5.H5Aopen_by_name)
#define H5Aget_space (h5.H5Aget_space)
#define H5Aget_type (h5.H5Aget_type)
#define H5Aread (h5.H5Aread)
#define H5Awrite (h5.H5Awrite)
#define H5Gcreate2 (h5.H5Gcreate2)
#define H5Gclose (h5.H5Gclose)
#define H5T_NATIVE_DOUBLE_g (*h5.H5T_NATIVE_DOUBLE_g)
#define H5T_NATIVE_FLOAT_g (*h5.H5T_NATIVE_FLOAT_g)
#define H5T_IEEE_F32LE_g (*h5.H5T_IEEE_F32LE_g)
#define H5T_FORTRAN_S1_g (*h5.H5T_FORTRAN_S1_g)
#define H5T_NATIVE_INT32_g (*h5.H5T_NATIVE_INT32_g)
#define H5T_NATIVE_INT64_g (*h5.H5T_NATIVE_INT64_g)
#define H5T_C_S1_g (*h5.H5T_C_S1_g)
#define H5T_IEEE_F64LE_g (*h5.H5T_IEEE_F64LE_g)
#define H5T_STD_I32LE_g (*h5.H5T_STD_I32LE_g)
#define H5T_STD_I64LE_g (*h5.H5T_STD_I64LE_g)
#define H5P_CLS_FILE_ACCESS_ID_g (*h5.H5P_CLS_FILE_ACCESS_ID_g)
#define H5P_CLS_FILE_CREATE_ID_g (*h5.H5P_CLS_FILE_CREATE_ID_g)
#define H5P_CLS_DATASET_CREATE_ID_g (*h5.H5P_CLS_DATASET_CREATE_ID_g)
#define H5P_CLS_GROUP_CREATE_ID_g (*h5.H5P_CLS_GROUP_CREATE_ID_g)
#define H5P_CLS_LINK_CREATE_ID_g (*h5.H5P_CLS_LINK_CREATE_ID_g)
#define libdeflate_alloc_decompressor (h5.libdeflate_alloc_decompressor)
#define libdeflate_free_decompressor (h5.libdeflate_free_decompressor)
#define libdeflate_zlib_decompress (h5.libdeflate_zlib_decompress)

mb_hid mb_h5_native_double(void) { MB_H5_LOCKED; return H5T_NATIVE_DOUBLE; }
mb_hid mb_h5_native_float(void) { MB_H5_LOCKED; return H5T_NATIVE_FLOAT; }
mb_hid mb_h5_native_int32(void) { MB_H5_LOCKED; return H5T_NATIVE_INT32; }
mb_hid mb_h5_native_int64(void) { MB_H5_LOCKED; return H5T_NATIVE_INT64; }

/// The file access properties of every file opened or created here.
/// - No file locks: HDF5 holds a flock(2) while a file is open, and a child
///   process started meanwhile (by any thread) inherits the descriptor and
///   the lock, so the table just written could not be opened again until
///   that child ended. Moodbiome reads its inputs and writes each output to
///   a private temporary file, so the lock protects nothing here.
/// - Strong close: H5Fclose closes every object left open in the file, so
///   no file outlives its close in HDF5's table of open files (which knows
///   files by device and inode, and an inode is reused once a file is gone).
static hid_t file_access(void) {
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0) return -1;
    if (H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) < 0
        || (set_file_locking && set_file_locking(fapl, 0, 1) < 0)) {
        H5Pclose(fapl);
        return -1;
    }
    return fapl;
}

/// Opens a file read-only; negative on failure.
mb_hid mb_h5_open(const char *path) {
    MB_H5_LOCKED;
    hid_t fapl = file_access();
    if (fapl < 0) return -1;
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, fapl);
    H5Pclose(fapl);
    return file;
}

/// Opens an HDF5 file image held in memory (read-only, not copied back).
mb_hid mb_h5_open_image(void *buffer, size_t size) {
    MB_H5_LOCKED;
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0) return -1;
    if (H5Pset_fapl_core(fapl, 1 << 20, 0) < 0 || H5Pset_file_image(fapl, buffer, size) < 0) { H5Pclose(fapl); return -1; }
    hid_t file = H5Fopen("moodbiome-image.h5", H5F_ACC_RDONLY, fapl);
    H5Pclose(fapl);
    return file;
}

/// Creates (truncates) a file for writing.
mb_hid mb_h5_create(const char *path) {
    MB_H5_LOCKED;
    // No modification times anywhere, so the same table writes the same bytes.
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE), fapl = file_access();
    H5Pset_obj_track_times(fcpl, 0);
    hid_t file = fapl < 0 ? -1 : H5Fcreate(path, H5F_ACC_TRUNC, fcpl, fapl);
    H5Pclose(fapl);
    H5Pclose(fcpl);
    return file;
}

int mb_h5_close(mb_hid file) { MB_H5_LOCKED; return H5Fclose(file) < 0 ? -1 : 0; }

/// Whether a link (group or dataset) exists at `path`.
/// Walks the links of `path` component by component, as H5Lexists requires:
/// 1 when every link exists, 0 when one does not; `external` is set when a
/// link on the way leads into another file (the walk stops there).
static int walk_links(hid_t file, const char *path, int *external) {
    char buffer[512];
    size_t n = strlen(path);
    if (n >= sizeof buffer) return 0;
    memcpy(buffer, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buffer[i] == '/' || buffer[i] == 0) {
            char saved = buffer[i];
            buffer[i] = 0;
            if (H5Lexists(file, buffer, H5P_DEFAULT) <= 0) return 0;
            if (external) {
                H5L_info_t link;
                if (H5Lget_info(file, buffer, &link, H5P_DEFAULT) < 0) return 0;
                if (link.type == H5L_TYPE_EXTERNAL) { *external = 1; return 1; }
            }
            buffer[i] = saved;
        }
    }
    return 1;
}

int mb_h5_exists(mb_hid file, const char *path) { MB_H5_LOCKED; return walk_links(file, path, NULL); }

/// What a reader must know about a dataset before it allocates for it
/// (see CHDF5.h): whether each link on its path stays in this file, where
/// its data are stored, whether HDF5 has its filters, and the bytes it
/// declares against the bytes it stores.
int mb_h5_inspect(mb_hid file, const char *path, struct mb_h5_dataset *info) {
    MB_H5_LOCKED;
    memset(info, 0, sizeof *info);
    int external = 0;
    if (!walk_links(file, path, &external)) return -1;
    if (external) { info->problem = MB_H5_EXTERNAL_LINK; return 0; }
    hid_t d = H5Dopen2(file, path, H5P_DEFAULT);
    if (d < 0) return -1;
    hid_t dcpl = H5Dget_create_plist(d), type = H5Dget_type(d), space = H5Dget_space(d);
    int rank = H5Sget_simple_extent_ndims(space);
    hsize_t dims[2] = {0, 0};
    if (rank >= 0 && rank <= 2) H5Sget_simple_extent_dims(space, dims, NULL);
    info->rank = rank;
    info->dims[0] = (int64_t)dims[0];
    info->dims[1] = (int64_t)dims[1];
    info->element_size = (int64_t)H5Tget_size(type);
    H5T_class_t class = H5Tget_class(type);
    info->kind = class == H5T_INTEGER ? MB_H5_INTEGER : class == H5T_FLOAT ? MB_H5_FLOAT : class == H5T_STRING ? MB_H5_STRING : MB_H5_OTHER;
    info->stored_bytes = (int64_t)H5Dget_storage_size(d);
    H5D_layout_t layout = H5Pget_layout(dcpl);
    int filters = H5Pget_nfilters(dcpl);
    info->filtered = filters > 0;
    if (layout == H5D_VIRTUAL || H5Pget_external_count(dcpl) > 0) info->problem = MB_H5_EXTERNAL_STORAGE;
    for (int f = 0; f < filters && info->problem == 0; f++) {
        unsigned flags = 0, config = 0, values[8];
        size_t count = 8;
        H5Z_filter_t id = H5Pget_filter2(dcpl, (unsigned)f, &flags, &count, values, sizeof info->filter, info->filter, &config);
        if (id < 0 || H5Zfilter_avail(id) <= 0) {
            info->problem = MB_H5_MISSING_FILTER;
            if (!info->filter[0]) snprintf(info->filter, sizeof info->filter, "filter %d", (int)id);
        }
    }
    H5Sclose(space);
    H5Tclose(type);
    H5Pclose(dcpl);
    H5Dclose(d);
    return 0;
}

/// Reads a whole numeric dataset, converted to the memory type.
int mb_h5_read(mb_hid file, const char *path, mb_hid memtype, void *out) {
    MB_H5_LOCKED;
    hid_t d = H5Dopen2(file, path, H5P_DEFAULT);
    if (d < 0) return -1;
    herr_t status = H5Dread(d, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, out);
    H5Dclose(d);
    return status < 0 ? -1 : 0;
}

/// Reads a string dataset (variable or fixed length, any rank) as `count`
/// newly allocated, NUL-terminated strings; free them with mb_h5_free_strings.
int mb_h5_read_strings(mb_hid file, const char *path, char **out, size_t count) {
    MB_H5_LOCKED;
    hid_t d = H5Dopen2(file, path, H5P_DEFAULT);
    if (d < 0) return -1;
    hid_t type = H5Dget_type(d);
    int result = -1;
    if (H5Tget_class(type) == H5T_STRING) {
        if (H5Tis_variable_str(type) > 0) {
            hid_t mem = H5Tcopy(H5T_C_S1);
            H5Tset_size(mem, H5T_VARIABLE);
            H5Tset_cset(mem, H5Tget_cset(type));
            char **raw = calloc(count ? count : 1, sizeof(char *));
            if (raw && H5Dread(d, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) >= 0) {
                for (size_t i = 0; i < count; i++) out[i] = strdup(raw[i] ? raw[i] : "");
                hid_t space = H5Dget_space(d);
                H5Dvlen_reclaim(mem, space, H5P_DEFAULT, raw);
                H5Sclose(space);
                result = 0;
            }
            free(raw);
            H5Tclose(mem);
        } else {
            // One byte more than the file's strings, for the terminator:
            // a space-padded (FORTRAN) string fills all `size` bytes.
            size_t size = H5Tget_size(type) + 1;
            hid_t mem = H5Tcopy(H5T_C_S1);
            H5Tset_size(mem, size);
            char *raw = malloc(size * (count ? count : 1));
            if (raw && H5Dread(d, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) >= 0) {
                for (size_t i = 0; i < count; i++) out[i] = strndup(raw + i * size, size);
                result = 0;
            }
            free(raw);
            H5Tclose(mem);
        }
    }
    H5Tclose(type);
    H5Dclose(d);
    return result;
}

void mb_h5_free_strings(char **strings, size_t count) {
    MB_H5_LOCKED;
    for (size_t i = 0; i < count; i++) free(strings[i]);
}

/// A string attribute of the object at `path` (variable or fixed length),
/// newly allocated; NULL when absent.
char *mb_h5_attribute_string(mb_hid file, const char *path, const char *name) {
    MB_H5_LOCKED;
    if (H5Aexists_by_name(file, path, name, H5P_DEFAULT) <= 0) return NULL;
    hid_t a = H5Aopen_by_name(file, path, name, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0) return NULL;
    hid_t type = H5Aget_type(a);
    char *result = NULL;
    if (H5Tget_class(type) == H5T_STRING) {
        if (H5Tis_variable_str(type) > 0) {
            hid_t mem = H5Tcopy(H5T_C_S1);
            H5Tset_size(mem, H5T_VARIABLE);
            char *value = NULL;
            if (H5Aread(a, mem, &value) >= 0 && value) { result = strdup(value); H5free_memory(value); }
            H5Tclose(mem);
        } else {
            size_t size = H5Tget_size(type);
            char *value = calloc(size + 1, 1);
            hid_t mem = H5Tcopy(H5T_C_S1);
            H5Tset_size(mem, size);
            if (value && H5Aread(a, mem, value) >= 0) result = value; else free(value);
            H5Tclose(mem);
        }
    }
    H5Tclose(type);
    H5Aclose(a);
    return result;
}

/// An integer attribute (scalar or array) read as up to `max` int64 values;
/// the number read, or negative.
int mb_h5_attribute_int64s(mb_hid file, const char *path, const char *name, int64_t *out, int max) {
    MB_H5_LOCKED;
    if (H5Aexists_by_name(file, path, name, H5P_DEFAULT) <= 0) return -1;
    hid_t a = H5Aopen_by_name(file, path, name, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0) return -1;
    hid_t space = H5Aget_space(a);
    hssize_t n = H5Sget_simple_extent_npoints(space);
    int result = -1;
    if (n >= 0 && n <= max && H5Aread(a, H5T_NATIVE_INT64, out) >= 0) result = (int)n;
    H5Sclose(space);
    H5Aclose(a);
    return result;
}

/// Creates a group (and its parents).
mb_hid mb_h5_group(mb_hid file, const char *path) {
    MB_H5_LOCKED;
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
    H5Pset_obj_track_times(gcpl, 0);
    hid_t g = H5Gcreate2(file, path, lcpl, gcpl, H5P_DEFAULT);
    H5Pclose(gcpl);
    H5Pclose(lcpl);
    return g;
}

int mb_h5_close_group(mb_hid group) { MB_H5_LOCKED; return H5Gclose(group) < 0 ? -1 : 0; }

/// Sets a variable-length UTF-8 string attribute on the object at `path`.
int mb_h5_set_attribute_string(mb_hid file, const char *path, const char *name, const char *value) {
    MB_H5_LOCKED;
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate_by_name(file, path, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int result = -1;
    if (a >= 0) { result = H5Awrite(a, type, &value) < 0 ? -1 : 0; H5Aclose(a); }
    H5Sclose(space);
    H5Tclose(type);
    return result;
}

/// Sets an int64 attribute: a scalar when `count` is 0, else an array.
int mb_h5_set_attribute_int64s(mb_hid file, const char *path, const char *name, const int64_t *values, int count) {
    MB_H5_LOCKED;
    hsize_t n = (hsize_t)count;
    hid_t space = count == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, NULL);
    hid_t a = H5Acreate_by_name(file, path, name, H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int result = -1;
    if (a >= 0) { result = H5Awrite(a, H5T_NATIVE_INT64, values) < 0 ? -1 : 0; H5Aclose(a); }
    H5Sclose(space);
    return result;
}

/// The dataset creation properties of BIOM 2.1 as biom-format writes them:
/// chunked, deflate level 4 (an empty dataset is left contiguous).
static hid_t mb_h5_chunked(int rank, const hsize_t *dims) {
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_obj_track_times(dcpl, 0);
    hsize_t total = 1;
    for (int i = 0; i < rank; i++) total *= dims[i];
    if (total > 0) {
        hsize_t chunk[2] = {dims[0] < 65536 ? dims[0] : 65536, rank > 1 ? 1 : 0};
        if (chunk[0] == 0) chunk[0] = 1;
        H5Pset_chunk(dcpl, rank, chunk);
        H5Pset_deflate(dcpl, 4);
    }
    return dcpl;
}

/// Writes a 1-D numeric dataset (`filetype` on disk, `memtype` in memory).
static int mb_h5_write_numbers(mb_hid file, const char *path, hid_t filetype, hid_t memtype, const void *data, int64_t count) {
    hsize_t n = (hsize_t)count;
    hid_t space = H5Screate_simple(1, &n, NULL);
    hid_t dcpl = mb_h5_chunked(1, &n);
    hid_t d = H5Dcreate2(file, path, filetype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    int result = -1;
    if (d >= 0) { result = (count == 0 || H5Dwrite(d, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0) ? 0 : -1; H5Dclose(d); }
    H5Pclose(dcpl);
    H5Sclose(space);
    return result;
}

int mb_h5_write_doubles(mb_hid file, const char *path, const double *data, int64_t count) {
    MB_H5_LOCKED;
    return mb_h5_write_numbers(file, path, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, data, count);
}

int mb_h5_write_int32s(mb_hid file, const char *path, const int32_t *data, int64_t count) {
    MB_H5_LOCKED;
    return mb_h5_write_numbers(file, path, H5T_STD_I32LE, H5T_NATIVE_INT32, data, count);
}

/// Writes a variable-length UTF-8 string dataset of `rows` × `columns`
/// (`columns` 0 for a 1-D dataset), strings in row-major order.
int mb_h5_write_strings(mb_hid file, const char *path, const char *const *strings, int64_t rows, int64_t columns) {
    MB_H5_LOCKED;
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
    hsize_t dims[2] = {(hsize_t)rows, (hsize_t)columns};
    int rank = columns > 0 ? 2 : 1;
    hid_t space = H5Screate_simple(rank, dims, NULL);
    hid_t dcpl = mb_h5_chunked(rank, dims);
    hid_t d = H5Dcreate2(file, path, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    int result = -1;
    if (d >= 0) { result = (rows == 0 || H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, strings) >= 0) ? 0 : -1; H5Dclose(d); }
    H5Pclose(dcpl);
    H5Sclose(space);
    H5Tclose(type);
    return result;
}

/// Creates a contiguous (unchunked, unfiltered) dataset of IEEE
/// little-endian reals, `bytes` 4 or 8 each, of rank 1 or 2, to be filled
/// block by block with mb_h5_write_rows; the dataset's identifier.
mb_hid mb_h5_create_reals(mb_hid file, const char *path, int rank, const int64_t *dims, int bytes) {
    MB_H5_LOCKED;
    hsize_t d[2] = {(hsize_t)dims[0], rank > 1 ? (hsize_t)dims[1] : 0};
    hid_t space = H5Screate_simple(rank, d, NULL);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_obj_track_times(dcpl, 0);
    H5Pset_layout(dcpl, H5D_CONTIGUOUS);
    hid_t id = H5Dcreate2(file, path, bytes == 4 ? H5T_IEEE_F32LE : H5T_IEEE_F64LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Pclose(dcpl);
    H5Sclose(space);
    return id;
}

/// Writes rows `first` ..< `first + count` of a dataset made by
/// mb_h5_create_reals (for rank 1, elements), from `data` of `memtype`.
int mb_h5_write_rows(mb_hid dataset, int64_t first, int64_t count, mb_hid memtype, const void *data) {
    MB_H5_LOCKED;
    if (count == 0) return 0;
    hid_t space = H5Dget_space(dataset);
    int rank = H5Sget_simple_extent_ndims(space);
    hsize_t dims[2] = {0, 0};
    H5Sget_simple_extent_dims(space, dims, NULL);
    hsize_t start[2] = {(hsize_t)first, 0}, block[2] = {(hsize_t)count, rank > 1 ? dims[1] : 0};
    int result = -1;
    if (H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, block, NULL) >= 0) {
        hid_t memory = H5Screate_simple(rank, block, NULL);
        result = H5Dwrite(dataset, memtype, memory, space, H5P_DEFAULT, data) >= 0 ? 0 : -1;
        H5Sclose(memory);
    }
    H5Sclose(space);
    return result;
}

int mb_h5_write_block(mb_hid dataset, int64_t row, int64_t rows, int64_t column, int64_t columns, mb_hid memtype,
                      const void *data) {
    MB_H5_LOCKED;
    if (rows == 0 || columns == 0) return 0;
    hid_t space = H5Dget_space(dataset);
    hsize_t start[2] = {(hsize_t)row, (hsize_t)column}, block[2] = {(hsize_t)rows, (hsize_t)columns};
    int result = -1;
    if (H5Sget_simple_extent_ndims(space) == 2 && H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, block, NULL) >= 0) {
        hid_t memory = H5Screate_simple(2, block, NULL);
        result = H5Dwrite(dataset, memtype, memory, space, H5P_DEFAULT, data) >= 0 ? 0 : -1;
        H5Sclose(memory);
    }
    H5Sclose(space);
    return result;
}

/// A one-element fixed-length string dataset, unpadded (FORTRAN strings),
/// as unifrac-binaries writes `format` and `version`.
int mb_h5_write_fixed_string(mb_hid file, const char *path, const char *value) {
    MB_H5_LOCKED;
    size_t length = strlen(value);
    hid_t filetype = H5Tcopy(H5T_FORTRAN_S1), memtype = H5Tcopy(H5T_C_S1);
    H5Tset_size(filetype, length > 0 ? length : 1);
    H5Tset_size(memtype, length + 1);
    hsize_t one = 1;
    hid_t space = H5Screate_simple(1, &one, NULL);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_obj_track_times(dcpl, 0);   // no modification times: the same bytes every run
    hid_t d = H5Dcreate2(file, path, filetype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    int result = -1;
    if (d >= 0) { result = H5Dwrite(d, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, value) >= 0 ? 0 : -1; H5Dclose(d); }
    H5Pclose(dcpl);
    H5Sclose(space);
    H5Tclose(filetype);
    H5Tclose(memtype);
    return result;
}

/// Where a contiguous, unfiltered dataset of IEEE little-endian reals lies
/// in the file: its element size (4 or 8), byte address and stored bytes;
/// 0, or -1 for any other layout or type (or when HDF5 has allocated no
/// storage for it).
int mb_h5_contiguous_reals(mb_hid file, const char *path, int64_t *elementSize, int64_t *address, int64_t *bytes) {
    MB_H5_LOCKED;
    hid_t d = H5Dopen2(file, path, H5P_DEFAULT);
    if (d < 0) return -1;
    int result = -1;
    hid_t dcpl = H5Dget_create_plist(d), type = H5Dget_type(d);
    if (dcpl >= 0 && type >= 0 && H5Pget_layout(dcpl) == H5D_CONTIGUOUS && H5Pget_nfilters(dcpl) == 0 &&
        H5Pget_external_count(dcpl) == 0 && H5Tget_class(type) == H5T_FLOAT && H5Tget_order(type) == H5T_ORDER_LE &&
        (H5Tequal(type, H5T_IEEE_F32LE) > 0 || H5Tequal(type, H5T_IEEE_F64LE) > 0)) {
        haddr_t offset = H5Dget_offset(d);
        if (offset != HADDR_UNDEF) {
            *elementSize = (int64_t)H5Tget_size(type);
            *address = (int64_t)offset;
            *bytes = (int64_t)H5Dget_storage_size(d);
            result = 0;
        }
    }
    if (type >= 0) H5Tclose(type);
    if (dcpl >= 0) H5Pclose(dcpl);
    H5Dclose(d);
    return result;
}

/// The raw-chunk layout of a 1-D dataset, for reading chunks in parallel:
/// 1 when every chunk is deflated and the stored type is exactly `memtype`
/// (H5Tequal: class, size, byte order and sign), so that the inflated bytes
/// are the values; fills the chunk length and chunk count. An int64 dataset
/// read as double, or a big-endian one, is left to H5Dread's conversion.
int mb_h5_deflate_chunks(mb_hid file, const char *path, mb_hid memtype, int64_t *chunkLength, int64_t *chunks) {
    MB_H5_LOCKED;
    hid_t d = H5Dopen2(file, path, H5P_DEFAULT);
    if (d < 0) return -1;
    int ok = 0;
    hid_t dcpl = H5Dget_create_plist(d);
    hid_t type = H5Dget_type(d);
    hsize_t chunk[1] = {0};
    if (H5Pget_layout(dcpl) == H5D_CHUNKED && H5Pget_chunk(dcpl, 1, chunk) == 1 && H5Pget_nfilters(dcpl) == 1
        && H5Tequal(type, memtype) > 0) {
    unsigned flags = 0, config = 0;
        size_t cdNelmts = 4;
        unsigned cdValues[4];
        char name[32];
        if (H5Pget_filter2(dcpl, 0, &flags, &cdNelmts, cdValues, sizeof name, name, &config) == H5Z_FILTER_DEFLATE) {
            hsize_t n = 0;
            hid_t space = H5Dget_space(d);
            if (H5Dget_num_chunks(d, space, &n) >= 0) { *chunkLength = (int64_t)chunk[0]; *chunks = (int64_t)n; ok = 1; }
            H5Sclose(space);
        }
    }
    H5Tclose(type);
    H5Pclose(dcpl);
    H5Dclose(d);
    return ok;
}

/// Where chunk `index` of a 1-D dataset lies in the file, without reading
/// it: its first element, its byte address and its stored (compressed)
/// size; -1 when HDF5 cannot say or the chunk skips a filter.
int mb_h5_chunk_location(mb_hid file, mb_hid dataset, int64_t index, int64_t *offset, int64_t *address, int64_t *size) {
    MB_H5_LOCKED;
    hid_t space = H5Dget_space(dataset);
    hsize_t start[1] = {0};
    unsigned mask = 0;
    haddr_t where = 0;
    hsize_t bytes = 0;
    herr_t status = H5Dget_chunk_info(dataset, space, (hsize_t)index, start, &mask, &where, &bytes);
    H5Sclose(space);
    if (status < 0 || mask != 0 || where == HADDR_UNDEF || where > INT64_MAX || bytes > INT64_MAX || start[0] > INT64_MAX) return -1;
    // HDF5's addresses count from the end of the user block, if any.
    hid_t fcpl = H5Fget_create_plist(file);
    hsize_t userblock = 0;
    herr_t known = fcpl < 0 ? -1 : H5Pget_userblock(fcpl, &userblock);
    if (fcpl >= 0) H5Pclose(fcpl);
    if (known < 0 || userblock > INT64_MAX - where) return -1;
    where += userblock;
    *offset = (int64_t)start[0];
    *address = (int64_t)where;
    *size = (int64_t)bytes;
    return 0;
}

mb_hid mb_h5_open_dataset(mb_hid file, const char *path) { MB_H5_LOCKED; return H5Dopen2(file, path, H5P_DEFAULT); }
int mb_h5_close_dataset(mb_hid dataset) { MB_H5_LOCKED; return H5Dclose(dataset) < 0 ? -1 : 0; }

/// A decompressor for one thread (libdeflate's are not shared).
struct libdeflate_decompressor *mb_inflater(void) { return libdeflate_alloc_decompressor(); }
void mb_free_inflater(struct libdeflate_decompressor *d) { libdeflate_free_decompressor(d); }

/// Inflates one zlib-wrapped chunk (HDF5's deflate filter) into exactly
/// `destinationLength` bytes; 0 on success.
int mb_inflate(struct libdeflate_decompressor *d, const uint8_t *source, size_t sourceLength,
                             uint8_t *destination, size_t destinationLength) {
    size_t actual = 0;
    enum libdeflate_result r = libdeflate_zlib_decompress(d, source, sourceLength, destination, destinationLength, &actual);
    return r == LIBDEFLATE_SUCCESS && actual == destinationLength ? 0 : -1;
}

// For the helper process (HDF5Process.swift): Linux calls Swift's Glibc
// module does not declare without _GNU_SOURCE.
int mb_memfd(const char *name) { return memfd_create(name, MFD_CLOEXEC); }
int mb_pipe_cloexec(int ends[2]) { return pipe2(ends, O_CLOEXEC); }
int mb_pipe_size(int fd, int bytes) { return fcntl(fd, F_SETPIPE_SZ, bytes); }

int mb_end_with_parent(int parent) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) return -1;
    return getppid() == (pid_t)parent ? 0 : -1;
}
