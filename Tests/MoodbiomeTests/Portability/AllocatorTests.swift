import CProcess
import Testing

/// The executable's allocator settings (CProcess) take effect on glibc: a
/// C file that tests `__GLIBC__` before including any C library header sees
/// it undefined and compiles to nothing, which is how these settings were
/// once silently skipped.
@Suite("Allocator settings")
struct AllocatorTests {
    @Test func glibcTakesEverySetting() {
        #if os(Linux) && canImport(Glibc)
        #expect(mb_tune_allocator() == 1)
        #endif
    }
}
