/*
 * record.c - reading a hit's stored passage record (the JSON object that
 * indexer/passage_doc.c writes) without building it all with jansson.
 *
 * json_loadb of a whole record was a sixth of a --json batch: its lexer
 * takes the passage text a character at a time, and the text is most of the
 * record. Here the members every hit needs (id, doc, section, lang, kind,
 * text) are decoded in place, and only the others (page, line, glosses,
 * citations, source ...) are handed to jansson, each by itself. Anything this
 * reader does not expect makes it decline, and the caller parses the record
 * with jansson as before, so the result never differs.
 */
#include "record.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

static const char *const core_names[KS_RECORD_CORE] = { "id", "doc", "section", "lang", "kind",
                                                        "text" };

static size_t skip_ws(const char *s, size_t n, size_t i)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    return i;
}

/* The end of the string whose opening quote is s[i], or 0 when it has none
 * or holds a raw control character (which JSON forbids). */
static size_t string_end(const char *s, size_t n, size_t i)
{
    for (i++; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"')
            return i + 1;
        if (c == '\\') {
            i++;
            continue;
        }
        if (c < 0x20)
            return 0;
    }
    return 0;
}

/* The end of the value starting at s[i] (any JSON value, nested to any
 * depth), or 0 when it is not one this skipper can delimit. */
static size_t value_end(const char *s, size_t n, size_t i)
{
    if (i >= n)
        return 0;
    if (s[i] == '"')
        return string_end(s, n, i);
    if (s[i] == '{' || s[i] == '[') {
        size_t depth = 0;
        for (; i < n; i++) {
            char c = s[i];
            if (c == '"') {
                size_t e = string_end(s, n, i);
                if (!e)
                    return 0;
                i = e - 1;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (--depth == 0)
                    return i + 1;
            }
        }
        return 0;
    }
    /* A number, true, false or null: up to the next delimiter. */
    size_t j = i;
    while (j < n && s[j] != ',' && s[j] != '}' && s[j] != ']' && s[j] != ' ' && s[j] != '\n' &&
           s[j] != '\t' && s[j] != '\r')
        j++;
    return j > i ? j : 0;
}

static int hex4(const char *s, uint32_t *out)
{
    uint32_t v = 0;
    for (int k = 0; k < 4; k++) {
        char c = s[k];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (uint32_t)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

/* Append the decoded string s[a+1 .. b-1) (a quoted JSON string) to r->buf.
 * Declines (-1) a \u escape of NUL or of a surrogate, which jansson would
 * refuse or pair: the caller then lets jansson decide. */
static int decode_string(ks_record_t *r, const char *s, size_t a, size_t b)
{
    size_t need = r->used + (b - a) + 1;
    if (need > r->cap) {
        size_t cap = r->cap ? r->cap : 4096;
        while (cap < need)
            cap *= 2;
        char *nb = realloc(r->buf, cap);
        if (!nb)
            return -1;
        r->buf = nb;
        r->cap = cap;
    }
    char *o = r->buf + r->used;
    for (size_t i = a + 1; i < b - 1;) {
        const char *bs = memchr(s + i, '\\', b - 1 - i);
        size_t run = bs ? (size_t)(bs - (s + i)) : b - 1 - i;
        memcpy(o, s + i, run);
        o += run;
        i += run;
        if (!bs)
            break;
        if (i + 1 >= b - 1)
            return -1;
        char e = s[i + 1];
        i += 2;
        switch (e) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '/': *o++ = '/'; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u': {
            uint32_t cp;
            if (i + 4 > b - 1 || hex4(s + i, &cp) != 0 || cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF))
                return -1;
            i += 4;
            /* At most three bytes, never more than the six of the escape. */
            if (cp < 0x80) {
                *o++ = (char)cp;
            } else if (cp < 0x800) {
                *o++ = (char)(0xC0 | (cp >> 6));
                *o++ = (char)(0x80 | (cp & 0x3F));
            } else {
                *o++ = (char)(0xE0 | (cp >> 12));
                *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
                *o++ = (char)(0x80 | (cp & 0x3F));
            }
            break;
        }
        default:
            return -1;
        }
    }
    *o++ = '\0';
    r->used = (size_t)(o - r->buf);
    return 0;
}

