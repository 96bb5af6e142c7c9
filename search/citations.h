/*
 * citations.h - the citation views of kavosh-search: every in-text citation
 * (--citations), the bibliography with where each entry is cited (--sources),
 * and the passages citing the sources that match a query (--cites).
 *
 * They read the passage records kavosh-index stored (see indexer/passage_doc.c);
 * the citations were detected and resolved at indexing time.
 */
#ifndef KAVOSH_CITATIONS_H
#define KAVOSH_CITATIONS_H

#include <stdio.h>

#include "analyzer.h"
#include "glossary.h"
#include "translit.h"
#include "kavosh_xapian.h"

typedef struct ks_cite_options {
    int      json;          /* JSON Lines instead of text */
    int      tsv;           /* tab-separated lines instead of text */
    int      isolates;      /* text: Unicode isolates around right-to-left text (a terminal) */
    const struct ks_text_style *style;  /* text: how entry texts and contexts are laid
                                           out (wrapping, --bidi); NULL: plain lines */
    unsigned limit;         /* --cites: at most this many citing passages */
    const ks_glossary_t *glossary;  /* --cites: expand the query (NULL: no) */
    ka_translit_t       *translit;  /* --cites: transliteration terms (NULL: no) */
} ks_cite_options_t;

/* Each function writes to out and returns a kavosh exit code (0 = something
 * listed, 1 = nothing, 2 = bad query, 3/4 = index or other failure), having
 * reported any error itself. */
int ks_print_citations(kx_db_t *db, FILE *out, const ks_cite_options_t *opt);
int ks_print_sources(kx_db_t *db, FILE *out, const ks_cite_options_t *opt);
int ks_print_cites(kx_db_t *db, ka_analyzer_t *an, const char *query, FILE *out,
                   const ks_cite_options_t *opt);

/* The sentence around text[start, end): back to the end of the sentence
 * before the one the citation closes, forward to the end of the sentence it
 * stands in; at most max_chars characters on either side. */
void ks_citation_context(const char *text, size_t len, size_t start, size_t end,
                         size_t max_chars, size_t *ctx_start, size_t *ctx_end);

#endif /* KAVOSH_CITATIONS_H */
