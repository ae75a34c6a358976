#include "CZip.h"
#include "CDynamicLibrary.h"

MB_LIBRARY_LOADER(mb_zip, struct mb_zip_functions, MB_ZIP_FUNCTIONS, "libzip", "libzip.so.4", "libzip.so.5", "libzip.so")