/* Whether s[0..n) is valid UTF-8 without NUL, as ki_utf8_check decides,
 * with ASCII and Persian's two-byte letters taken without a call. */
static int utf8_ok(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        unsigned char c = u[i];
        if (c - 1u < 0x7Fu) {
            i++;
        } else if (c >= 0xC2 && c <= 0xDF && i + 1 < n && (u[i + 1] & 0xC0) == 0x80) {
            i += 2;
        } else {
            size_t k = c ? ki_utf8_seq(u + i, n - i) : 0;
            if (k == 0)
                return 0;
            i += k;
        }
    }
    return 1;
}

/* A member's value: the common small ones built directly (json_loadb's set-up
 * costs more than an empty list), the rest by jansson. */
static json_t *load_value(const char *v, size_t n)
{
    /* A string without escapes: its bytes are the value (the record was
     * checked to be UTF-8 without NUL, and a raw control character stopped
     * the scan that delimited it). */
    if (n >= 2 && v[0] == '"' && !memchr(v + 1, '\\', n - 2))
        return json_stringn_nocheck(v + 1, n - 2);
    if (n == 2 && v[0] == '[' && v[1] == ']')
        return json_array();
    if (n == 2 && v[0] == '{' && v[1] == '}')
        return json_object();
    if (n == 4 && memcmp(v, "null", 4) == 0)
        return json_null();
    if (n == 4 && memcmp(v, "true", 4) == 0)
        return json_true();
    if (n == 5 && memcmp(v, "false", 5) == 0)
        return json_false();
    /* A non-negative integer of up to 18 digits, without a leading zero. */
    if (n >= 1 && n <= 18 && (v[0] != '0' || n == 1)) {
        json_int_t x = 0;
        size_t i = 0;
        while (i < n && v[i] >= '0' && v[i] <= '9')
            x = x * 10 + (v[i++] - '0');
        if (i == n)
            return json_integer(x);
    }
    json_error_t err;
    return json_loadb(v, n, JSON_DECODE_ANY, &err);
}

static int read_record(ks_record_t *r, const char *data, size_t len, int raw);

int ks_record_read(ks_record_t *r, const char *data, size_t len)
{
    return read_record(r, data, len, 0);
}

int ks_record_read_raw(ks_record_t *r, const char *data, size_t len)
{
    return read_record(r, data, len, 1);
}

const ks_record_raw_t *ks_record_raw(const ks_record_t *r, const char *name)
{
    size_t nl = strlen(name);
    for (size_t k = 0; k < r->n_raw; k++)
        if (r->raw[k].key_len == nl && memcmp(r->raw[k].key, name, nl) == 0)
            return &r->raw[k];
    return NULL;
}

static void raw_clear(ks_record_t *r)
{
    for (size_t k = 0; k < r->n_raw; k++)
        json_decref(r->raw[k].parsed);
    r->n_raw = 0;
}

