/*
 * printer.h - the output formats of kavosh-search: text for people, JSON
 * Lines and TSV for programs.
 */
#ifndef KAVOSH_PRINTER_H
#define KAVOSH_PRINTER_H

#include <stdio.h>

#include "search.h"

/* Version of the JSON records, printed in every record as "format". Bump it
 * when a field changes meaning or disappears (adding one does not). */
#define KS_JSON_FORMAT 1

typedef struct ks_text_style {
    int      color;     /* ANSI highlighting of matches */
    int      isolates;  /* wrap each line of document text in U+2068 ... U+2069
                           (a terminal in logical order; never into a pipe) */
    unsigned width;     /* wrap at this many columns, at word boundaries, with a
                           hanging indent; 0: no wrapping (a pipe) */
    int      visual;    /* reorder and shape each line with fribidi, for
                           terminals that show storage order (--bidi=visual) */
} ks_text_style_t;

/* qid: the batch query id, or NULL for a single query. */
void ks_print_text(FILE *out, const ks_hit_t *hit, const char *qid, const ks_text_style_t *style);
/* One JSON object on one line. Returns 0, or -1 if it could not be built. */
int ks_print_json(FILE *out, const ks_hit_t *hit, const char *qid);
void ks_print_tsv(FILE *out, const ks_hit_t *hit, const char *qid);
/* Document text text[0, len) as lines of their own, indented, wrapped and
 * laid out as the hits' snippets are (style NULL: one plain line). */
void ks_print_text_block(FILE *out, const ks_text_style_t *style, unsigned indent,
                         const char *text, size_t len);

#endif /* KAVOSH_PRINTER_H */
