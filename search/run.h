/*
 * run.h - kavosh-search's queries and batches, callable in-process.
 *
 * The caller fills a ks_run_t (an open index, an analyzer, the options of
 * the command line, out = the stream for results), optionally loads the
 * index's glossary with ks_run_load_glossary(), then runs ks_run_query() or
 * ks_run_batch(). Diagnostics go to stderr through ki_error()/ki_note(); each
 * function returns the exit code it alone would give (cli.h).
 */
#ifndef KAVOSH_RUN_H
#define KAVOSH_RUN_H

#include <stdio.h>

#include "analyzer.h"
#include "cli.h"
#include "glossary.h"
#include "kavosh_xapian.h"
#include "memo.h"
#include "printer.h"
#include "translit.h"

/* The longest query text accepted: far beyond any typed query, and a bound
 * on what one batch line can make the analyzer and Xapian do. */
#define KS_MAX_QUERY_BYTES 4096

/* The default of --time-limit: seconds one search may take (ks_search_options_t.time_limit).
 * A query of the bench's index answers in a few ms to 0.4 s (tests/bench/bounded_cost.sh). */
#define KS_TIME_LIMIT 2.0

typedef enum ks_out_format { KS_OUT_TEXT, KS_OUT_JSON, KS_OUT_TSV } ks_out_format_t;

typedef struct ks_run {
    FILE           *out;        /* where results go (stdout for the program) */
    kx_db_t        *db;
    ka_analyzer_t  *an;
    ks_out_format_t format;
    ks_text_style_t style;
    unsigned        limit, offset;
    const char     *langs[8];
    size_t          n_langs;
    const char     *qid;        /* current batch query id */
    int             failed;     /* an output error */
    int             show_query; /* print the parsed query on stderr */
    int             explain;    /* say which expansions each hit matched through */
    int             no_coverage; /* rank by BM25 alone (--no-coverage) */
    ks_glossary_t  *glossary;   /* the index's glossary, NULL with --no-expand or none */
    int             glossary_lookup; /* the index has lookup tables: each query reads the
                                        concepts it can reach (glossary_lookup.h) instead */
    int             hinted_glossary; /* the tables' read failure was said once */
    ka_translit_t  *translit;   /* NULL with --no-expand */
    const char     *filter_section;
    const char     *filter_source;
    int             timing;     /* per-query latencies for the summary on stderr */
    double         *lat;        /* seconds per query, with timing */
    size_t          n_lat, cap_lat;
    char            error[512];  /* the last query's error message, for batch records */
    unsigned        n_hits;      /* hits the last query printed */
    unsigned        reopened;    /* times a batch reopened the index (a writer committed) */
    int             hinted;      /* the hint for a failing index was given */
    int             index_lost;  /* a search failed in the index (damage, a remote gone):
                                    a batch stops there */
    ks_memo_t      *memo;        /* a batch's memo of index reads (memo.h); NULL outside one */
    unsigned        memo_epoch;  /* the value of reopened it was filled at */
    double          time_limit;  /* seconds one search may take, 0 = none (--time-limit) */
    char            warning[512]; /* the last query's "query cut down" warning, for batch
                                     records; "" when it was searched whole */
    const char *const *db_names; /* the -d paths, to name each hit's index ... */
    size_t          n_db_names;  /* ... when there are several (else 0 or 1) */
} ks_run_t;

/* The most a batch's memo of index reads holds (memo.h). */
#define KS_MEMO_BYTES (16u << 20)

/* How many times one query is retried after the index changed under it. */
#define KS_MODIFIED_RETRIES 5

/* Run one query; where prefixes every message ("" or "FILE:LINE: "). */
ki_exit_t ks_run_query(ks_run_t *a, const char *text, const char *where);
/* Run every line of the batch file at path ("-": stdin): "QUERY" or
 * "ID<TAB>QUERY" (the id is the line number without one); blank lines and
 * lines starting with "#" are skipped, a UTF-8 byte order mark is dropped.
 * Every query gets a record: its hits, or one saying it had none, or one
 * with its error (a line with a NUL byte is an error, not cut). A query the
 * index changed under (a writer committed) is retried after reopening.
 * A query cut down (its words, wildcards or equivalents past the budget, or
 * the time limit reached) also gets a warning record in --json and --tsv.
 * Returns the worst failure (2 malformed line, 3 index, 4 other), else 0 if
 * any query had hits, else 1; the queries after a failing one still run. */
ki_exit_t ks_run_batch(ks_run_t *a, const char *path);
/* Load the glossary stored in the index into a->glossary (none: NULL). */
ki_exit_t ks_run_load_glossary(ks_run_t *a);
/* Combine per-query exit codes: the worst failure wins, else any hit makes 0. */
ki_exit_t ks_run_merge_exit(ki_exit_t acc, ki_exit_t e, int first);
/* "queries, queries/s, p50, p99" of a timed batch (a->timing), on stderr. */
void ks_run_print_timing(ks_run_t *a, double total);
/* A monotonic clock in seconds. */
double ks_run_now(void);

#endif /* KAVOSH_RUN_H */