static int read_record(ks_record_t *r, const char *data, size_t len, int raw)
{
    json_decref(r->rest);
    r->rest = NULL;
    r->used = 0;
    raw_clear(r);
    size_t off[KS_RECORD_CORE];
    int seen[KS_RECORD_CORE] = { 0 };
    /* Valid UTF-8 without NUL throughout, as jansson demands of every string. */
    if (!data || !utf8_ok(data, len))
        return -1;
    size_t i = skip_ws(data, len, 0);
    if (i >= len || data[i] != '{')
        return -1;
    if (!raw && !(r->rest = json_object()))
        return -1;
    i = skip_ws(data, len, i + 1);
    int first = 1;
    for (;;) {
        if (i < len && data[i] == '}' && first) {
            i++;
            break;
        }
        if (i >= len || data[i] != '"')
            goto decline;
        size_t ke = string_end(data, len, i);
        if (!ke)
            goto decline;
        /* Keys are plain words in every record; one with an escape declines. */
        const char *key = data + i + 1;
        size_t klen = ke - i - 2;
        if (memchr(key, '\\', klen))
            goto decline;
        i = skip_ws(data, len, ke);
        if (i >= len || data[i] != ':')
            goto decline;
        i = skip_ws(data, len, i + 1);
        size_t ve = value_end(data, len, i);
        if (!ve)
            goto decline;
        int core = -1;
        for (int k = 0; k < KS_RECORD_CORE; k++)
            if (strlen(core_names[k]) == klen && memcmp(core_names[k], key, klen) == 0)
                core = k;
        if (core >= 0) {
            /* A repeated member: jansson keeps the last; let it. */
            if (seen[core])
                goto decline;
            seen[core] = 1;
            if (data[i] == '"') {
                off[core] = r->used;
                if (decode_string(r, data, i, ve) != 0)
                    goto decline;
            } else {
                /* Not a string: read as "", once it is known to be JSON at
                 * all (value_end only delimits it; "[1}" or "tru" would
                 * have been taken where jansson refuses the record). */
                json_t *v = load_value(data + i, ve - i);
                if (!v)
                    goto decline;
                json_decref(v);
                seen[core] = 2;
            }
        } else if (raw) {
            for (size_t k = 0; k < r->n_raw; k++)
                if (r->raw[k].key_len == klen && memcmp(r->raw[k].key, key, klen) == 0)
                    goto decline;
            if (r->n_raw == KS_RECORD_MAX_RAW)
                goto decline;
            /* A value jansson would write otherwise is read by jansson (and
             * one it cannot read declines the record, as before). */
            json_t *parsed = NULL;
            if (!ks_json_canonical(data + i, ve - i) && !(parsed = load_value(data + i, ve - i)))
                goto decline;
            r->raw[r->n_raw++] = (ks_record_raw_t){ key, data + i, klen, ve - i, parsed };
        } else {
            char name[64];
            if (klen >= sizeof name || json_object_get(r->rest, (memcpy(name, key, klen),
                                                                 name[klen] = '\0', name)))
                goto decline;
            json_t *v = load_value(data + i, ve - i);
            if (!v || json_object_set_new(r->rest, name, v) != 0)
                goto decline;
        }
        i = skip_ws(data, len, ve);
        first = 0;
        if (i < len && data[i] == ',') {
            i = skip_ws(data, len, i + 1);
            continue;
        }
        if (i < len && data[i] == '}') {
            i++;
            break;
        }
        goto decline;
    }
    if (skip_ws(data, len, i) != len)
        goto decline;
    for (int k = 0; k < KS_RECORD_CORE; k++)
        r->field[k] = seen[k] == 1 ? r->buf + off[k] : "";
    r->text_len = seen[KS_RECORD_TEXT] == 1 ? strlen(r->field[KS_RECORD_TEXT]) : 0;
    return 0;
decline:
    json_decref(r->rest);
    r->rest = NULL;
    raw_clear(r);
    return -1;
}

size_t ks_json_real(char *buf, size_t cap, double v)
{
    int n = snprintf(buf, cap - 2, "%.17g", v);
    if (n < 0 || (size_t)n >= cap - 2)
        n = 0, buf[0] = '\0';
    if (!strchr(buf, '.') && !strchr(buf, 'e')) {
        memcpy(buf + n, ".0", 3);
        n += 2;
    }
    char *e = strchr(buf, 'e');
    if (e) {
        char *start = e + 1, *end = e + 2;
        if (*start == '-')
            start++;
        while (*end == '0')
            end++;
        if (end != start) {
            memmove(start, end, strlen(end) + 1);
            n -= (int)(end - start);
        }
    }
    return (size_t)n;
}

/* The canonical check of ks_json_canonical: the end of the canonical value
 * at v[i], or 0. */
static size_t canon_value(const char *v, size_t n, size_t i, int depth);

