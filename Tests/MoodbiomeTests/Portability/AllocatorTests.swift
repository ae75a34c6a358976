import CProcess
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The executable's allocator settings (CProcess) take effect on glibc: a
/// C file that tests `__GLIBC__` before including any C library header sees
/// it undefined and compiles to nothing, which is how these settings were
/// once silently skipped. Under AddressSanitizer (`make asan`) the
/// sanitizer's allocator stands in for glibc's and accepts no settings.
@Suite("Allocator settings")
struct AllocatorTests {
    @Test func glibcTakesEverySetting() {
        #if os(Linux) && canImport(Glibc)
        let sanitized = dlsym(nil, "__asan_init") != nil
        #expect(mb_allocator_is_glibc() == (sanitized ? 0 : 1))
        #endif
        #expect(mb_tune_allocator() == mb_allocator_is_glibc())
    }
}
