// HDF5 (Debian libhdf5-103-1, the serial build), for reading and writing
// BIOM 2.1 tables, with libdeflate (a faster inflate than zlib's for whole
// buffers) for reading deflated chunks on several threads.
//
// Both are loaded at first use: `mb_h5_load()` opens them, and only then
// may the functions below be called. The functions wrap the few HDF5
// idioms BIOM needs (variable-length strings, attributes, chunked deflated
// datasets, raw chunk reads) so that Swift only moves buffers; HDF5's own
// header stays in hdf5.c, where its types check every call. An HDF5
// identifier (hid_t, 64-bit since HDF5 1.10) is an `mb_hid` here.
#ifndef MOODBIOME_CHDF5_H
#define MOODBIOME_CHDF5_H

#include <stddef.h>
#include <stdint.h>

typedef int64_t mb_hid;
struct libdeflate_decompressor;

/// Loads HDF5 (once per process): 0, or -1 with the reason in `mb_h5_error()`.
int mb_h5_load(void);
const char *_Nonnull mb_h5_error(void);
/// Loads libdeflate alone (for inflating chunks); 0 on success, else the
/// reason is in `mb_deflate_error()`.
int mb_deflate_load(void);
const char *_Nonnull mb_deflate_error(void);
/// "HDF5 1.10.8", after loading.
const char *_Nonnull mb_h5_version(void);

mb_hid mb_h5_native_double(void);
mb_hid mb_h5_native_float(void);
mb_hid mb_h5_native_int32(void);
mb_hid mb_h5_native_int64(void);

/// Opens a file read-only; negative on failure.
mb_hid mb_h5_open(const char *_Nonnull path);
/// Opens an HDF5 file image held in memory (read-only, not copied back).
mb_hid mb_h5_open_image(void *_Nonnull buffer, size_t size);
/// Creates (truncates) a file for writing, without modification times.
mb_hid mb_h5_create(const char *_Nonnull path);
int mb_h5_close(mb_hid file);

/// Why a dataset cannot be read as it is, from ``mb_h5_inspect``.
enum {
    MB_H5_READABLE = 0,
    /// A link on its path leads into another file (an HDF5 external link).
    MB_H5_EXTERNAL_LINK = 1,
    /// Its values are stored outside the file (external storage, a virtual dataset).
    MB_H5_EXTERNAL_STORAGE = 2,
    /// It is compressed with a filter this HDF5 does not have (named in `filter`).
    MB_H5_MISSING_FILTER = 3,
};

/// The class of a dataset's values.
enum { MB_H5_INTEGER = 0, MB_H5_FLOAT = 1, MB_H5_STRING = 2, MB_H5_OTHER = 3 };

/// A dataset as declared, before anything is allocated for it.
struct mb_h5_dataset {
    int rank;
    int64_t dims[2];
    /// Bytes per element in the file (a variable-length string: its reference).
    int64_t element_size;
    /// Bytes the file stores for it (compressed when filtered).
    int64_t stored_bytes;
    int filtered;
    int problem;
    /// MB_H5_INTEGER, MB_H5_FLOAT, MB_H5_STRING or MB_H5_OTHER.
    int kind;
    char filter[64];
};

/// Inspects the dataset at `path` without reading it: 0, or -1 when there is
/// no such dataset.
int mb_h5_inspect(mb_hid file, const char *_Nonnull path, struct mb_h5_dataset *_Nonnull info);

/// Whether a link (group or dataset) exists at `path`.
int mb_h5_exists(mb_hid file, const char *_Nonnull path);
/// Reads a whole numeric dataset, converted to the memory type.
int mb_h5_read(mb_hid file, const char *_Nonnull path, mb_hid memtype, void *_Nonnull out);
/// Reads a string dataset (variable or fixed length, any rank) as `count`
/// newly allocated strings; free them with mb_h5_free_strings.
int mb_h5_read_strings(mb_hid file, const char *_Nonnull path, char *_Nullable *_Nonnull out, size_t count);
void mb_h5_free_strings(char *_Nullable *_Nonnull strings, size_t count);
/// A string attribute of the object at `path`, newly allocated; NULL when absent.
char *_Nullable mb_h5_attribute_string(mb_hid file, const char *_Nonnull path, const char *_Nonnull name);
/// An integer attribute (scalar or array) as up to `max` int64 values: how many, or negative.
int mb_h5_attribute_int64s(mb_hid file, const char *_Nonnull path, const char *_Nonnull name, int64_t *_Nonnull out, int max);

