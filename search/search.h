/*
 * search.h - running a parsed query and handing each hit, decoded, to a printer.
 */
#ifndef KAVOSH_SEARCH_H
#define KAVOSH_SEARCH_H

#include <jansson.h>
#include <stddef.h>

#include "analyzer.h"
#include "kavosh_xapian.h"
#include "query.h"
#include "snippet.h"

typedef struct ks_hit {
    unsigned     rank;      /* 1-based */
    double       score;     /* BM25 weight */
    unsigned     docid;
    unsigned     shard;     /* which of the indexes searched as one holds it (0-based,
                               in the order given; 0 with a single index) */
    const char  *index;     /* the index holding it, when several are searched; else NULL
                               (set by the caller, for the printers) */
    json_t      *data;      /* the stored passage record (see indexer/passage_doc.c), or its
                               members other than the six below; borrowed */
    const char  *id;        /* fields of the record, borrowed: "" when missing */
    const char  *doc;
    const char  *section;
    const char  *lang;
    const char  *kind;
    const char  *text;
    size_t       text_len;
    ks_snippet_t snippet;   /* the spans mark only the query terms that matched in this
                               passage: the document's terms intersected with the
                               query's, glossary equivalents only where one matched */
    json_t      *explain;   /* with ks_search_options_t.explain: array of the glossary
                               expansions this hit matched through; else NULL */
    const struct ks_record *record;  /* with ks_search_options_t.raw_record, the record read
                               raw (record.h), its other members not in data; else NULL */
} ks_hit_t;

typedef struct ks_search_options {
    unsigned offset, limit;     /* hits [offset, offset + limit) */
    size_t   snippet_chars;     /* window length, KS_SNIPPET_CHARS if 0 */
    int      explain;           /* fill ks_hit_t.explain */
    int      no_snippet;        /* leave ks_hit_t.snippet empty (TSV prints none) */
    int      no_coverage;       /* rank by BM25 alone, not times the share of the query's
                                   words a hit matches (see search.c) */
    int      raw_record;        /* the caller prints the record's other members through
                                   ks_hit_t.record (JSON), not ks_hit_t.data */
    int      id_only;           /* the caller reads only ks_hit_t.id, rank and score (TSV):
                                   the stored JSON is not parsed when its id can be read
                                   off its start; data is then an empty object and the
                                   other strings "" */
    double   time_limit;        /* seconds for the whole search, 0 = none: past it Xapian
                                   stops counting matches (the counts are estimates) and
                                   hits after the first are not delivered */
} ks_search_options_t;

typedef struct ks_result {
    unsigned n_hits;        /* hits delivered */
    unsigned estimate;      /* Xapian's estimate of all matches */
    unsigned lower, upper;  /* its bounds: lower == upper when the count is exact */
    int      timed_out;     /* the time limit was reached (ks_search_options_t.time_limit) */
    unsigned cut;           /* hits ranked but not delivered because of it */
} ks_result_t;

/* Return 0 to go on, non-zero to stop delivering hits. */
typedef int (*ks_hit_cb)(void *ctx, const ks_hit_t *hit);

/* Search db for q, hits [offset, offset + limit), best first. The hit and
 * everything it points to is valid during the callback only. On failure the
 * status is returned and kx_db_last_error(db) says why. */
kx_status_t ks_search(kx_db_t *db, ka_analyzer_t *an, ks_query_t *q,
                      const ks_search_options_t *opt, ks_hit_cb cb, void *ctx,
                      ks_result_t *result);

#endif /* KAVOSH_SEARCH_H */
