/*
 * ka_test_util.c - table reading and token collection for the analyzer tests.
 */
#include "ka_test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die(const char *what, const char *path)
{
    fprintf(stderr, "ka_test: %s: %s\n", what, path);
    exit(2);
}

typedef struct buf {
    char *p;
    size_t n, cap;
} buf_t;

static void put(buf_t *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *q = realloc(b->p, cap);
        if (q == NULL)
            die("out of memory", "");
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void put_cp(buf_t *b, unsigned long c)
{
    char t[4];
    size_t l;
    if (c < 0x80) { t[0] = (char)c; l = 1; }
    else if (c < 0x800) { t[0] = (char)(0xC0 | (c >> 6)); t[1] = (char)(0x80 | (c & 0x3F)); l = 2; }
    else if (c < 0x10000) {
        t[0] = (char)(0xE0 | (c >> 12)); t[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        t[2] = (char)(0x80 | (c & 0x3F)); l = 3;
    } else {
        t[0] = (char)(0xF0 | (c >> 18)); t[1] = (char)(0x80 | ((c >> 12) & 0x3F));
        t[2] = (char)(0x80 | ((c >> 6) & 0x3F)); t[3] = (char)(0x80 | (c & 0x3F)); l = 4;
    }
    put(b, t, l);
}

static void unescape(buf_t *b, const char *s, size_t n, const char *path)
{
    size_t i = 0;
    while (i < n) {
        if (s[i] != '\\' || i + 1 >= n) {
            put(b, s + i, 1);
            i++;
            continue;
        }
        char e = s[i + 1];
        i += 2;
        if (e == 't') put(b, "\t", 1);
        else if (e == 'n') put(b, "\n", 1);
        else if (e == '\\') put(b, "\\", 1);
        else if (e == 'x' || e == 'u') {
            size_t digits = e == 'x' ? 2 : 4;
            if (i + digits > n)
                die("bad escape", path);
            char hex[5] = { 0 };
            memcpy(hex, s + i, digits);
            char *end;
            unsigned long v = strtoul(hex, &end, 16);
            if (*end != '\0')
                die("bad escape", path);
            i += digits;
            if (e == 'x') {
                char c = (char)v;
                put(b, &c, 1);
            } else {
                put_cp(b, v);
            }
        } else if (e == '*') {
            char *end;
            unsigned long times = strtoul(s + i, &end, 10);
            if (*end != '{')
                die("bad \\* escape", path);
            const char *body = end + 1;
            const char *close = memchr(body, '}', n - (size_t)(body - s));
            if (close == NULL)
                die("bad \\* escape", path);
            buf_t inner = { 0 };
            unescape(&inner, body, (size_t)(close - body), path);
            for (unsigned long k = 0; k < times; k++)
                put(b, inner.p ? inner.p : "", inner.n);
            free(inner.p);
            i = (size_t)(close - s) + 1;
        } else {
            die("unknown escape", path);
        }
    }
    if (b->p == NULL)
        put(b, "", 0);
}

ka_test_row_t *ka_test_read_table(const char *path, size_t *n_out)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        die("cannot open", path);
    ka_test_row_t *rows = NULL;
    size_t n = 0, cap = 0;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t got;
    int lineno = 0;
    while ((got = getline(&line, &lcap, f)) != -1) {
        lineno++;
        size_t len = (size_t)got;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0 || line[0] == '#')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            rows = realloc(rows, cap * sizeof *rows);
            if (rows == NULL)
                die("out of memory", path);
        }
        ka_test_row_t *r = &rows[n++];
        memset(r, 0, sizeof *r);
        r->lineno = lineno;
        const char *p = line, *end = line + len;
        while (r->nfields < 6) {
            const char *tab = memchr(p, '\t', (size_t)(end - p));
            const char *fe = tab ? tab : end;
            buf_t b = { 0 };
            unescape(&b, p, (size_t)(fe - p), path);
            r->field[r->nfields] = b.p;
            r->flen[r->nfields] = b.n;
            r->nfields++;
            if (tab == NULL)
                break;
            p = tab + 1;
        }
    }
    free(line);
    fclose(f);
    *n_out = n;
    return rows;
}

void ka_test_free_table(ka_test_row_t *rows, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < rows[i].nfields; k++)
            free(rows[i].field[k]);
    free(rows);
}

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d == NULL)
        die("out of memory", "");
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static int collect_cb(void *ctx, const ka_token_t *t)
{
    ka_test_toks_t *toks = ctx;
    if (toks->n == toks->cap) {
        toks->cap = toks->cap ? toks->cap * 2 : 32;
        toks->v = realloc(toks->v, toks->cap * sizeof *toks->v);
        if (toks->v == NULL)
            die("out of memory", "");
    }
    ka_test_tok_t *c = &toks->v[toks->n++];
    c->term = dup_n(t->term, t->term_len);
    c->term_len = t->term_len;
    c->stem = t->stem ? dup_n(t->stem, t->stem_len) : NULL;
    c->stem_len = t->stem_len;
    c->start = t->start;
    c->end = t->end;
    c->pos = t->pos;
    c->script = t->script;
    c->flags = t->flags;
    return 0;
}

void ka_test_toks_free(ka_test_toks_t *toks)
{
    for (size_t i = 0; i < toks->n; i++) {
        free(toks->v[i].term);
        free(toks->v[i].stem);
    }
    free(toks->v);
    memset(toks, 0, sizeof *toks);
}

ka_status_t ka_test_collect(ka_analyzer_t *a, ka_mode_t mode, const char *text, size_t len,
                            ka_test_toks_t *toks)
{
    ka_test_toks_free(toks);
    return ka_analyze(a, mode, text, len, collect_cb, toks);
}
