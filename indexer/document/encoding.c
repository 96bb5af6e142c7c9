/*
 * encoding.c - the bytes of a text file (plain text, Markdown, HTML) to
 * UTF-8, before any reader sees them.
 *
 * In this order:
 *   1. an encoding the user forced (--encoding=NAME): converted with ICU,
 *      no guessing, no warning;
 *   2. a byte order mark: UTF-8 (dropped), UTF-16LE/BE or UTF-32LE/BE
 *      (converted);
 *   3. valid UTF-8: as it is;
 *   4. mostly UTF-8 (at least KD_MOSTLY_UTF8 valid multi-byte sequences per
 *      invalid byte): kept as UTF-8 with U+FFFD for the invalid bytes, and
 *      one warning naming the line and byte offset of the first;
 *   5. HTML declaring its charset (<meta charset=...> or http-equiv) in its
 *      first KD_META_SCAN bytes: that charset, no warning;
 *   6. otherwise ICU's charset detector (ucsdet) picks the encoding and
 *      ICU's converter (ucnv) reads it, with one warning naming it:
 *      windows-1256 Persian, windows-1251 and KOI8-R Russian, ISO-8859-x.
 * Whatever cannot be converted becomes U+FFFD; NUL bytes do too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <unicode/ucnv.h>
#include <unicode/ucsdet.h>

#include "document_internal.h"

/* Valid multi-byte sequences per invalid byte for a file still to be UTF-8:
 * a windows-1256 or KOI8-R file has almost none, a UTF-8 file with a few
 * damaged bytes has hundreds. */
#define KD_MOSTLY_UTF8 8
/* How much of an HTML file is searched for its declared charset. */
#define KD_META_SCAN 4096
/* How much of a file the detector looks at: enough for its statistics. */
#define KD_DETECT_MAX (256u * 1024u)

int
kd_encoding_valid(const char *name)
{
    if (!name || !*name)
        return 0;
    UErrorCode err = U_ZERO_ERROR;
    UConverter *c = ucnv_open(name, &err);
    if (U_FAILURE(err) || !c)
        return 0;
    ucnv_close(c);
    return 1;
}

/* buf[0..len) in encoding `from` converted to UTF-8 (malloc'd), NULs and
 * unconvertible bytes as U+FFFD; NULL if the converter cannot be opened or
 * memory runs out. */
static char *
convert(const char *from, const char *buf, size_t len, size_t *out_len)
{
    UErrorCode err = U_ZERO_ERROR;
    UConverter *src = ucnv_open(from, &err);
    if (U_FAILURE(err))
        return NULL;
    UConverter *dst = ucnv_open("UTF-8", &err);
    if (U_FAILURE(err)) {
        ucnv_close(src);
        return NULL;
    }
    /* U+FFFD for what the source cannot map (ICU's default is SUB). */
    static const UChar fffd[] = { 0xFFFD };
    ucnv_setSubstString(src, fffd, 1, &err);
    err = U_ZERO_ERROR;
    /* At most 4 UTF-8 bytes per source byte (UTF-16 is 2 bytes for 3). */
    size_t cap = len * 3 + 16;
    char *out = malloc(cap + 1);
    if (!out) {
        ucnv_close(src);
        ucnv_close(dst);
        return NULL;
    }
    char *t = out;
    const char *s = buf;
    ucnv_convertEx(dst, src, &t, out + cap, &s, buf + len, NULL, NULL, NULL, NULL, 1, 1, &err);
    ucnv_close(src);
    ucnv_close(dst);
    if (U_FAILURE(err)) {
        free(out);
        return NULL;
    }
    size_t n = (size_t)(t - out);
    out[n] = '\0';
    /* NUL bytes (a UTF-16 file read as such may hold U+0000) become U+FFFD. */
    char *clean = kd_utf8_sanitize(out, n, out_len);
    free(out);
    return clean;
}

/* The charset an HTML file declares in its head, as a NUL-terminated name in
 * name[0..cap), or 0 if none. Only ASCII is looked at. */
