/*
 * dictd.c - FreeDict/dictd dictionaries converted to glossary TSV.
 *
 * A dictd dictionary is a pair: NAME.index, one line per entry
 * "HEADWORD<TAB>OFFSET<TAB>LENGTH" with the numbers in dictd's base64
 * (A-Z a-z 0-9 + /, most significant digit first), and NAME.dict (or
 * NAME.dict.dz, dictzip, which gzip-compatible readers decompress whole),
 * whose bytes [OFFSET, OFFSET+LENGTH) are the entry's text: a line with the
 * headword (often with its pronunciation and part of speech), then the
 * translations, numbered or separated by commas and semicolons.
 *
 * Each entry becomes one concept line: the headword in the source
 * language's column and its short translations in the target language's
 * column. Example sentences and notes are left out: a glossary variant is a
 * name or a term, and kavosh-search matches at most 16 words of one.
 */
#include "index.h"
#include "index_internal.h"
#include "glossary.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#ifdef KAVOSH_HAVE_ZLIB
#include <zlib.h>
#endif

/* The largest .index or (decompressed) .dict read: the biggest FreeDict
 * dictionaries are some tens of MB, so more is not a dictionary. */
#define KI_DICT_MAX_INPUT (128u * 1024u * 1024u)
/* Translations kept per entry: the first ones are the common senses. */
#define KI_DICT_MAX_ALTERNATIVES 8
/* Words in one translation; longer is an explanation or an example, not a term. */
#define KI_DICT_MAX_WORDS 6
/* Bytes of one headword or translation. */
#define KI_DICT_MAX_ITEM 160
/* Malformed index lines reported one by one; the rest are only counted. */
#define KI_DICT_MAX_REPORTS 5

enum { COL_FA, COL_RU, COL_EN, N_COLS };

/* The columns are the glossary's languages, in its order. */
_Static_assert((int)COL_FA == (int)KS_LANG_FA && (int)COL_RU == (int)KS_LANG_RU &&
               (int)COL_EN == (int)KS_LANG_EN, "dictd columns follow ks_glossary_lang_t");

static int lang_col(const char *s, size_t n)
{
    return ks_glossary_lang_from_code(s, n);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* The common stem of the pair, malloc'd. */
static char *dict_stem(const char *path)
{
    static const char *const suffixes[] = { ".dict.dz", ".index", ".dict" };
    char *stem = strdup(path);
    if (!stem)
        return NULL;
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++)
        if (ends_with(stem, suffixes[i])) {
            stem[strlen(stem) - strlen(suffixes[i])] = '\0';
            break;
        }
    return stem;
}

static char *with_suffix(const char *stem, const char *suffix)
{
    size_t n = strlen(stem) + strlen(suffix) + 1;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s", stem, suffix);
    return s;
}

int ki_is_dictd(const char *path)
{
    if (ends_with(path, ".index") || ends_with(path, ".dict") || ends_with(path, ".dict.dz"))
        return 1;
    char *idx = with_suffix(path, ".index");
    int yes = idx && exists(idx);
    free(idx);
    return yes;
}

/* The language pair: "SRC,DST" if given, else two adjacent language codes
 * among the dash-separated parts of the file name (freedict-eng-rus). */
static int dict_langs(const char *stem, const char *given, int *src, int *dst)
{
    if (given) {
        const char *comma = strchr(given, ',');
        if (!comma)
            return -1;
        *src = lang_col(given, (size_t)(comma - given));
        *dst = lang_col(comma + 1, strlen(comma + 1));
        return *src >= 0 && *dst >= 0 && *src != *dst ? 0 : -1;
    }
    const char *base = strrchr(stem, '/');
    base = base ? base + 1 : stem;
    const char *prev = NULL;
    size_t prev_len = 0;
    for (const char *p = base; *p;) {
        size_t n = strcspn(p, "-_.");
        if (prev) {
            int a = lang_col(prev, prev_len), b = lang_col(p, n);
            if (a >= 0 && b >= 0 && a != b) {
                *src = a;
                *dst = b;
                return 0;
            }
        }
        prev = p;
        prev_len = n;
        p += n;
        if (*p)
            p++;
    }
    return -1;
}

/* Read a whole file, decompressing gzip/dictzip when zlib is available. */
static int read_all(const char *path, char **out, size_t *len_out, ki_exit_t *ex)
{
    *out = NULL;
    /* A FIFO or a device named by --dict must not hang the run. */
    struct stat sb;
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        ki_error("%s: cannot read: not a regular file", path);
        *ex = KI_EXIT_FAILURE;
        return -1;
    }
