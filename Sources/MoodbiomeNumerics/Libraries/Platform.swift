// The C library (math: log, exp, lgamma, erfc…; files, processes) for every
// layer above: Moodbiome imports FoundationEssentials, not the whole of
// Foundation (whose ICU-backed parts cost every process a millisecond at
// start and 70 MB of binary), and FoundationEssentials does not re-export
// the C library as Foundation does.
#if canImport(Glibc)
@_exported import Glibc
#elseif canImport(Darwin)
@_exported import Darwin
#endif
