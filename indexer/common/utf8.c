/*
 * utf8.c - the little UTF-8 knowledge the document parser needs of its own:
 * decoding without trusting the bytes, digits of the three scripts the corpus
 * uses, and which code points are letters. Normalization proper belongs to the
 * analyzer (ka_fold); this is only enough to find boundaries.
 */
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "utf8.h"

size_t
kd_utf8_decode(const char *str, size_t n, uint32_t *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    *cp = 0xFFFD;
    if (n == 0)
        return 0;
    unsigned c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t need;
    uint32_t v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1; v = c & 0x1F; min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2; v = c & 0x0F; min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3; v = c & 0x07; min = 0x10000;
    } else {
        return 1;
    }
    if (n < need + 1)
        return 1;
    for (size_t i = 1; i <= need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 1;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 1;
    *cp = v;
    return need + 1;
}

size_t
kd_utf8_prev(const char *s, size_t end, uint32_t *cp)
{
    *cp = 0;
    if (end == 0)
        return 0;
    size_t start = end - 1;
    /* At most three continuation bytes precede a lead byte. */
    while (start > 0 && end - start < 4 && ((unsigned char)s[start] & 0xC0) == 0x80)
        start--;
    size_t l = kd_utf8_decode(s + start, end - start, cp);
    if (start + l != end) {
        /* Not a well-formed character ending at end: step one byte. */
        *cp = 0xFFFD;
        return end - 1;
    }
    return start;
}

char *
kd_utf8_sanitize(const char *buf, size_t len, size_t *out_len)
{
    kd_buf_t b = {0};
    size_t i = 0, run = 0;
    while (i < len) {
        uint32_t cp;
        size_t l = kd_utf8_decode(buf + i, len - i, &cp);
        if (cp == 0 || (cp == 0xFFFD && l == 1)) {
            kd_buf_add(&b, buf + run, i - run);
            kd_buf_add(&b, "\xEF\xBF\xBD", 3);
            i += l;
            run = i;
            continue;
        }
        i += l;
    }
    kd_buf_add(&b, buf + run, len - run);
    size_t n = b.len;
    char *p = kd_buf_take(&b);
    if (p && out_len)
        *out_len = n;
    return p;
}

int
kd_cp_digit(uint32_t cp)
{
    if (cp >= '0' && cp <= '9')
        return (int)(cp - '0');
    if (cp >= 0x06F0 && cp <= 0x06F9)   /* Extended Arabic-Indic (Persian) */
        return (int)(cp - 0x06F0);
    if (cp >= 0x0660 && cp <= 0x0669)   /* Arabic-Indic */
        return (int)(cp - 0x0660);
    return -1;
}

int
kd_cp_is_letter(uint32_t cp)
{
    if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'))
        return 1;
    if (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7)   /* Latin-1 and Extended */
        return 1;
    if (cp >= 0x400 && cp <= 0x52F)                               /* Cyrillic */
        return 1;
    if ((cp >= 0x621 && cp <= 0x64A) || (cp >= 0x671 && cp <= 0x6D3) ||
        (cp >= 0x6FA && cp <= 0x6FC) || cp == 0x6D5)
        return 1;                                                 /* Arabic script letters */
    if (cp >= 0xFB50 && cp <= 0xFDFF)                             /* Arabic presentation forms */
        return 1;
    if (cp >= 0xFE70 && cp <= 0xFEFC)
        return 1;
    return 0;
}

int
kd_cp_is_space(uint32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v' ||
           cp == 0xA0 || cp == 0x2009 || cp == 0x200A || cp == 0x202F || cp == 0x3000 ||
           (cp >= 0x2000 && cp <= 0x2008);
}

size_t kd_count_words(const char *s, size_t n)
{
    size_t w = 0;
    int in = 0;
    for (size_t i = 0; i < n; i++) {
        int sp = s[i] == ' ' || s[i] == '\n';
        if (!sp && !in)
            w++;
        in = !sp;
    }
    return w;
}

/* Length of the valid UTF-8 sequence at s[0..n), or 0 if it is not one. */
size_t ki_utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned min;
    unsigned cp;
    if (c >= 0xc2 && c <= 0xdf) { len = 2; min = 0x80; cp = c & 0x1f; }
    else if (c >= 0xe0 && c <= 0xef) { len = 3; min = 0x800; cp = c & 0x0f; }
    else if (c >= 0xf0 && c <= 0xf4) { len = 4; min = 0x10000; cp = c & 0x07; }
    else return 0;
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

size_t ki_utf8_check(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t k = ki_utf8_seq(u + i, n - i);
        if (k == 0 || u[i] == 0)
            return i;
        i += k;
    }
    return n;
}
