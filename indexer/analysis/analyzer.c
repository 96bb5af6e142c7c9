/*
 * analyzer.c - the pipeline of ka_analyze: chunks -> normalize.c ->
 * tokenize.c -> terms, stems, stop-word flags and joined pairs -> callback.
 */
#include "analyzer.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "kavosh_xapian.h"
#include "normalize.h"
#include "stem_fa.h"
#include "stopwords.h"
#include "tokenize.h"
#include "wordset.h"

/* Xapian's glass backend refuses terms of KX_MAX_TERM_BYTES bytes or more.
 * A stem carries the one-byte prefix "Z", so an exact term may have at most
 * KX_MAX_TERM_BYTES - 2 bytes: with the prefix that is 244 < 245. Stems and
 * joined pairs are cut to the same length, at a character boundary. */
#define KA_MAX_TERM (KX_MAX_TERM_BYTES - 2)

/* Room for a term being built: a full term plus a four-byte character that
 * did not fit, and the stemmer's output (which may exceed the word by a few
 * bytes before it is cut). */
#define KA_TERM_BUF (2 * KX_MAX_TERM_BYTES)

/* Text is normalized and broken into words this many bytes at a time (cut
 * after a white-space byte), so that buffers stay small and in cache whatever
 * the size of the input. */
#define KA_CHUNK 65536

/* Stems and stop-word flags of recent words are remembered: running text
 * repeats a few thousand words over and over (Zipf), and a lookup costs far
 * less than Snowball through the wrapper or the Persian stemmer's guards.
 * KA_STEM_CACHE_SLOTS slots, direct-mapped by hash; words or stems longer
 * than KA_STEM_CACHE_KEY bytes (14 Persian letters) are not cached. 8192
 * slots of 64 bytes make 512 KiB per analyzer: measured on the UDHR texts,
 * smaller tables lose more in misses than they gain in cache locality.
 * The table starts at KA_STEM_CACHE_FIRST slots and doubles (keeping its
 * words) each time it has missed twice its size, so that a search meeting a
 * few hundred words does not clear and fault in 512 KiB. */
#define KA_STEM_CACHE_SLOTS 8192
#define KA_STEM_CACHE_FIRST 512
#define KA_STEM_CACHE_KEY   28

typedef struct stem_slot {
    uint8_t  key_len;      /* 0 = empty */
    uint8_t  stem_len;     /* without the prefix; 0 = no stemmer for the script */
    uint8_t  script;
    uint8_t  stop;
    uint32_t hash;
    char     key[KA_STEM_CACHE_KEY];
    char     stem[KA_STEM_CACHE_KEY];
} stem_slot_t;

/* Persian words separated by more than one line break (a paragraph break)
 * are not joined. */
#define KA_JOIN_MAX_NEWLINES 1

/* A dotted acronym has at most KA_ACRO_MAX letters, and is delivered in at
 * most KA_ACRO_READINGS readings of its ambiguous Persian letter names
 * (سی.آی.ای: cia, cie, cii, cea, …). */
#define KA_ACRO_MAX      12
#define KA_ACRO_READINGS 9

struct ka_analyzer {
    ka_norm_t      norm;            /* for ka_analyze */
    ka_norm_t      fold_norm;       /* for ka_fold, so that a callback of ka_analyze may call it */
    ka_tokenizer_t tok;
    kx_stemmer_t  *stem_ru;         /* Xapian's Snowball russian */
    kx_stemmer_t  *stem_en;         /* Xapian's Snowball english */
    ka_stem_fa_t   stem_fa;
    ka_wordset_t   stop_fa, stop_ru, stop_en;

    stem_slot_t *cache;             /* cache_slots entries */
    size_t       cache_slots;       /* a power of two, KA_STEM_CACHE_FIRST..KA_STEM_CACHE_SLOTS */
    size_t       cache_misses;      /* since the table last grew */
    unsigned     opts;              /* KA_OPT_* */

