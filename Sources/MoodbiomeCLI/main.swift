// The `moodbiome` executable: the commands live in the MoodbiomeCommands
// library (tested there by parsing real command lines); this tunes the
// allocator (CProcess) and starts them, nothing else.
import CProcess
import MoodbiomeCommands

_ = mb_tune_allocator()
MoodbiomeCommand.start()
