/*
 * content_hash.c - the 64-bit FNV-1a hash that tells a changed file (index.c)
 * or a changed glossary (glossary_store.c).
 */
#include "index.h"
#include "index_internal.h"


unsigned long long ki_content_hash_more(unsigned long long h, const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)buf[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

unsigned long long ki_content_hash(const char *buf, size_t len)
{
    return ki_content_hash_more(0xcbf29ce484222325ULL, buf, len);
}
