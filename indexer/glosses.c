/*
 * glosses.c - footnote glosses to glossary TSV.
 */
#include "glosses.h"

#include <stdlib.h>
#include <string.h>

/* A gloss longer than this is a note, not a translation of a term. */
#define KI_MAX_GLOSS_BYTES 160

typedef struct buf {
    char  *s;
    size_t len, cap;
    int    oom;
} buf_t;

static void put(buf_t *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 1024;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *ns = realloc(b->s, cap);
        if (!ns) {
            b->oom = 1;
            return;
        }
        b->s = ns;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

/* Text fit for one TSV cell: tabs, line breaks and the spelling separator
 * '|' become spaces, runs of spaces one. */
static void put_cell(buf_t *b, const char *s)
{
    int space = 0;
    for (const char *p = s; *p; p++) {
        char c = *p;
        if (c == '\t' || c == '\n' || c == '\r' || c == '|' || c == ' ') {
            space = b->len > 0 && b->s[b->len - 1] != '\t' && b->s[b->len - 1] != '\n';
            continue;
        }
        if (space)
            put(b, " ", 1);
        space = 0;
        put(b, &c, 1);
    }
}

char *ki_harvest_glosses(ka_analyzer_t *an, const kd_document_t *doc, int *none)
{
    *none = 1;
    buf_t b = { 0 };
    size_t lines = 0;
    for (size_t i = 0; i < doc->n_passages; i++) {
        const kd_passage_t *p = &doc->passages[i];
        for (size_t g = 0; g < p->n_glosses; g++) {
            const kd_gloss_t *x = &p->glosses[g];
            if (!x->term || !x->gloss || !*x->term || !*x->gloss ||
                strlen(x->gloss) > KI_MAX_GLOSS_BYTES)
                continue;
            const char *tl = ka_guess_lang(an, x->term, strlen(x->term));
            const char *gl = ka_guess_lang(an, x->gloss, strlen(x->gloss));
            if (strcmp(tl, "fa") != 0 || (strcmp(gl, "en") != 0 && strcmp(gl, "ru") != 0))
                continue;
            buf_t l = { 0 };
            put(&l, "\n", 1);
            put_cell(&l, x->term);
            put(&l, "\t", 1);
            if (strcmp(gl, "ru") == 0)
                put_cell(&l, x->gloss);
            put(&l, "\t", 1);
            if (strcmp(gl, "en") == 0)
                put_cell(&l, x->gloss);
            put(&l, "\n", 1);
            if (l.oom) {
                b.oom = 1;
            } else {
                if (lines == 0)
                    put(&b, "fa\tru\ten", 8);
                /* A term glossed twice the same way is one entry. */
                if (!b.oom && !strstr(b.s, l.s)) {
                    put(&b, l.s, l.len - 1);
                    lines++;
                }
            }
            free(l.s);
        }
    }
    if (b.oom) {
        free(b.s);
        *none = 0;
        return NULL;
    }
    if (lines == 0) {
        free(b.s);
        return NULL;
    }
    put(&b, "\n", 1);
    if (b.oom) {
        free(b.s);
        *none = 0;
        return NULL;
    }
    *none = 0;
    return b.s;
}