    char  *fold;                    /* result of ka_fold */
    size_t fold_cap;

    /* State of the current ka_analyze call. */
    size_t       base;              /* offset of the chunk in the whole input */
    size_t       chunk_len;
    const char  *chunk;             /* the chunk's original text */
    ka_token_cb  cb;
    void        *cb_ctx;
    unsigned     pos;               /* position of the last word */
    int32_t      last_end;          /* end (in normalized units) of the last run in this chunk */
    int          gap_clean;         /* nothing but space since the last run */
    int          gap_newlines;
    int          prev_arabic;       /* the last word was Persian: it may join the next one */
    char         prev_term[KA_TERM_BUF];
    size_t       prev_len;
    size_t       prev_start;
    unsigned     prev_pos;

    int32_t      acro_until;        /* units of this chunk read as a dotted acronym already */
    char         acro_buf[32];      /* a letter name being looked up */

    char term[KA_TERM_BUF];
    char stem[KA_TERM_BUF];
    char joined[2 * KA_TERM_BUF];
};

const char *ka_status_to_string(ka_status_t st)
{
    switch (st) {
    case KA_OK:          return "success";
    case KA_ERR_NOMEM:   return "out of memory";
    case KA_ERR_ICU:     return "ICU failed or could not be initialised (is the ICU data library installed?)";
    case KA_ERR_STEMMER: return "a Snowball stemmer could not be created";
    case KA_ERR_ARG:     return "invalid argument";
    case KA_STOPPED:     return "stopped by the callback";
    case KA_STATUS_LAST: break;
    }
    return "unknown status";
}

/* ------------------------------------------------------------------------ */
/* UTF-8 helpers                                                             */

/* Encode u[s..e) as UTF-8 into buf (capacity KA_TERM_BUF), stopping before a
 * character that would take the term past KA_MAX_TERM bytes. */
static size_t encode_term(const UChar *u, int32_t s, int32_t e, char *buf)
{
    size_t n = 0;
    int32_t i = s;
    /* Up to three bytes per unit: short words need no check per character. */
    int checked = (size_t)(e - s) * 3 > KA_MAX_TERM;
    while (i < e) {
        UChar32 c = u[i++];
        if (c < 0x80) {
            if (checked && n + 1 > KA_MAX_TERM)
                break;
            buf[n++] = (char)c;
        } else if (c < 0x800) {
            if (checked && n + 2 > KA_MAX_TERM)
                break;
            buf[n++] = (char)(0xC0 | (c >> 6));
            buf[n++] = (char)(0x80 | (c & 0x3F));
        } else if (!U16_IS_LEAD(c) || i >= e || !U16_IS_TRAIL(u[i])) {
            if (checked && n + 3 > KA_MAX_TERM)
                break;
            buf[n++] = (char)(0xE0 | (c >> 12));
            buf[n++] = (char)(0x80 | ((c >> 6) & 0x3F));
            buf[n++] = (char)(0x80 | (c & 0x3F));
        } else {
            c = U16_GET_SUPPLEMENTARY(c, u[i]);
            if (checked && n + 4 > KA_MAX_TERM)
                break;
            i++;
            buf[n++] = (char)(0xF0 | (c >> 18));
            buf[n++] = (char)(0x80 | ((c >> 12) & 0x3F));
            buf[n++] = (char)(0x80 | ((c >> 6) & 0x3F));
            buf[n++] = (char)(0x80 | (c & 0x3F));
        }
    }
    buf[n] = '\0';
    return n;
}

/* The longest prefix of s[0..len) of at most max bytes that ends at a
 * character boundary. */
