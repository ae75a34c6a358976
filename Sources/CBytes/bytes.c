// Everything is in include/CBytes.h, inline. A C target needs one source
// file: this checks that the header compiles on its own.
#include "CBytes.h"