static size_t canon_string(const char *v, size_t n, size_t i)
{
    if (i >= n || v[i] != '"')
        return 0;
    for (i++; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c == '"')
            return i + 1;
        if (c < 0x20)
            return 0;
        if (c != '\\')
            continue;
        if (i + 1 >= n)
            return 0;
        char e = v[i + 1];
        if (e == '"' || e == '\\' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
            i++;
            continue;
        }
        /* \u00XX for the other control characters, upper-case hex. */
        if (e != 'u' || i + 5 >= n || v[i + 2] != '0' || v[i + 3] != '0' ||
            (v[i + 4] != '0' && v[i + 4] != '1'))
            return 0;
        char h = v[i + 5];
        int x = h >= '0' && h <= '9' ? h - '0' : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
        if (x < 0)
            return 0;
        int cp = (v[i + 4] - '0') * 16 + x;
        if (cp == 0 || cp == '\b' || cp == '\f' || cp == '\n' || cp == '\r' || cp == '\t')
            return 0;
        i += 5;
    }
    return 0;
}

static size_t canon_number(const char *v, size_t n, size_t i)
{
    size_t j = i;
    while (j < n && (strchr("0123456789+-.eE", v[j]) != NULL))
        j++;
    size_t len = j - i;
    if (len == 0 || len > 40)
        return 0;
    char tok[48];
    memcpy(tok, v + i, len);
    tok[len] = '\0';
    if (!strpbrk(tok, ".eE")) {
        /* An integer: -?(0|[1-9][0-9]*), 18 digits at most (no overflow). */
        const char *d = tok[0] == '-' ? tok + 1 : tok;
        size_t dl = strlen(d);
        if (dl == 0 || dl > 18 || (d[0] == '0' && dl > 1) || strspn(d, "0123456789") != dl ||
            (tok[0] == '-' && strcmp(d, "0") == 0))
            return 0;
        return j;
    }
    char *end = NULL;
    double x = strtod(tok, &end);
    if (end != tok + len || !isfinite(x))
        return 0;
    char out[64];
    size_t ol = ks_json_real(out, sizeof out, x);
    return ol == len && memcmp(out, tok, len) == 0 ? j : 0;
}

static size_t canon_value(const char *v, size_t n, size_t i, int depth)
{
    if (i >= n || depth > 16)
        return 0;
    char c = v[i];
    if (c == '"')
        return canon_string(v, n, i);
    if (c == 't')
        return n - i >= 4 && memcmp(v + i, "true", 4) == 0 ? i + 4 : 0;
    if (c == 'f')
        return n - i >= 5 && memcmp(v + i, "false", 5) == 0 ? i + 5 : 0;
    if (c == 'n')
        return n - i >= 4 && memcmp(v + i, "null", 4) == 0 ? i + 4 : 0;
    if (c == '[') {
        i++;
        if (i < n && v[i] == ']')
            return i + 1;
        for (;;) {
            i = canon_value(v, n, i, depth + 1);
            if (!i || i >= n)
                return 0;
            if (v[i] == ']')
                return i + 1;
            if (v[i++] != ',')
                return 0;
        }
    }
    if (c == '{') {
        /* The keys seen, to refuse a repeated one (jansson keeps one). */
        size_t ks[32], kl[32], nk = 0;
        i++;
        if (i < n && v[i] == '}')
            return i + 1;
        for (;;) {
            size_t ke = canon_string(v, n, i);
            if (!ke || nk == 32 || ke >= n || v[ke] != ':')
                return 0;
            for (size_t k = 0; k < nk; k++)
                if (kl[k] == ke - i && memcmp(v + ks[k], v + i, ke - i) == 0)
                    return 0;
            /* A key with an escape may equal another spelled otherwise. */
            if (memchr(v + i, '\\', ke - i))
                return 0;
            ks[nk] = i;
            kl[nk++] = ke - i;
            i = canon_value(v, n, ke + 1, depth + 1);
            if (!i || i >= n)
                return 0;
            if (v[i] == '}')
                return i + 1;
            if (v[i++] != ',')
                return 0;
        }
    }
    if (c == '-' || (c >= '0' && c <= '9'))
        return canon_number(v, n, i);
    return 0;
}

int ks_json_canonical(const char *v, size_t n)
{
    return n > 0 && canon_value(v, n, 0, 0) == n;
}

void ks_record_free(ks_record_t *r)
{
    if (!r)
        return;
    json_decref(r->rest);
    raw_clear(r);
    free(r->buf);
    memset(r, 0, sizeof *r);
}