static int
html_meta_charset(const char *buf, size_t len, char *name, size_t cap)
{
    size_t n = len < KD_META_SCAN ? len : KD_META_SCAN;
    for (size_t i = 0; i + 8 <= n; i++) {
        if (strncasecmp(buf + i, "charset", 7) != 0)
            continue;
        size_t j = i + 7;
        while (j < n && (buf[j] == ' ' || buf[j] == '\t' || buf[j] == '\n' || buf[j] == '\r'))
            j++;
        if (j >= n || buf[j] != '=')
            continue;
        j++;
        while (j < n && (buf[j] == ' ' || buf[j] == '"' || buf[j] == '\''))
            j++;
        size_t k = 0;
        while (j < n && k + 1 < cap &&
               ((buf[j] >= 'a' && buf[j] <= 'z') || (buf[j] >= 'A' && buf[j] <= 'Z') ||
                (buf[j] >= '0' && buf[j] <= '9') || buf[j] == '-' || buf[j] == '_' ||
                buf[j] == '.' || buf[j] == ':'))
            name[k++] = buf[j++];
        name[k] = '\0';
        if (k > 0)
            return 1;
    }
    return 0;
}

/* How plausible text[0..n) is as what Kavosh's readers write: letters of
 * the Arabic, Cyrillic and Latin scripts count for it; C1 controls, U+FFFD,
 * letters of other scripts, and a lower-case letter followed by a capital
 * inside a word ("оТНОШЕНИЯ": KOI8-R read as windows-1251) count against
 * it. Per thousand letters; negative when the text is mostly wrong. */
static long
plausibility(const char *text, size_t n)
{
    long good = 0, bad = 0, letters = 0;
    uint32_t prev = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t l = kd_utf8_decode(text + i, n - i, &cp);
        i += l;
        if ((cp >= 0x80 && cp <= 0x9F) || cp == 0xFFFD) {
            bad++;
            prev = 0;
            continue;
        }
        int arabic = cp >= 0x0600 && cp <= 0x06FF;
        int cyr = cp >= 0x0400 && cp <= 0x04FF;
        int latin = (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') ||
                    (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7);
        if (arabic || cyr || latin) {
            letters++;
            good++;
            if (cyr && prev >= 0x0430 && prev <= 0x045F && cp >= 0x0400 && cp <= 0x042F)
                bad++;
        } else if (cp >= 0x0370) {
            /* Greek, Hebrew, CJK...: a wrong guess for fa/ru/en texts. */
            if (!(cp >= 0x2000 && cp <= 0x206F) && !(cp >= 0xFB50 && cp <= 0xFEFF)) {
                letters++;
                bad++;
            }
        }
        prev = cp;
    }
    if (letters == 0)
        return 0;
    return (good - 4 * bad) * 1000 / letters;
}

/* The encoding to read buf in, copied into name[0..cap): ICU's detector
 * ranks the candidates; its first is taken when its text is plausible for a
 * Persian, Russian or English reader (see plausibility), else the most
 * plausible of its guesses and of the usual legacy encodings of these
 * languages (ICU has no statistics for Persian in windows-1256). 0 if none
 * fits. */
static int
detect(const char *buf, size_t len, int html, char *name, size_t cap, int *confidence)
{
    static const char *const usual[] = { "windows-1256", "windows-1251", "KOI8-R",
                                         "ISO-8859-1", "windows-1252", "ISO-8859-5" };
    UErrorCode err = U_ZERO_ERROR;
    UCharsetDetector *d = ucsdet_open(&err);
    if (U_FAILURE(err))
        return 0;
    ucsdet_enableInputFilter(d, html ? 1 : 0);
    size_t n = len < KD_DETECT_MAX ? len : KD_DETECT_MAX;
    ucsdet_setText(d, buf, (int32_t)n, &err);
    int32_t found = 0;
    const UCharsetMatch **all = U_SUCCESS(err) ? ucsdet_detectAll(d, &found, &err) : NULL;
    char best[64] = "";
    long best_score = -1000000;
    int best_conf = 0;
    int32_t total = (all && U_SUCCESS(err)) ? found : 0;
    for (int32_t i = 0; i < total + (int32_t)(sizeof usual / sizeof usual[0]); i++) {
        const char *nm;
        int conf = 0;
        if (i < total) {
            UErrorCode e = U_ZERO_ERROR;
            nm = ucsdet_getName(all[i], &e);
            conf = ucsdet_getConfidence(all[i], &e);
            /* The bytes are not valid UTF-8, and UTF-16/32 without a byte
             * order mark is a guess about binary data. */
            if (U_FAILURE(e) || !nm || strncasecmp(nm, "UTF-", 4) == 0)
                continue;
        } else {
            nm = usual[i - total];
        }
        size_t tl = 0;
        char *t = convert(nm, buf, n, &tl);
        if (!t)
            continue;
        long sc = plausibility(t, tl);
        free(t);
        /* ICU's own ranking wins among plausible readings. */
        if (sc >= 900 && i < total) {
            snprintf(best, sizeof best, "%s", nm);
            best_conf = conf;
            break;
        }
        if (sc > best_score) {
            best_score = sc;
            best_conf = conf;
            snprintf(best, sizeof best, "%s", nm);
        }
    }
    ucsdet_close(d);
    if (!*best)
        return 0;
    snprintf(name, cap, "%s", best);
    *confidence = best_conf;
    return 1;
}

