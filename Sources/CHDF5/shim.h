// Shim over the HDF5 C library (Debian libhdf5-dev, serial build), for
// reading and writing BIOM 2.1 tables. HDF5's type and property constants are
// macros over global variables that Swift cannot import; the small inline
// functions below hand them over, and wrap the few multi-step HDF5 idioms
// (variable-length strings, attributes, chunked deflated datasets) so that the
// Swift side only moves buffers. Raw chunk reads (H5Dread_chunk) let the
// decompression run on several threads with libdeflate (Debian
// libdeflate-dev), a faster inflate than zlib's for whole buffers.
#ifndef MOODBIOME_CHDF5_SHIM_H
#define MOODBIOME_CHDF5_SHIM_H

#include <hdf5.h>
#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

static inline hid_t mb_h5_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t mb_h5_native_int32(void) { return H5T_NATIVE_INT32; }
static inline hid_t mb_h5_native_int64(void) { return H5T_NATIVE_INT64; }

/// Silences HDF5's own error printing: errors come back as return codes.
static inline void mb_h5_quiet(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

/// Opens a file read-only; negative on failure.
static inline hid_t mb_h5_open(const char *path) {
    mb_h5_quiet();
    return H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
}

/// Opens an HDF5 file image held in memory (read-only, not copied back).
static inline hid_t mb_h5_open_image(void *buffer, size_t size) {
    mb_h5_quiet();
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0) return -1;
    if (H5Pset_fapl_core(fapl, 1 << 20, 0) < 0 || H5Pset_file_image(fapl, buffer, size) < 0) { H5Pclose(fapl); return -1; }
    hid_t file = H5Fopen("moodbiome-image.h5", H5F_ACC_RDONLY, fapl);
    H5Pclose(fapl);
    return file;
}

/// Creates (truncates) a file for writing.
static inline hid_t mb_h5_create(const char *path) {
    mb_h5_quiet();
    // No modification times anywhere, so the same table writes the same bytes.
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
    H5Pset_obj_track_times(fcpl, 0);
    hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, fcpl, H5P_DEFAULT);
    H5Pclose(fcpl);
    return file;
}

static inline int mb_h5_close(hid_t file) { return H5Fclose(file) < 0 ? -1 : 0; }

/// Whether a link (group or dataset) exists at `path`.
static inline int mb_h5_exists(hid_t file, const char *path) {
    // Check each component, as H5Lexists requires.
    char buffer[512];
    size_t n = strlen(path);
    if (n >= sizeof buffer) return 0;
    memcpy(buffer, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buffer[i] == '/' || buffer[i] == 0) {
            char saved = buffer[i];
            buffer[i] = 0;
            if (H5Lexists(file, buffer, H5P_DEFAULT) <= 0) return 0;
            buffer[i] = saved;
        }
    }
    return 1;
}

/// The dimensions of a dataset: the rank (0–2), or negative.
static inline int mb_h5_dims(hid_t file, const char *path, int64_t *dims) {
    hid_t d = H5Dopen2(file, path, H5P_DEFAULT);
    if (d < 0) return -1;
    hid_t space = H5Dget_space(d);
    int rank = H5Sget_simple_extent_ndims(space);
    hsize_t h[2] = {0, 0};
    if (rank >= 0 && rank <= 2) H5Sget_simple_extent_dims(space, h, NULL);
    dims[0] = (int64_t)h[0];
    dims[1] = (int64_t)h[1];
    H5Sclose(space);
    H5Dclose(d);
    return rank > 2 ? -1 : rank;
}

/// Reads a whole numeric dataset, converted to the memory type.
static inline int mb_h5_read(hid_t file, const char *path, hid_t memtype, void *out) {
    hid_t d = H5Dopen2(file, path, H5P_DEFAULT);
    if (d < 0) return -1;
    herr_t status = H5Dread(d, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, out);
    H5Dclose(d);
    return status < 0 ? -1 : 0;
}