/// Creates a group (and its parents).
mb_hid mb_h5_group(mb_hid file, const char *_Nonnull path);
int mb_h5_close_group(mb_hid group);
int mb_h5_set_attribute_string(mb_hid file, const char *_Nonnull path, const char *_Nonnull name, const char *_Nonnull value);
/// Sets an int64 attribute: a scalar when `count` is 0, else an array.
int mb_h5_set_attribute_int64s(mb_hid file, const char *_Nonnull path, const char *_Nonnull name, const int64_t *_Nonnull values, int count);
int mb_h5_write_doubles(mb_hid file, const char *_Nonnull path, const double *_Nullable data, int64_t count);
int mb_h5_write_int32s(mb_hid file, const char *_Nonnull path, const int32_t *_Nullable data, int64_t count);
/// A variable-length UTF-8 string dataset of `rows` × `columns` (`columns`
/// 0 for a 1-D dataset), strings in row-major order.
int mb_h5_write_strings(mb_hid file, const char *_Nonnull path, const char *_Nullable const *_Nullable strings, int64_t rows, int64_t columns);

/// Creates a contiguous, unfiltered dataset of IEEE little-endian reals
/// (`bytes` 4 or 8) of rank 1 or 2 (`dims`), filled with mb_h5_write_rows;
/// its identifier (close with mb_h5_close_dataset), negative on failure.
mb_hid mb_h5_create_reals(mb_hid file, const char *_Nonnull path, int rank, const int64_t *_Nonnull dims, int bytes);
/// Writes rows (rank 2) or elements (rank 1) `first` ..< `first + count`.
int mb_h5_write_rows(mb_hid dataset, int64_t first, int64_t count, mb_hid memtype, const void *_Nonnull data);
/// Writes the block of rows `row` ..< `row + rows` and columns `column` ..<
/// `column + columns` of a rank-2 dataset made by mb_h5_create_reals, from
/// `data` (rows × columns, row-major) of `memtype`.
int mb_h5_write_block(mb_hid dataset, int64_t row, int64_t rows, int64_t column, int64_t columns, mb_hid memtype,
                      const void *_Nonnull data);
/// A one-element fixed-length string dataset (unifrac-binaries' `format`, `version`).
int mb_h5_write_fixed_string(mb_hid file, const char *_Nonnull path, const char *_Nonnull value);
/// A contiguous, unfiltered dataset of IEEE little-endian reals: its
/// element size, address and stored bytes (0), or -1 for anything else.
int mb_h5_contiguous_reals(mb_hid file, const char *_Nonnull path, int64_t *_Nonnull elementSize,
                           int64_t *_Nonnull address, int64_t *_Nonnull bytes);

/// The raw-chunk layout of a 1-D dataset, for reading chunks in parallel:
/// 1 when every chunk is deflated and the stored type is exactly `memtype`
/// (so the inflated bytes are the values, with no conversion to make);
/// fills the chunk length and count. 0 for any other layout or type, which
/// HDF5 then reads and converts itself.
int mb_h5_deflate_chunks(mb_hid file, const char *_Nonnull path, mb_hid memtype, int64_t *_Nonnull chunkLength, int64_t *_Nonnull chunks);
/// Where chunk `index` of a 1-D dataset lies: its first element, its byte
/// address in the file (user block included) and its stored size; -1 when
/// HDF5 cannot say, or the chunk skipped its filter.
int mb_h5_chunk_location(mb_hid file, mb_hid dataset, int64_t index, int64_t *_Nonnull offset, int64_t *_Nonnull address, int64_t *_Nonnull size);
mb_hid mb_h5_open_dataset(mb_hid file, const char *_Nonnull path);
int mb_h5_close_dataset(mb_hid dataset);

/// A decompressor for one thread (libdeflate's are not shared).
struct libdeflate_decompressor *_Nullable mb_inflater(void);
void mb_free_inflater(struct libdeflate_decompressor *_Nonnull d);
/// Inflates one zlib-wrapped chunk (HDF5's deflate filter) into exactly
/// `destinationLength` bytes; 0 on success.
int mb_inflate(struct libdeflate_decompressor *_Nonnull d, const uint8_t *_Nonnull source, size_t sourceLength,
               uint8_t *_Nonnull destination, size_t destinationLength);


/// An anonymous in-memory file (close-on-exec), a pipe whose ends are
/// close-on-exec, and a pipe's buffer size: for the helper process.
int mb_memfd(const char *_Nonnull name);
int mb_pipe_cloexec(int ends[_Nonnull 2]);
int mb_pipe_size(int fd, int bytes);
/// The helper's tie to moodbiome: SIGKILL when the thread that started it
/// ends (moodbiome killed, say, while HDF5 loops); -1 when that has already
/// happened (the parent is no longer `parent`).
int mb_end_with_parent(int parent);
#endif