/* Count the invalid bytes of buf and the valid multi-byte sequences; the
 * offset of the first invalid byte in *first. */
static void
utf8_census(const char *buf, size_t len, size_t *invalid, size_t *multi, size_t *first)
{
    const unsigned char *s = (const unsigned char *)buf;
    *invalid = *multi = 0;
    *first = len;
    for (size_t i = 0; i < len;) {
        if (s[i] < 0x80 && s[i] != 0) {
            i++;
            continue;
        }
        size_t l = ki_utf8_seq(s + i, len - i);
        if (l == 0 || s[i] == 0) {
            if (*first == len)
                *first = i;
            (*invalid)++;
            i++;
        } else {
            (*multi)++;
            i += l;
        }
    }
}

static unsigned
line_of(const char *buf, size_t off)
{
    unsigned line = 1;
    for (size_t i = 0; i < off; i++)
        line += buf[i] == '\n';
    return line;
}

/* What the text was read as. An EPUB decodes each chapter here: the first
 * chapter not in UTF-8 names it (each replacing the last leaked the others,
 * as the EPUB fuzz harness found). */
static void
set_encoding(kd_document_t *doc, const char *name)
{
    if (!doc->encoding)
        doc->encoding = kd_strdup(name);
}

char *
kd_decode_text(kd_builder_t *b, int html, const char *forced, const char *buf, size_t len,
               size_t *out_len)
{
    kd_document_t *doc = b->doc;
    const unsigned char *u = (const unsigned char *)buf;
    const char *bom = NULL;
    size_t skip = 0;
    if (forced && *forced) {
        char *out = convert(forced, buf, len, out_len);
        if (out)
            set_encoding(doc, forced);
        return out;
    }
    if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
        skip = 3;   /* UTF-8: the mark goes, the rest is checked below */
    } else if (len >= 4 && u[0] == 0xFF && u[1] == 0xFE && u[2] == 0 && u[3] == 0) {
        bom = "UTF-32LE";
        skip = 4;
    } else if (len >= 4 && u[0] == 0 && u[1] == 0 && u[2] == 0xFE && u[3] == 0xFF) {
        bom = "UTF-32BE";
        skip = 4;
    } else if (len >= 2 && u[0] == 0xFF && u[1] == 0xFE) {
        bom = "UTF-16LE";
        skip = 2;
    } else if (len >= 2 && u[0] == 0xFE && u[1] == 0xFF) {
        bom = "UTF-16BE";
        skip = 2;
    }
    if (bom) {
        char *out = convert(bom, buf + skip, len - skip, out_len);
        if (out)
            set_encoding(doc, bom);
        return out;
    }
    buf += skip;
    len -= skip;
    size_t invalid, multi, first;
    utf8_census(buf, len, &invalid, &multi, &first);
    if (invalid == 0)
        return kd_utf8_sanitize(buf, len, out_len);

    char name[64];
    if (multi < invalid * KD_MOSTLY_UTF8) {
        if (html && html_meta_charset(buf, len, name, sizeof name) && kd_encoding_valid(name)) {
            char *out = convert(name, buf, len, out_len);
            if (out) {
                set_encoding(doc, name);
                return out;
            }
        }
        int conf = 0;
        if (detect(buf, len, html, name, sizeof name, &conf)) {
            char *out = convert(name, buf, len, out_len);
            if (out) {
                set_encoding(doc, name);
                kd_diag(b, 0, 0, "not UTF-8: read as %s (%s; --encoding=NAME reads it as "
                        "another)", name, conf > 0 ? "detected" : "guessed");
                return out;
            }
        }
    }
    size_t bad_line = line_of(buf, first);
    size_t ls = first;
    while (ls > 0 && buf[ls - 1] != '\n')
        ls--;
    size_t col = 1;   /* in characters, as every diagnostic's */
    for (size_t i = ls; i < first;) {
        uint32_t cp;
        i += kd_utf8_decode(buf + i, first - i, &cp);
        col++;
    }
    kd_diag(b, (unsigned)bad_line, (unsigned)col,
            "invalid UTF-8 at byte offset %zu (%zu invalid byte%s in all), "
            "read as U+FFFD", first + skip, invalid, invalid == 1 ? "" : "s");
    return kd_utf8_sanitize(buf, len, out_len);
}
