// moodbiome-hdf5: reads one BIOM 2.1 table with HDF5 for moodbiome, in a
// process of its own, so that a file that crashes HDF5 crashes only this.
// It ends with _exit: the answer is written, and nothing else needs to run
// at exit (HDF5's own cleanup least of all).
import Glibc
import MoodbiomeIO

_exit(HDF5Process.helperMain(Array(CommandLine.arguments.dropFirst())))
