// Shim over libzip, the ZIP library Moodbiome reads QIIME 2 artifacts
// (.qza files are ZIP archives) with. No inflate is written here.
#ifndef MOODBIOME_CZIP_SHIM_H
#define MOODBIOME_CZIP_SHIM_H
#include <zip.h>
#endif
