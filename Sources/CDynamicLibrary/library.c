#include "CDynamicLibrary.h"
#include <dlfcn.h>
#include <stdio.h>

void *mb_library_open(const char *const *sonames, int global, char *error, size_t size) {
    char first[512] = "";
    for (const char *const *name = sonames; *name; name++) {
        // Lazy binding: the libraries' own calls are bound at first use, not all
        // at load (OpenBLAS exports thousands; binding them cost milliseconds).
        void *handle = dlopen(*name, RTLD_LAZY | (global ? RTLD_GLOBAL : RTLD_LOCAL));
        if (handle) return handle;
        if (name == sonames) {
            const char *reason = dlerror();
            snprintf(first, sizeof first, "%s", reason ? reason : *name);
        }
    }
    snprintf(error, size, "%s", first);
    return NULL;
}

void *mb_library_symbol(void *handle, const char *symbol, const char *library, char *error, size_t size) {
    void *address = dlsym(handle, symbol);
    if (!address) snprintf(error, size, "%s has no symbol %s (a different version than Moodbiome was built for)", library, symbol);
    return address;
}