/// Reads a string dataset (variable or fixed length, any rank) as `count`
/// newly allocated, NUL-terminated strings; free them with mb_h5_free_strings.
static inline int mb_h5_read_strings(hid_t file, const char *path, char **out, size_t count) {
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
            size_t size = H5Tget_size(type);
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

static inline void mb_h5_free_strings(char **strings, size_t count) {
    for (size_t i = 0; i < count; i++) free(strings[i]);
}

/// A string attribute of the object at `path` (variable or fixed length),
/// newly allocated; NULL when absent.
static inline char *mb_h5_attribute_string(hid_t file, const char *path, const char *name) {
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
static inline int mb_h5_attribute_int64s(hid_t file, const char *path, const char *name, int64_t *out, int max) {
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
static inline hid_t mb_h5_group(hid_t file, const char *path) {
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
    H5Pset_obj_track_times(gcpl, 0);
    hid_t g = H5Gcreate2(file, path, lcpl, gcpl, H5P_DEFAULT);
    H5Pclose(gcpl);
    H5Pclose(lcpl);
    return g;
}

static inline int mb_h5_close_group(hid_t group) { return H5Gclose(group) < 0 ? -1 : 0; }

/// Sets a variable-length UTF-8 string attribute on the object at `path`.
static inline int mb_h5_set_attribute_string(hid_t file, const char *path, const char *name, const char *value) {
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
static inline int mb_h5_set_attribute_int64s(hid_t file, const char *path, const char *name, const int64_t *values, int count) {
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
static inline hid_t mb_h5_chunked(int rank, const hsize_t *dims) {
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
static inline int mb_h5_write_numbers(hid_t file, const char *path, hid_t filetype, hid_t memtype, const void *data, int64_t count) {
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

static inline int mb_h5_write_doubles(hid_t file, const char *path, const double *data, int64_t count) {
    return mb_h5_write_numbers(file, path, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, data, count);
}

static inline int mb_h5_write_int32s(hid_t file, const char *path, const int32_t *data, int64_t count) {
    return mb_h5_write_numbers(file, path, H5T_STD_I32LE, H5T_NATIVE_INT32, data, count);
}

/// Writes a variable-length UTF-8 string dataset of `rows` × `columns`
/// (`columns` 0 for a 1-D dataset), strings in row-major order.
static inline int mb_h5_write_strings(hid_t file, const char *path, const char **strings, int64_t rows, int64_t columns) {
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

/// The raw-chunk layout of a 1-D dataset, for reading chunks in parallel:
/// 1 when every chunk is deflated (filter mask and pipeline allow it) and
/// the element size is `element`; fills the chunk length and chunk count.
static inline int mb_h5_deflate_chunks(hid_t file, const char *path, size_t element, int64_t *chunkLength, int64_t *chunks) {
    hid_t d = H5Dopen2(file, path, H5P_DEFAULT);
    if (d < 0) return -1;
    int ok = 0;
    hid_t dcpl = H5Dget_create_plist(d);
    hid_t type = H5Dget_type(d);
    hsize_t chunk[1] = {0};
    if (H5Pget_layout(dcpl) == H5D_CHUNKED && H5Pget_chunk(dcpl, 1, chunk) == 1 && H5Pget_nfilters(dcpl) == 1 && H5Tget_size(type) == element
        && H5Tget_order(type) == H5T_ORDER_LE) {
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

/// Reads the raw (compressed) bytes of chunk `index` of a 1-D dataset:
/// its element offset and byte size, then the bytes into `buffer`.
static inline int mb_h5_read_raw_chunk(hid_t dataset, int64_t index, int64_t *offset, uint8_t **buffer, size_t *size) {
    hid_t space = H5Dget_space(dataset);
    hsize_t start[1] = {0};
    unsigned mask = 0;
    haddr_t address = 0;
    hsize_t bytes = 0;
    herr_t status = H5Dget_chunk_info(dataset, space, (hsize_t)index, start, &mask, &address, &bytes);
    H5Sclose(space);
    if (status < 0 || mask != 0) return -1;
    uint8_t *data = malloc(bytes ? bytes : 1);
    if (!data) return -1;
    uint32_t filters = 0;
    if (H5Dread_chunk(dataset, H5P_DEFAULT, start, &filters, data) < 0) { free(data); return -1; }
    *offset = (int64_t)start[0];
    *buffer = data;
    *size = (size_t)bytes;
    return 0;
}

static inline hid_t mb_h5_open_dataset(hid_t file, const char *path) { return H5Dopen2(file, path, H5P_DEFAULT); }
static inline int mb_h5_close_dataset(hid_t dataset) { return H5Dclose(dataset) < 0 ? -1 : 0; }

/// A decompressor for one thread (libdeflate's are not shared).
static inline struct libdeflate_decompressor *mb_inflater(void) { return libdeflate_alloc_decompressor(); }
static inline void mb_free_inflater(struct libdeflate_decompressor *d) { libdeflate_free_decompressor(d); }

/// Inflates one zlib-wrapped chunk (HDF5's deflate filter) into exactly
/// `destinationLength` bytes; 0 on success.
static inline int mb_inflate(struct libdeflate_decompressor *d, const uint8_t *source, size_t sourceLength,
                             uint8_t *destination, size_t destinationLength) {
    size_t actual = 0;
    enum libdeflate_result r = libdeflate_zlib_decompress(d, source, sourceLength, destination, destinationLength, &actual);
    return r == LIBDEFLATE_SUCCESS && actual == destinationLength ? 0 : -1;
}

#endif
