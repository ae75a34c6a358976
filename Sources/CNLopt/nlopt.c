#include "CNLopt.h"
#include "CDynamicLibrary.h"

MB_LIBRARY_LOADER(mb_nlopt, struct mb_nlopt_functions, MB_NLOPT_FUNCTIONS, "NLopt", "libnlopt.so.0", "libnlopt.so")
