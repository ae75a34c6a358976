#include "CCrypto.h"
#include "CDynamicLibrary.h"

MB_LIBRARY_LOADER(mb_crypto, struct mb_crypto_functions, MB_CRYPTO_FUNCTIONS, "libcrypto", "libcrypto.so.3", "libcrypto.so")