static size_t cut_utf8(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    size_t n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

/* ------------------------------------------------------------------------ */
/* Stems and stop words                                                      */

/* Stem term[0..len) of script sc into a->stem as "Z" + stem; returns the
 * length, 0 if the script has no stemmer. */
static size_t make_stem(ka_analyzer_t *a, ka_script_t sc, const char *term, size_t len)
{
    char *out = a->stem;
    size_t sl = 0;
    out[0] = KA_PREFIX_STEM[0];
    switch (sc) {
    case KA_SCRIPT_ARABIC:
        sl = ka_stem_fa(&a->stem_fa, term, len, out + 1);
        break;
    case KA_SCRIPT_CYRILLIC:
    case KA_SCRIPT_LATIN: {
        kx_stemmer_t *st = sc == KA_SCRIPT_CYRILLIC ? a->stem_ru : a->stem_en;
        if (kx_stemmer_stem(st, term, len, out + 1, KA_TERM_BUF - 1, &sl) != KX_OK) {
            /* The stem did not fit or Xapian failed: the exact form is the
             * best stem we have, and keeps the term searchable. */
            memcpy(out + 1, term, len);
            sl = len;
        }
        break;
    }
    default:
        return 0;
    }
    sl = cut_utf8(out + 1, sl, KA_MAX_TERM);
    out[1 + sl] = '\0';
    return 1 + sl;
}

static int is_stopword(const ka_analyzer_t *a, ka_script_t sc, const char *term, size_t len)
{
    switch (sc) {
    case KA_SCRIPT_ARABIC:   return ka_wordset_has(&a->stop_fa, term, len);
    case KA_SCRIPT_CYRILLIC: return ka_wordset_has(&a->stop_ru, term, len);
    case KA_SCRIPT_LATIN:    return ka_wordset_has(&a->stop_en, term, len);
    default:                 return 0;
    }
}

/* A multiplicative hash eight bytes at a time, salted with the script: it
 * runs for every token, so it must cost a few cycles, not one per byte. */
static uint32_t term_hash(ka_script_t sc, const char *term, size_t len)
{
    return ka_hash_bytes(term, len, (uint64_t)sc << 56);
}

/* Double the stem cache, moving its words; without memory it stays as it is. */
static void cache_grow(ka_analyzer_t *a)
{
    size_t n = a->cache_slots * 2;
    stem_slot_t *c = calloc(n, sizeof *c);
    a->cache_misses = 0;
    if (c == NULL)
        return;
    for (size_t i = 0; i < a->cache_slots; i++)
        if (a->cache[i].key_len != 0)
            c[a->cache[i].hash & (n - 1)] = a->cache[i];
    free(a->cache);
    a->cache = c;
    a->cache_slots = n;
}

static int deliver(ka_analyzer_t *a, const char *term, size_t len, ka_script_t sc,
                   size_t start, size_t end, unsigned pos, unsigned flags)
{
    ka_token_t t;
    size_t sl;
    int stop;
    stem_slot_t *slot = NULL;

    if (len <= KA_STEM_CACHE_KEY) {
        uint32_t h = term_hash(sc, term, len);
        slot = &a->cache[h & (a->cache_slots - 1)];
        if (slot->key_len == len && slot->hash == h && slot->script == (uint8_t)sc &&
            memcmp(slot->key, term, len) == 0) {
            sl = slot->stem_len;
            if (sl > 0) {
                a->stem[0] = KA_PREFIX_STEM[0];
                memcpy(a->stem + 1, slot->stem, sl - 1);
                a->stem[sl] = '\0';
            }
            stop = slot->stop;
            goto have_stem;
        }
        if (++a->cache_misses > 2 * a->cache_slots && a->cache_slots < KA_STEM_CACHE_SLOTS) {
            cache_grow(a);
            slot = &a->cache[h & (a->cache_slots - 1)];
        }
        slot->hash = h;
    }
    sl = make_stem(a, sc, term, len);
    stop = is_stopword(a, sc, term, len);
    if (slot != NULL) {
        if (sl <= KA_STEM_CACHE_KEY + 1) {
            slot->key_len = (uint8_t)len;
            slot->script = (uint8_t)sc;
            slot->stem_len = (uint8_t)sl;
            slot->stop = (uint8_t)stop;
            memcpy(slot->key, term, len);
            if (sl > 0)
                memcpy(slot->stem, a->stem + 1, sl - 1);
        } else {
            slot->key_len = 0;
        }
    }

have_stem:
    t.term = term;
    t.term_len = len;
    t.stem = sl ? a->stem : NULL;
    t.stem_len = sl;
    t.start = start;
    t.end = end;
    t.pos = pos;
    t.script = sc;
    t.flags = flags | (stop ? KA_TOK_STOPWORD : 0u);
    return a->cb(a->cb_ctx, &t);
}

/* ------------------------------------------------------------------------ */
/* Dotted acronyms                                                           */

/* Persian names of the Latin letters (as the normalizer leaves them: آ is
 * ا), and the letters each may stand for: آر.سی.دی is RCD, ان.پی.تی NPT,
 * سی.آی.ای CIA. ای is A, E or I; جی G or J. Sorted by name. */
static const struct letter_name {
    const char *name, *letters;
} LETTER_NAMES[] = {
    { "\u0627\u0631", "r" },                     /* ار */
    { "\u0627\u0633", "s" },                     /* اس */
    { "\u0627\u0641", "f" },                     /* اف */
    { "\u0627\u0644", "l" },                     /* ال */
    { "\u0627\u0645", "m" },                     /* ام */
    { "\u0627\u0646", "n" },                     /* ان */
    { "\u0627\u0686", "h" },                     /* اچ */
    { "\u0627\u0648", "o" },                     /* او */
    { "\u0627\u06cc", "aei" },                   /* ای */
    { "\u0627\u06cc\u06a9\u0633", "x" },         /* ایکس */
    { "\u0628\u06cc", "b" },                     /* بی */
    { "\u062a\u06cc", "t" },                     /* تی */
    { "\u062c\u06cc", "gj" },                    /* جی */
    { "\u062f\u0628\u0644\u06cc\u0648", "w" },   /* دبلیو */
    { "\u062f\u06cc", "d" },                     /* دی */
    { "\u0632\u062f", "z" },                     /* زد */
    { "\u0633\u06cc", "c" },                     /* سی */
    { "\u067e\u06cc", "p" },                     /* پی */
    { "\u06a9\u06cc", "k" },                     /* کی */
    { "\u06a9\u06cc\u0648", "q" },               /* کیو */
    { "\u0648\u0627\u06cc", "y" },               /* وای */
    { "\u0648\u06cc", "v" },                     /* وی */
    { "\u06cc\u0648", "u" },                     /* یو */
};

/* The letters a word may stand for in a dotted acronym: a single Latin
 * letter stands for itself, a Persian letter name for its letters; NULL
 * for any other word. */
static const char *acronym_letters(const char *term, size_t len, ka_script_t sc)
{
    static const char *const latin[26] = {
        "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m",
        "n", "o", "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z",
    };
    if (sc == KA_SCRIPT_LATIN)
        return len == 1 && term[0] >= 'a' && term[0] <= 'z' ? latin[term[0] - 'a'] : NULL;
    if (sc != KA_SCRIPT_ARABIC || len > 10)
        return NULL;
    for (size_t i = 0; i < sizeof LETTER_NAMES / sizeof LETTER_NAMES[0]; i++)
        if (strlen(LETTER_NAMES[i].name) == len && memcmp(LETTER_NAMES[i].name, term, len) == 0)
            return LETTER_NAMES[i].letters;
    return NULL;
}

static int acro_arabic_letter(UChar u)
{
    return u >= 0x0621 && u <= 0x06D3 && !(u >= 0x064B && u <= 0x066D);
}

/* The word at unit i of the chunk (the letter of a dotted acronym after a
 * full stop): its letters, or NULL; *end is where it ends. */
static const char *acro_next(ka_analyzer_t *a, int32_t i, int32_t *end)
{
    const ka_norm_t *n = &a->norm;
    int32_t j = i;
    if (j < n->out_len && n->out[j] >= 'a' && n->out[j] <= 'z') {
        j++;
        if (j < n->out_len && u_isalnum(n->out[j]))
            return NULL;
        a->acro_buf[0] = (char)n->out[i];
        *end = j;
        return acronym_letters(a->acro_buf, 1, KA_SCRIPT_LATIN);
    }
    while (j < n->out_len && acro_arabic_letter(n->out[j]) && j - i < 8)
        j++;
    if (j == i || (j < n->out_len && u_isalnum(n->out[j])))
        return NULL;
    size_t len = 0;
    for (int32_t k = i; k < j; k++) {
        UChar u = n->out[k];   /* U+0600..U+06FF: two bytes of UTF-8 */
        a->acro_buf[len++] = (char)(0xC0 | (u >> 6));
        a->acro_buf[len++] = (char)(0x80 | (u & 0x3F));
    }
    *end = j;
    return acronym_letters(a->acro_buf, len, KA_SCRIPT_ARABIC);
}

/* The first letter of a dotted acronym was just delivered (units [s, e),
 * letters first): read the rest of it off the chunk (a full stop, a letter,
 * and so on, at most KA_ACRO_MAX letters) and deliver it, if it has two
 * letters or more, as a Latin word joined from its letters (KA_TOK_JOINED,
 * at the first letter's position and start, spanning the acronym): every
 * reading of its ambiguous letter names, at most KA_ACRO_READINGS of them.
 * R.C.D. and آر.سی.دی both give «rcd». */
static int acronym_deliver(ka_analyzer_t *a, int32_t e, const char *first, size_t start,
                           unsigned pos)
{
    const ka_norm_t *n = &a->norm;
    const char *opts[KA_ACRO_MAX];
    size_t k = 0;
    int32_t i = e, last = e;
    opts[k++] = first;
    while (k < KA_ACRO_MAX && i + 1 < n->out_len && n->out[i] == '.') {
        int32_t end = 0;
        const char *letters = acro_next(a, i + 1, &end);
        if (!letters)
            break;
        opts[k++] = letters;
        i = last = end;
    }
    a->acro_until = last;
    if (k < 2)
        return 0;
    size_t stop = n->out_end[last - 1];
    uint32_t next = last < n->out_len ? n->out_beg[last] : (uint32_t)a->chunk_len;
    if (next > stop)
        stop = next;
    size_t idx[KA_ACRO_MAX] = { 0 }, readings = 0;
    for (;;) {
        char word[KA_ACRO_MAX + 1];
        for (size_t m = 0; m < k; m++)
            word[m] = opts[m][idx[m]];
        word[k] = '\0';
        /* «U.S.» is the country, not the word «us»... unless it is a stop word. */
        if (!is_stopword(a, KA_SCRIPT_LATIN, word, k) &&
            deliver(a, word, k, KA_SCRIPT_LATIN, start, a->base + stop, pos, KA_TOK_JOINED))
            return 1;
        if (++readings == KA_ACRO_READINGS)
            return 0;
        /* The next reading: an odometer over the letters' choices. */
        size_t m = k;
        for (;;) {
            m--;
            if (opts[m][idx[m] + 1] != '\0') {
                idx[m]++;
                break;
            }
            idx[m] = 0;
            if (m == 0)
                return 0;
        }
    }
}

/* ------------------------------------------------------------------------ */
/* The pipeline                                                              */

/* Note what lies between the previous run and unit `upto`. */
static void scan_gap(ka_analyzer_t *a, int32_t upto)
{
    const UChar *u = a->norm.out;
    for (int32_t i = a->last_end; i < upto; i++) {
        if (!ka_norm_is_space(u[i]))
            a->gap_clean = 0;
        else if (u[i] == '\n')
            a->gap_newlines++;
    }
}

static int on_run(void *ctx, int32_t s, int32_t e, ka_script_t sc)
{
    ka_analyzer_t *a = ctx;
    const ka_norm_t *n = &a->norm;
    scan_gap(a, s);
    a->last_end = e;
    int joinable = !(a->opts & KA_OPT_NO_JOINED) && a->prev_arabic && sc == KA_SCRIPT_ARABIC &&
                   a->gap_clean && a->gap_newlines <= KA_JOIN_MAX_NEWLINES;
    a->gap_clean = 1;
    a->gap_newlines = 0;

    size_t len = encode_term(n->out, s, e, a->term);
    if (sc == KA_SCRIPT_LATIN) {
        /* English possessive: «Iran's» and «Iran’s» are «Iran». */
        if (len > 2 && a->term[len - 2] == '\'' && a->term[len - 1] == 's')
            len -= 2;
    } else if (sc == KA_SCRIPT_DIGIT) {
        /* Thousands separators: «1,000» = «۱٬۰۰۰» = «1000». */
        size_t k = 0;
        for (size_t i = 0; i < len; i++)
            if (a->term[i] != ',')
                a->term[k++] = a->term[i];
        len = k;
    }
    a->term[len] = '\0';

    size_t start = a->base + n->out_beg[s];
    /* The token ends after its last unit and after any characters the
     * normalization deleted right behind it (harakat, tanwin, ZWNJ), so that
     * a highlight covers the whole written word. */
    uint32_t end = n->out_end[e - 1];
    uint32_t next = e < n->out_len ? n->out_beg[e] : (uint32_t)a->chunk_len;
    if (next > end)
        end = next;

    unsigned pos = ++a->pos;

    if (joinable) {
        /* Compounds are written joined, with ZWNJ or with a space: the pair
         * of adjacent Persian words is also indexed (and queried) as one word. */
        size_t jl = cut_utf8(a->prev_term, a->prev_len, KA_MAX_TERM);
        memcpy(a->joined, a->prev_term, jl);
        size_t rest = cut_utf8(a->term, len, KA_MAX_TERM - jl);
        memcpy(a->joined + jl, a->term, rest);
        jl += rest;
        a->joined[jl] = '\0';
        if (deliver(a, a->joined, jl, KA_SCRIPT_ARABIC, a->prev_start, a->base + end,
                    a->prev_pos, KA_TOK_JOINED))
            return 1;
    }

    /* A Latin or Cyrillic word written with a capital: a name, perhaps
     * (translit.c gives short name keys only to those). */
    unsigned cap = 0;
    if (sc == KA_SCRIPT_LATIN || sc == KA_SCRIPT_CYRILLIC) {
        UChar32 c0;
        int32_t ii = 0, l = (int32_t)(a->chunk_len - n->out_beg[s] > 4 ? 4 :
                                      a->chunk_len - n->out_beg[s]);
        U8_NEXT((const uint8_t *)a->chunk + n->out_beg[s], ii, l, c0);
        if (c0 >= 0 && u_isupper(c0))
            cap = KA_TOK_CAPITAL;
    }
    if (deliver(a, a->term, len, sc, start, a->base + end, pos, cap))
        return 1;
    /* The first letter of a dotted acronym (not one of its later letters). */
    if (s >= a->acro_until && e < n->out_len && n->out[e] == '.') {
        const char *letters = acronym_letters(a->term, len, sc);
        if (letters && acronym_deliver(a, e, letters, start, pos))
            return 1;
    }

    a->prev_arabic = sc == KA_SCRIPT_ARABIC;
    if (a->prev_arabic) {
        memcpy(a->prev_term, a->term, len + 1);
        a->prev_len = len;
        a->prev_start = start;
        a->prev_pos = pos;
    }
    return 0;
}

/* Length of the next chunk of text[0..len): everything if short, else cut
 * after the last white-space byte of the second half of KA_CHUNK bytes, or
 * at a character boundary if a "word" is that long. */
static size_t next_chunk(const char *text, size_t len)
{
    if (len <= KA_CHUNK)
        return len;
    for (size_t i = KA_CHUNK; i > KA_CHUNK / 2; i--) {
        char c = text[i - 1];
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r')
            return i;
    }
    size_t i = KA_CHUNK;
    while (i > KA_CHUNK - 4 && ((unsigned char)text[i] & 0xC0) == 0x80)
        i--;
    return i;
}

ka_status_t ka_analyze(ka_analyzer_t *a, ka_mode_t mode, const char *text, size_t len,
                       ka_token_cb cb, void *ctx)
{
    if (a == NULL || cb == NULL || (text == NULL && len > 0) ||
        (mode != KA_DOCUMENT && mode != KA_QUERY))
        return KA_ERR_ARG;
    a->cb = cb;
    a->cb_ctx = ctx;
    a->pos = 0;
    a->prev_arabic = 0;
    a->gap_clean = 1;
    a->gap_newlines = 0;

    size_t base = 0;
    while (base < len) {
        size_t clen = next_chunk(text + base, len - base);
        ka_status_t st = ka_norm_run(&a->norm, text + base, clen);
        if (st != KA_OK)
            return st;
        a->base = base;
        a->chunk_len = clen;
        a->chunk = text + base;
        a->last_end = 0;
        a->acro_until = 0;
        st = ka_tokenize(&a->tok, a->norm.out, a->norm.out_len, on_run, a);
        if (st != KA_OK)
            return st;
        scan_gap(a, a->norm.out_len);
        base += clen;
    }
    return KA_OK;
}

/* ------------------------------------------------------------------------ */
/* ka_fold, ka_guess_lang                                                    */

static int fold_reserve(ka_analyzer_t *a, size_t need)
{
    if (need <= a->fold_cap)
        return 0;
    size_t cap = a->fold_cap ? a->fold_cap : 256;
    while (cap < need)
        cap *= 2;
    char *f = realloc(a->fold, cap);
    if (f == NULL)
        return -1;
    a->fold = f;
    a->fold_cap = cap;
    return 0;
}

const char *ka_fold(ka_analyzer_t *a, const char *text, size_t len, size_t *out_len)
{
    if (a == NULL || (text == NULL && len > 0))
        return NULL;
    size_t used = 0;
    if (fold_reserve(a, 1) != 0)
        return NULL;
    size_t base = 0;
    while (base < len) {
        size_t clen = next_chunk(text + base, len - base);
        if (ka_norm_run(&a->fold_norm, text + base, clen) != KA_OK)
            return NULL;
        const UChar *u = a->fold_norm.out;
        int32_t n = a->fold_norm.out_len;
        /* At most three UTF-8 bytes per UTF-16 unit. */
        if (fold_reserve(a, used + 3 * (size_t)n + 1) != 0)
            return NULL;
        for (int32_t i = 0; i < n;) {
            UChar32 c;
            U16_NEXT(u, i, n, c);
            char *o = a->fold + used;
            if (c < 0x80) {
                o[0] = (char)c;
                used += 1;
            } else if (c < 0x800) {
                o[0] = (char)(0xC0 | (c >> 6));
                o[1] = (char)(0x80 | (c & 0x3F));
                used += 2;
            } else if (c < 0x10000) {
                o[0] = (char)(0xE0 | (c >> 12));
                o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
                o[2] = (char)(0x80 | (c & 0x3F));
                used += 3;
            } else {
                o[0] = (char)(0xF0 | (c >> 18));
                o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
                o[2] = (char)(0x80 | ((c >> 6) & 0x3F));
                o[3] = (char)(0x80 | (c & 0x3F));
                used += 4;
            }
        }
        base += clen;
    }
    a->fold[used] = '\0';
    if (out_len != NULL)
        *out_len = used;
    return a->fold;
}

const char *ka_guess_lang(ka_analyzer_t *a, const char *text, size_t len)
{
    (void)a;
    size_t counts[KA_SCRIPT_DIGIT + 1] = { 0 };
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    if (text == NULL)
        return "und";
    /* A plain decode: invalid bytes count as nothing. Only letters count. */
    while (i < len) {
        UChar32 c;
        int32_t ii = 0, l = (int32_t)(len - i > 4 ? 4 : len - i);
        U8_NEXT(s + i, ii, l, c);
        i += (size_t)ii;
        if (c < 0)
            continue;
        int sc = ka_script_of(c);
        if (sc >= 0 && sc <= KA_SCRIPT_DIGIT)
            counts[sc]++;
    }
    size_t fa = counts[KA_SCRIPT_ARABIC], ru = counts[KA_SCRIPT_CYRILLIC], en = counts[KA_SCRIPT_LATIN];
    if (fa == 0 && ru == 0 && en == 0)
        return "und";
    if (fa >= ru && fa >= en)
        return "fa";
    if (ru >= en)
        return "ru";
    return "en";
}

/* ------------------------------------------------------------------------ */
/* Life cycle                                                                */

/* ka_fold as a ka_fold_fn for the word lists. */
static const char *fold_word(void *ctx, const char *w, size_t len, size_t *out_len)
{
    return ka_fold(ctx, w, len, out_len);
}

ka_status_t ka_analyzer_new(ka_analyzer_t **out)
{
    if (out == NULL)
        return KA_ERR_ARG;
    *out = NULL;
    ka_analyzer_t *a = calloc(1, sizeof *a);
    if (a == NULL)
        return KA_ERR_NOMEM;
    ka_status_t st = ka_norm_init(&a->norm);
    if (st == KA_OK)
        ka_norm_init_shared(&a->fold_norm, &a->norm);
    a->cache_slots = KA_STEM_CACHE_FIRST;
    a->cache = calloc(a->cache_slots, sizeof *a->cache);
    if (st == KA_OK && a->cache == NULL)
        st = KA_ERR_NOMEM;
    if (st == KA_OK)
        st = ka_tokenizer_init(&a->tok);
    if (st == KA_OK && (kx_stemmer_new("russian", &a->stem_ru) != KX_OK ||
                        kx_stemmer_new("english", &a->stem_en) != KX_OK))
        st = KA_ERR_STEMMER;
    if (st == KA_OK)
        st = ka_stem_fa_init(&a->stem_fa, fold_word, a);
    if (st == KA_OK)
        st = ka_wordset_init(&a->stop_fa, ka_stopwords_fa, ka_stopwords_fa_count, fold_word, a);
    if (st == KA_OK)
        st = ka_wordset_init(&a->stop_ru, ka_stopwords_ru, ka_stopwords_ru_count, fold_word, a);
    if (st == KA_OK)
        st = ka_wordset_init(&a->stop_en, ka_stopwords_en, ka_stopwords_en_count, fold_word, a);
    if (st != KA_OK) {
        ka_analyzer_free(a);
        return st;
    }
    *out = a;
    return KA_OK;
}

ka_status_t ka_analyzer_set_options(ka_analyzer_t *a, unsigned opts)
{
    if (a == NULL || (opts & ~KA_OPT_NO_JOINED) != 0)
        return KA_ERR_ARG;
    a->opts = opts;
    return KA_OK;
}

void ka_analyzer_free(ka_analyzer_t *a)
{
    if (a == NULL)
        return;
    ka_norm_fini(&a->fold_norm);
    ka_norm_fini(&a->norm);
    ka_tokenizer_fini(&a->tok);
    kx_stemmer_free(a->stem_ru);
    kx_stemmer_free(a->stem_en);
    ka_stem_fa_fini(&a->stem_fa);
    ka_wordset_fini(&a->stop_fa);
    ka_wordset_fini(&a->stop_ru);
    ka_wordset_fini(&a->stop_en);
    free(a->cache);
    free(a->fold);
    free(a);
}
