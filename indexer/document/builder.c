/*
 * builder.c - what every stage of building a document adds to it: a
 * diagnostic (kd_diag) and a new passage (kd_passage_new). Kept apart from
 * document.c, which calls the stages, so that the stages do not call back
 * into it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "document_internal.h"

/* Diagnostics beyond this many are dropped: a binary file fed in by mistake
 * must not produce millions of messages. */
#define KD_DIAG_MAX 1000

void
kd_diag(kd_builder_t *b, unsigned line, unsigned column, const char *fmt, ...)
{
    kd_document_t *doc = b->doc;
    if (doc->n_diags >= KD_DIAG_MAX)
        return;
    kd_diag_t *dv = kd_vec_grow(doc->diags, &b->cap_diags, doc->n_diags + 1, sizeof *dv, 8);
    if (!dv) {
        b->oom = 1;
        return;
    }
    doc->diags = dv;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* What a message quotes (an EPUB's percent-decoded href, a name) may be
     * any bytes, and vsnprintf may cut a character: every message is made
     * valid UTF-8 without control characters (the EPUB fuzz harness found
     * an href of "%FF"). */
    size_t n = 0;
    char *m = kd_utf8_sanitize(msg, strlen(msg), &n);
    if (!m) {
        b->oom = 1;
        return;
    }
    m[kd_strip_controls(m, n, NULL, 0)] = '\0';
    kd_diag_t *d = &doc->diags[doc->n_diags++];
    d->line = line;
    d->column = column;
    d->message = m;
}

kd_passage_t *
kd_passage_new(kd_builder_t *b)
{
    kd_document_t *doc = b->doc;
    kd_passage_t *v = kd_vec_grow(doc->passages, &b->cap_passages, doc->n_passages + 1,
                                  sizeof *v, 64);
    if (!v) {
        b->oom = 1;
        return NULL;
    }
    doc->passages = v;
    kd_passage_t *p = &doc->passages[doc->n_passages];
    memset(p, 0, sizeof *p);
    p->ordinal = (unsigned)doc->n_passages + 1;
    p->source = -1;
    char id[64];
    snprintf(id, sizeof id, "#%u", p->ordinal);
    size_t nl = strlen(doc->name);
    p->id = malloc(nl + strlen(id) + 1);
    if (!p->id) {
        b->oom = 1;
        return NULL;
    }
    memcpy(p->id, doc->name, nl);
    strcpy(p->id + nl, id);
    doc->n_passages++;
    return p;
}
