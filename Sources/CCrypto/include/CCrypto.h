// OpenSSL's libcrypto: SHA-256 of inputs and outputs for the provenance
// records; no digest is written by hand. Loaded at first use
// (libcrypto.so.3); the header gives the types.
#ifndef MOODBIOME_CCRYPTO_H
#define MOODBIOME_CCRYPTO_H

#include <openssl/evp.h>

#define MB_CRYPTO_FUNCTIONS(X) X(EVP_sha256) X(EVP_MD_CTX_new) X(EVP_MD_CTX_free) \
    X(EVP_DigestInit_ex) X(EVP_DigestUpdate) X(EVP_DigestFinal_ex)

struct mb_crypto_functions {
#define MB_CRYPTO_FIELD(name) __typeof__(&name) _Nonnull name;
    MB_CRYPTO_FUNCTIONS(MB_CRYPTO_FIELD)
#undef MB_CRYPTO_FIELD
};

/// The functions, loading libcrypto on the first call; NULL when it cannot
/// be loaded, and `mb_crypto_error()` says why.
const struct mb_crypto_functions *_Nullable mb_crypto(void);
const char *_Nonnull mb_crypto_error(void);

#endif
