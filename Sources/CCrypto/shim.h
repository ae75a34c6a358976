// Shim over OpenSSL's libcrypto: SHA-256 of inputs and outputs for the
// provenance records. No digest is written by hand.
#ifndef MOODBIOME_CCRYPTO_SHIM_H
#define MOODBIOME_CCRYPTO_SHIM_H
#include <openssl/evp.h>
#endif
