// librsvg's real header, for the declarations check (test suite only).
#include <librsvg/rsvg.h>
