// Process-wide settings the `moodbiome` executable makes once, at start.
#ifndef MOODBIOME_CPROCESS_H
#define MOODBIOME_CPROCESS_H

/// Tunes glibc's allocator for jobs that build and drop large tables:
/// blocks below 32 MiB (glibc's largest threshold) come from the heap
/// instead of a fresh mapping each, the heap grows 64 MiB at a time and
/// keeps up to 1 GiB of what is freed, so a table dropped (the parsed
/// chunks, a dense block) is reused by the next instead of returned to the
/// kernel and faulted and zeroed again. Larger blocks are still mapped and
/// unmapped. The same allocations, the same results; fewer page faults.
/// Returns 1 when glibc took every setting, 0 otherwise (a C library other
/// than glibc, or a sanitizer's allocator in glibc's place: nothing is
/// changed).
int mb_tune_allocator(void);

/// 1 when the process allocates with glibc's malloc; 0 on another C library
/// or when a sanitizer's runtime (AddressSanitizer) has replaced it.
int mb_allocator_is_glibc(void);

#endif
