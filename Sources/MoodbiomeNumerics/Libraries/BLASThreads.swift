import CLAPACK
import FoundationEssentials

/// How many threads OpenBLAS uses.
///
/// Set once, when OpenBLAS is loaded: what `OPENBLAS_NUM_THREADS` (or
/// `OMP_NUM_THREADS`) says when the user set it, otherwise
/// ``parallelWidth`` (the machine's cores, or `MOODBIOME_THREADS`). Results
/// never depend on it beyond the last bits (the test suite checks the
/// iterative fits under 1 and 2 threads).
enum BLASThreads {
    static func configure() {
        let environment = ProcessInfo.processInfo.environment
        if environment["OPENBLAS_NUM_THREADS"] != nil || environment["OMP_NUM_THREADS"] != nil { return }
        mb_lapack_set_threads(Int32(parallelWidth))
    }
}
