/*
 * snippet.h - the best window of a passage around the query's matches, with
 * the matched words located by the analyzer's offsets into the ORIGINAL text
 * (Xapian's own snippets would not know Kavosh's normalization).
 */
#ifndef KAVOSH_SNIPPET_H
#define KAVOSH_SNIPPET_H

#include <stddef.h>

#include "analyzer.h"
#include "query.h"

/* A matched word: bytes [start, end) of the passage text. */
typedef struct ks_span {
    size_t start, end;
} ks_span_t;

typedef struct ks_snippet {
    size_t     start, end;        /* the window: bytes [start, end) of the text */
    int        cut_before;        /* the window starts after the text does */
    int        cut_after;         /* the window ends before the text does */
    ks_span_t *spans;             /* every match in the whole text, sorted, merged; owned */
    size_t     n_spans;
} ks_snippet_t;

/* Default window length, in characters. */
#define KS_SNIPPET_CHARS 240

/* Find the matches of q in text and choose the window of at most max_chars
 * characters holding the most distinct query terms. Returns 0, or -1 on
 * allocation or analysis failure (then *out is empty). */
int ks_snippet_make(ka_analyzer_t *an, const ks_query_t *q, const char *text, size_t len,
                    size_t max_chars, ks_snippet_t *out);
/* The same, marking only the query terms matched[k] says matched in this
 * passage (k as ks_query_matched_terms numbers them; NULL: every term). */
int ks_snippet_make_matched(ka_analyzer_t *an, const ks_query_t *q, const unsigned char *matched,
                            const char *text, size_t len, size_t max_chars, ks_snippet_t *out);

void ks_snippet_free(ks_snippet_t *s);

#endif /* KAVOSH_SNIPPET_H */
