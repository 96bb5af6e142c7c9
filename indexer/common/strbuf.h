/*
 * strbuf.h - a growable byte buffer whose out-of-memory state is sticky, so a
 * long chain of appends needs one check at the end (the FTS5 idea). Shared by
 * the document parser and both programs (indexer/common).
 */
#ifndef KAVOSH_STRBUF_H
#define KAVOSH_STRBUF_H

#include <stddef.h>

typedef struct kd_buf {
    char  *p;     /* NUL-terminated when non-NULL */
    size_t len;
    size_t cap;
    int    oom;   /* set once an allocation failed; later appends are no-ops */
} kd_buf_t;

void  kd_buf_add(kd_buf_t *b, const char *s, size_t n);
void  kd_buf_addc(kd_buf_t *b, char c);
void  kd_buf_adds(kd_buf_t *b, const char *s);
char *kd_buf_take(kd_buf_t *b);        /* returns the string ("" if empty), resets b; NULL on oom */
void  kd_buf_free(kd_buf_t *b);
char *kd_strndup(const char *s, size_t n);

/* The one growth rule of the arrays in indexer/: room for need elements of
 * elem bytes in v, whose capacity is *cap. Returns v itself when it has room;
 * else v reallocated to a capacity that doubles (from first) until need fits,
 * with *cap updated; or NULL when the size would overflow or memory runs out,
 * v then being unchanged and still the caller's. Usage:
 *     T *nv = kd_vec_grow(x->v, &x->cap, x->n + 1, sizeof *nv, 16);
 *     if (!nv) { x->oom = 1; return; }
 *     x->v = nv; */
void *kd_vec_grow(void *v, size_t *cap, size_t need, size_t elem, size_t first);
char *kd_strdup(const char *s);

#endif /* KAVOSH_STRBUF_H */
