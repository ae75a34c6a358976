#include "CProcess.h"

// <stdlib.h> brings in the C library's <features.h>, which is what defines
// __GLIBC__: without a C library header first, the test below is always
// false and the settings are silently skipped.
#include <stdlib.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

// Defined only when a sanitizer's runtime is linked in (swift build
// --sanitize=address): its allocator replaces glibc's and accepts no
// mallopt settings.
extern void __asan_init(void) __attribute__((weak));

int mb_allocator_is_glibc(void) {
#if defined(__GLIBC__)
    return __asan_init == NULL;
#else
    return 0;
#endif
}

int mb_tune_allocator(void) {
#if defined(__GLIBC__)
    int applied = mallopt(M_MMAP_THRESHOLD, 32 << 20);
    applied &= mallopt(M_TRIM_THRESHOLD, 1 << 30);
    applied &= mallopt(M_TOP_PAD, 64 << 20);
    return applied;
#else
    return 0;
#endif
}
