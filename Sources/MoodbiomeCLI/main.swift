// The `moodbiome` executable: the commands live in the MoodbiomeCommands
// library (tested there by parsing real command lines); this only starts them.
import CProcess
import MoodbiomeCommands

mb_tune_allocator()
MoodbiomeCommand.start()
