#include "CLAPACK.h"
#include "CDynamicLibrary.h"
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>

static struct mb_lapack_functions table;
static const struct mb_lapack_functions *loaded;
static char error[1024];
static const char *(*get_config)(void);
static void (*set_threads)(int);
static pthread_once_t once = PTHREAD_ONCE_INIT;

/// OpenBLAS picks its kernels from the CPU's model number, and a release
/// older than the CPU does not know it: Debian 12's 0.3.21 runs an Emerald
/// Rapids Xeon on its slowest kernel (Prescott, SSE3 — a fifth of the
/// speed of dgemm). Unless the user chose (OPENBLAS_CORETYPE set, even
/// empty), the kernel is picked here from what the CPU and the operating
/// system support (the compiler's CPU detection checks XCR0 too): SkylakeX
/// with AVX-512 F/CD/BW/DQ/VL, Haswell with AVX2 and FMA, else OpenBLAS's
/// own choice. OpenBLAS's Zen, Cooper Lake and Sapphire Rapids kernels run
/// these same double-precision kernels, so a CPU it knows loses nothing.
/// Every answer is the same under any kernel (KernelPortabilityTests).
static void choose_kernel(void) {
#if defined(__x86_64__)
    if (getenv("OPENBLAS_CORETYPE")) return;
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl")) {
        setenv("OPENBLAS_CORETYPE", "SkylakeX", 0);
    } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        setenv("OPENBLAS_CORETYPE", "Haswell", 0);
    }
#endif
}

static void load(void) {
    // OpenBLAS's idle threads spin (sched_yield) for 2^28 cycles, about a
    // tenth of a second, after each call before they sleep: between the
    // small BLAS calls of a job they keep the cores busy doing nothing and
    // slow Moodbiome's own threads. 2^10 cycles keeps the pool for
    // back-to-back level-3 calls (PERMANOVA's) and lets it sleep otherwise.
    // OpenBLAS reads this when it starts; a value the user set is kept.
    setenv("OPENBLAS_THREAD_TIMEOUT", "10", 0);
    choose_kernel();
    // OpenBLAS first and global: LAPACKE's LAPACK calls resolve against it.
    static const char *const blas[] = {"libopenblas.so.0", "libopenblas.so", NULL};
    static const char *const lapacke[] = {"liblapacke.so.3", "liblapacke.so", NULL};
    void *b = mb_library_open(blas, 1, error, sizeof error);
    if (!b) return;
    void *l = mb_library_open(lapacke, 1, error, sizeof error);
    if (!l) return;
#define MB_BIND(name) \
    if (!(table.name = (__typeof__(table.name))mb_library_symbol(b, #name, "OpenBLAS", error, sizeof error)) && \
        !(table.name = (__typeof__(table.name))mb_library_symbol(l, #name, "LAPACKE", error, sizeof error))) return;
    MB_LAPACK_FUNCTIONS(MB_BIND)
#undef MB_BIND
    get_config = (const char *(*)(void))mb_library_symbol(b, "openblas_get_config", "OpenBLAS", error, sizeof error);
    set_threads = (void (*)(int))mb_library_symbol(b, "openblas_set_num_threads", "OpenBLAS", error, sizeof error);
    error[0] = 0;
    loaded = &table;
}

const struct mb_lapack_functions *mb_lapack(void) {
    pthread_once(&once, load);
    return loaded;
}

const char *mb_lapack_error(void) { return error; }

const char *mb_lapack_description(void) {
    if (!loaded) return NULL;
    return get_config ? get_config() : "CBLAS (not OpenBLAS)";
}

void mb_lapack_set_threads(int threads) {
    if (loaded && set_threads) set_threads(threads);
}
