/*
 * normalize.h - character normalization of the analyzer (internal to indexer/analysis).
 *
 * ka_norm_run() decodes one chunk of UTF-8 into UTF-16, applies ICU's
 * NFKC_Casefold and then the Persian, Russian and Latin rules listed in
 * normalize.c. For every unit of the normalized text it records the byte span
 * of the ORIGINAL chunk it came from, so that tokens found in the normalized
 * text can be reported with offsets into what the user wrote.
 *
 * The ka_norm_t owns its buffers and reuses them from chunk to chunk; the ICU
 * normalizer instance it points to is an ICU singleton and is not owned.
 */
#ifndef KAVOSH_NORMALIZE_H
#define KAVOSH_NORMALIZE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <unicode/utypes.h>
#include <unicode/unorm2.h>

#include "analyzer.h"

/* Offsets inside a chunk are 32-bit and ICU lengths are int32_t, so the
 * analyzer never hands the normalizer more than this many bytes at once. */
#define KA_NORM_MAX_CHUNK ((size_t)1 << 26)

/* Units below this (Latin, Cyrillic, Arabic and Persian letters, digits and
 * punctuation) have their normalization properties in a table, so that
 * text in these scripts needs no call into ICU unit by unit. */
#define KA_NORM_FAST_LIMIT 0x800

/* Value of ka_norm_t.map for a unit that is deleted. U+FFFF is a
 * noncharacter, so losing it from the input costs nothing. */
#define KA_NORM_DELETE 0xFFFFu

typedef _Atomic uint8_t ka_norm_props_t;

typedef struct ka_norm {
    const UNormalizer2 *nfkc_cf;   /* ICU singleton, not owned */
    uint16_t *map;       /* 65536 entries: the rules of normalize.c applied after NFKC_Casefold */
    ka_norm_props_t *props; /* KA_NORM_FAST_LIMIT entries: ICU's normalization properties,
                               filled as units are met (normalize.c); shared, hence atomic */
    int       owns_map;  /* 0 when map and props are borrowed (ka_norm_init_shared) */

    UChar    *src;       /* the chunk decoded to UTF-16 (invalid UTF-8 -> U+FFFD) */
    uint32_t *src_off;   /* byte offset of the code point each src unit belongs to; [src_len] = chunk length */
    int32_t   src_len;
    size_t    src_cap;   /* units allocated in src (src_off has one more) */

    UChar    *out;       /* the normalized text */
    uint32_t *out_beg;   /* for each out unit, the original byte span [beg, end) it comes from */
    uint32_t *out_end;
    int32_t   out_len;
    size_t    out_cap;

    int32_t   hamza_from; /* first out unit that is ئ or ؤ (fix_hamza() must run), or -1 */

    UChar    *seg;       /* scratch: one ICU normalization segment */
    size_t    seg_cap;
} ka_norm_t;

/* Set up n (ICU instance and the mapping table). KA_OK, KA_ERR_ICU or KA_ERR_NOMEM.
 * On failure n holds nothing to free, but ka_norm_fini is still safe. */
ka_status_t ka_norm_init(ka_norm_t *n);
/* Set up n with its own buffers but the ICU instance and mapping table of
 * from, which must outlive n. Cannot fail. */
void ka_norm_init_shared(ka_norm_t *n, const ka_norm_t *from);
void ka_norm_fini(ka_norm_t *n);

/* Normalize text[0..len), len <= KA_NORM_MAX_CHUNK. On KA_OK, n->out[0..out_len)
 * holds the normalized text and out_beg/out_end the spans, relative to text. */
ka_status_t ka_norm_run(ka_norm_t *n, const char *text, size_t len);

/* Is unit u (of normalized text) white space, for deciding whether two words
 * are separated by nothing but space? After NFKC every Unicode space
 * separator is U+0020; only the line and paragraph separators and the C0
 * controls remain to be named. Inline: it runs for every gap unit. */
static inline int ka_norm_is_space(UChar u)
{
    return u == 0x20 || (u >= 0x09 && u <= 0x0D) || u == 0x85 || u == 0x2028 || u == 0x2029;
}

#endif /* KAVOSH_NORMALIZE_H */