#ifdef KAVOSH_HAVE_ZLIB
    gzFile f = gzopen(path, "rb");
    if (!f) {
        ki_error("%s: cannot read: %s", path, strerror(errno ? errno : EIO));
        *ex = KI_EXIT_FAILURE;
        return -1;
    }
    size_t cap = 1u << 20, len = 0;
    char *buf = malloc(cap + 1);
    for (;;) {
        if (!buf)
            break;
        if (len == cap) {
            if (cap >= KI_DICT_MAX_INPUT) {
                ki_error("%s: larger than %u bytes, too large for a dictionary", path,
                         KI_DICT_MAX_INPUT);
                free(buf);
                gzclose(f);
                *ex = KI_EXIT_FAILURE;
                return -1;
            }
            char *nb = realloc(buf, cap * 2 + 1);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t want = cap - len > (1u << 30) ? (1u << 30) : cap - len;
        int n = gzread(f, buf + len, (unsigned)want);
        if (n < 0) {
            int zerr = 0;
            const char *msg = gzerror(f, &zerr);
            ki_error("%s: cannot decompress: %s", path, msg ? msg : "error");
            free(buf);
            gzclose(f);
            *ex = KI_EXIT_FAILURE;
            return -1;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    gzclose(f);
    if (!buf) {
        ki_error("%s: out of memory", path);
        *ex = KI_EXIT_FAILURE;
        return -1;
    }
    buf[len] = '\0';
    *out = buf;
    *len_out = len;
    return 0;
#else
    if (ends_with(path, ".dz")) {
        ki_error("%s: this kavosh-index was built without zlib and cannot read dictzip files; "
                 "decompress it first (gunzip -S .dz)", path);
        *ex = KI_EXIT_FAILURE;
        return -1;
    }
    if (ki_read_regular(path, out, len_out) != 0) {
        ki_error("%s: cannot read: %s", path, strerror(errno));
        *ex = KI_EXIT_FAILURE;
        return -1;
    }
    return 0;
#endif
}

/* dictd's base64 number in s[0..n); -1 if malformed or too large. */
static long long b64_number(const char *s, size_t n)
{
    static const char digits[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if (n == 0 || n > 8)   /* 8 digits are 48 bits, beyond any file read here */
        return -1;
    long long v = 0;
    for (size_t i = 0; i < n; i++) {
        const char *d = s[i] ? strchr(digits, s[i]) : NULL;
        if (!d)
            return -1;
        v = v * 64 + (d - digits);
    }
    return v;
}

/* ---------------------------------------------------------------------- */
/* Output                                                                  */

typedef struct out {
    char  *buf;
    size_t len, cap;
    int    full;     /* KI_MAX_GLOSSARY_BYTES reached */
} out_t;

static int put(out_t *o, const char *s, size_t n)
{
    if (o->len + n + 1 > o->cap) {
        size_t cap = o->cap ? o->cap : 65536;
        while (cap < o->len + n + 1)
            cap *= 2;
        char *nb = realloc(o->buf, cap);
        if (!nb)
            return -1;
        o->buf = nb;
        o->cap = cap;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
    o->buf[o->len] = '\0';
    return 0;
}

/* Does s[0..n) have a letter of the language of column col? A translation
 * into Russian without a Cyrillic letter is an example or a note. */
static int has_script(const char *s, size_t n, int col)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n; i++) {
        switch (col) {
        case COL_RU: if (u[i] >= 0xd0 && u[i] <= 0xd3) return 1; break;
        case COL_FA: if (u[i] >= 0xd8 && u[i] <= 0xdb) return 1; break;
        default:
            if ((u[i] | 0x20) >= 'a' && (u[i] | 0x20) <= 'z') return 1;
            break;
        }
    }
    return 0;
}

/* Copy s[0..n) into dst (cap bytes) without bracketed remarks (<...>, [...],
 * (...), {...}, /.../ pronunciations), separators of our format (TAB, '|'),
 * control characters and doubled spaces; returns the length, 0 if it does not fit in cap or
 * is not valid UTF-8. */
static size_t clean_item(const char *s, size_t n, char *dst, size_t cap)
{
    size_t k = 0;
    int depth = 0, slash = 0;
    for (size_t i = 0; i < n; i++) {
        /* Longer than a term could be: no item rather than half of one. */
        if (k + 1 >= cap) {
            dst[0] = '\0';
            return 0;
        }
        char c = s[i];
        if (c == '<' || c == '[' || c == '(' || c == '{') { depth++; continue; }
        if ((c == '>' || c == ']' || c == ')' || c == '}') && depth > 0) { depth--; continue; }
        if (c == '/') { slash = !slash; continue; }
        if (depth || slash)
            continue;
        /* Separators of our format and control characters (never part of a term). */
        if (c == '|' || c == '"' || (unsigned char)c < 0x20 || c == 0x7f)
            c = ' ';
        if (c == ' ' && (k == 0 || dst[k - 1] == ' '))
            continue;
        dst[k++] = c;
    }
    while (k && (dst[k - 1] == ' ' || dst[k - 1] == '.' || dst[k - 1] == ':'))
        k--;
    dst[k] = '\0';
    /* The dictionary is not trusted to be UTF-8; the glossary must be. */
    if (ki_utf8_check(dst, k) != k) {
        dst[0] = '\0';
        return 0;
    }
    return k;
}

static size_t count_words(const char *s)
{
    size_t w = 0;
    for (const char *p = s; *p;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        w++;
        while (*p && *p != ' ')
            p++;
    }
    return w;
}

/* The translations of one entry's text, joined with " | " into alts. */
static size_t entry_translations(const char *text, size_t n, const char *headword, int dst,
                                 char *alts, size_t cap)
{
    size_t n_alts = 0, alen = 0;
    alts[0] = '\0';
    size_t hw = strlen(headword);
    int first = 1;
    for (size_t i = 0; i < n && n_alts < KI_DICT_MAX_ALTERNATIVES;) {
        size_t start = i;
        while (i < n && text[i] != '\n')
            i++;
        const char *line = text + start;
        size_t len = i - start;
        if (i < n)
            i++;
        while (len && (*line == ' ' || *line == '\t')) { line++; len--; }
        if (!len)
            continue;
        /* The first line repeats the headword (with pronunciation and part of speech). */
        if (first) {
            first = 0;
            if (len >= hw && strncasecmp(line, headword, hw) == 0)
                continue;
        }
        /* A quoted line is an example sentence, not a translation. */
        if (line[0] == '"' || strncmp(line, "\u00ab", 2) == 0 || strncmp(line, "\u201c", 3) == 0)
            continue;
        /* "1. ", "2) ": sense numbers. */
        size_t d = 0;
        while (d < len && line[d] >= '0' && line[d] <= '9')
            d++;
        if (d && d < len && (line[d] == '.' || line[d] == ')')) {
            line += d + 1;
            len -= d + 1;
        }
        for (size_t p = 0; p < len && n_alts < KI_DICT_MAX_ALTERNATIVES;) {
            size_t q = p;
            int depth = 0;
            while (q < len && !(depth == 0 && (line[q] == ',' || line[q] == ';'))) {
                if (line[q] == '(' || line[q] == '[' || line[q] == '<') depth++;
                else if ((line[q] == ')' || line[q] == ']' || line[q] == '>') && depth) depth--;
                q++;
            }
            char item[KI_DICT_MAX_ITEM];
            size_t k = clean_item(line + p, q - p, item, sizeof item);
            p = q + 1;
            if (!k || !has_script(item, k, dst) || count_words(item) > KI_DICT_MAX_WORDS)
                continue;
            if (alen + k + 4 >= cap)
                break;
            if (n_alts) {
                memcpy(alts + alen, " | ", 3);
                alen += 3;
            }
            memcpy(alts + alen, item, k);
            alen += k;
            alts[alen] = '\0';
            n_alts++;
        }
    }
    return n_alts;
}

int ki_dictd_convert(const char *path, const char *idx_path, const char *idx, size_t idx_len,
                     const char *data_path, const char *dict, size_t dict_len, int src, int dst,
                     char **tsv_out, size_t *len_out, size_t *entries_out)
{
    *tsv_out = NULL;
    *len_out = 0;
    *entries_out = 0;
    out_t o = { 0 };
    int rc = -1;
    if (src < 0 || src >= N_COLS || dst < 0 || dst >= N_COLS || src == dst)
        return -1;
    static const char *const header[N_COLS] = { "fa", "ru", "en" };
    if (put(&o, "# converted by kavosh-index from ", 33) || put(&o, idx_path, strlen(idx_path)) ||
        put(&o, "\nfa\tru\ten\n", 10))
        goto oom;
    size_t lineno = 0, bad = 0, entries = 0;
    for (size_t i = 0; i < idx_len;) {
        lineno++;
        size_t start = i;
        while (i < idx_len && idx[i] != '\n')
            i++;
        size_t n = i - start;
        const char *line = idx + start;
        if (i < idx_len)
            i++;
        if (n && line[n - 1] == '\r')
            n--;
        if (!n)
            continue;
        const char *t1 = memchr(line, '\t', n);
        const char *t2 = t1 ? memchr(t1 + 1, '\t', (size_t)(line + n - t1 - 1)) : NULL;
        long long off = -1, len = -1;
        if (t2) {
            const char *t3 = memchr(t2 + 1, '\t', (size_t)(line + n - t2 - 1));
            off = b64_number(t1 + 1, (size_t)(t2 - t1 - 1));
            len = b64_number(t2 + 1, (size_t)((t3 ? t3 : line + n) - t2 - 1));
        }
        if (!t2 || off < 0 || len < 0 || (unsigned long long)off + (unsigned long long)len > dict_len) {
            if (bad++ < KI_DICT_MAX_REPORTS)
                ki_warn("%s:%zu: skipped: not HEADWORD<TAB>OFFSET<TAB>LENGTH within %s",
                        idx_path, lineno, data_path);
            continue;
        }
        char headword[KI_DICT_MAX_ITEM];
        size_t hl = clean_item(line, (size_t)(t1 - line), headword, sizeof headword);
        /* dictd's own entries describe the dictionary, not words. */
        if (!hl || strncmp(headword, "00-database", 11) == 0 ||
            strncmp(headword, "00database", 10) == 0 || !has_script(headword, hl, src))
            continue;
        char alts[KI_DICT_MAX_ALTERNATIVES * (KI_DICT_MAX_ITEM + 3) + 1];
        if (!entry_translations(dict + off, (size_t)len, headword, dst, alts, sizeof alts))
            continue;
        size_t need = hl + strlen(alts) + N_COLS + 1;
        if (o.len + need > KI_MAX_GLOSSARY_BYTES) {
            ki_warn("%s: only the first %zu entries kept: a stored glossary may have at most %u bytes",
                    path, entries, KI_MAX_GLOSSARY_BYTES);
            break;
        }
        for (int c = 0; c < N_COLS; c++) {
            const char *v = c == src ? headword : c == dst ? alts : "";
            if ((c && put(&o, "\t", 1)) || put(&o, v, strlen(v)))
                goto oom;
        }
        if (put(&o, "\n", 1))
            goto oom;
        entries++;
    }
    if (bad > KI_DICT_MAX_REPORTS)
        ki_warn("%s: %zu malformed lines skipped in all", idx_path, bad);
    if (entries == 0) {
        ki_error("%s: no entries with translations found (is it a %s-%s dictionary?)", path,
                 header[src], header[dst]);
        goto done;
    }
    *tsv_out = o.buf;
    *len_out = o.len;
    *entries_out = entries;
    o.buf = NULL;
    rc = 0;
    goto done;
oom:
    ki_error("%s: out of memory", path);
done:
    free(o.buf);
    return rc;
}

int ki_dictd_to_tsv(const char *path, const char *langs, char **tsv_out, size_t *len_out,
                    size_t *entries_out, ki_exit_t *exit_out)
{
    *tsv_out = NULL;
    *len_out = 0;
    *entries_out = 0;
    *exit_out = KI_EXIT_FAILURE;
    char *stem = dict_stem(path);
    char *idx_path = stem ? with_suffix(stem, ".index") : NULL;
    char *dict_path = stem ? with_suffix(stem, ".dict") : NULL;
    char *dz_path = stem ? with_suffix(stem, ".dict.dz") : NULL;
    char *idx = NULL, *dict = NULL;
    size_t idx_len = 0, dict_len = 0;
    int rc = -1;
    if (!stem || !idx_path || !dict_path || !dz_path) {
        ki_error("%s: out of memory", path);
        goto done;
    }
    int src, dst;
    if (dict_langs(stem, langs, &src, &dst) != 0) {
        if (langs) {
            ki_error("--dict-langs wants two different languages of fa, ru, en as SRC,DST, not '%s'",
                     langs);
            *exit_out = KI_EXIT_USAGE;
        } else
            ki_error("%s: cannot tell the languages from the file name; give --dict-langs SRC,DST "
                     "(e.g. en,ru)", path);
        goto done;
    }
    if (!exists(idx_path)) {
        ki_error("%s: no dictd index %s next to it", path, idx_path);
        goto done;
    }
    const char *data_path = exists(dict_path) ? dict_path : dz_path;
    if (!exists(data_path)) {
        ki_error("%s: neither %s nor %s exists", path, dict_path, dz_path);
        goto done;
    }
    if (read_all(idx_path, &idx, &idx_len, exit_out) != 0 ||
        read_all(data_path, &dict, &dict_len, exit_out) != 0)
        goto done;
    rc = ki_dictd_convert(path, idx_path, idx, idx_len, data_path, dict, dict_len, src, dst,
                          tsv_out, len_out, entries_out);
    *exit_out = rc == 0 ? KI_EXIT_OK : KI_EXIT_FAILURE;
done:
    free(idx);
    free(dict);
    free(stem);
    free(idx_path);
    free(dict_path);
    free(dz_path);
    return rc;
}
