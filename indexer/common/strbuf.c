/*
 * strbuf.c - a growable byte buffer whose out-of-memory state is sticky, so a
 * long chain of appends needs one check at the end (the FTS5 idea).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

/* Grow to hold at least need+1 bytes; sets b->oom on failure. */
static int
buf_reserve(kd_buf_t *b, size_t need)
{
    if (b->oom)
        return -1;
    if (need < b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap <= need) {
        if (cap > SIZE_MAX / 2) {
            b->oom = 1;
            return -1;
        }
        cap *= 2;
    }
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

void *
kd_vec_grow(void *v, size_t *cap, size_t need, size_t elem, size_t first)
{
    if (need <= *cap && v)
        return v;
    size_t c = *cap ? *cap : (first ? first : 1);
    while (c < need) {
        if (c > SIZE_MAX / 2)
            return NULL;
        c *= 2;
    }
    if (elem && c > SIZE_MAX / elem)
        return NULL;
    void *nv = realloc(v, c * elem);
    if (!nv)
        return NULL;
    *cap = c;
    return nv;
}

void
kd_buf_add(kd_buf_t *b, const char *s, size_t n)
{
    if (n > SIZE_MAX - b->len - 1) {
        b->oom = 1;
        return;
    }
    if (buf_reserve(b, b->len + n) < 0)
        return;
    if (n)
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void
kd_buf_addc(kd_buf_t *b, char c)
{
    kd_buf_add(b, &c, 1);
}

void
kd_buf_adds(kd_buf_t *b, const char *s)
{
    kd_buf_add(b, s, strlen(s));
}

char *
kd_buf_take(kd_buf_t *b)
{
    if (b->oom) {
        kd_buf_free(b);
        return NULL;
    }
    char *p = b->p;
    if (!p)
        p = kd_strdup("");
    b->p = NULL;
    b->len = b->cap = 0;
    return p;
}

void
kd_buf_free(kd_buf_t *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
    b->oom = 0;
}

char *
kd_strndup(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (!p)
        return NULL;
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *
kd_strdup(const char *s)
{
    return kd_strndup(s, strlen(s));
}
