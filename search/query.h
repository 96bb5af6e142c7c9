/*
 * query.h - a user's query string to a Xapian query, through the analyzer.
 *
 * Every word of the query is analysed by ka_analyze(KA_QUERY), the same
 * function that made the index terms, so the two sides cannot disagree.
 */
#ifndef KAVOSH_QUERY_H
#define KAVOSH_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "analyzer.h"
#include "glossary.h"
#include "kavosh_xapian.h"
#include "memo.h"
#include "translit.h"

typedef struct ks_query ks_query_t;

/* Weights of the parts of a word's query. A passage with the exact form
 * scores both its exact and its stem posting; one with only another form of
 * the word scores the stem alone, so exact matches rank first. */
#define KS_WEIGHT_EXACT  1.0
#define KS_WEIGHT_STEM   1.0
#define KS_WEIGHT_JOINED 1.0
/* An equivalent from the glossary (another language, another spelling)
 * weighs less than the words typed, so that a passage matching the query's
 * own words ranks above one matching only through an expansion. All the
 * equivalents of one concept count as one term (a synonym group). 0.7 is
 * the highest weight that leaves same-language ranking unchanged on
 * tests/retrieval (measured 0.3 .. 1.0: cross-language Success@1 0.82 ..
 * 0.89, same-language 0.990 up to 0.7, 0.981 at 1.0). */
#define KS_WEIGHT_EXPANSION 0.7
/* With an index, the weight follows the evidence (query.c, evidence_weight):
 * when the typed words are in the index, their equivalents weigh at most
 * CAP times the typed words' idf (so typed words still rank first); when
 * they are not, the equivalents are all the evidence there is and weigh
 * ALONE, not crushed by a fixed factor. */
#define KS_WEIGHT_EXPANSION_CAP   0.9
#define KS_WEIGHT_EXPANSION_ALONE 1.0

/* A word's transliteration skeleton (another script's spelling of a name)
 * weighs least: it is the loosest match. */
#define KS_WEIGHT_TRANSLIT 0.2
/* The same evidence rule for the transliteration key: capped lower, as the
 * key is looser than a glossary equivalent. */
#define KS_WEIGHT_TRANSLIT_CAP   0.5
#define KS_WEIGHT_TRANSLIT_ALONE 0.8

/* A joined Persian query word may be written with a space in the text
 * («بینالمللی» / «بین المللی»): at most this many ways of splitting one word
 * are tried as phrases, each only if both halves are words of the index. */
#define KS_MAX_SPLITS 3

/* The coverage of a hit (ks_search): the share of the query's words it
 * matches, each word by any of its forms (exact, stem, joined, split, name
 * key, glossary equivalent). Words past this many are not counted. */
#define KS_MAX_CONCEPTS 64

typedef struct ks_query_options {
    kx_db_t             *db;         /* the index, for splitting joined words; NULL: no splitting */
    const ks_glossary_t *glossary;   /* NULL: no expansion */
    ka_translit_t       *translit;   /* NULL: no transliteration terms */
    ks_memo_t           *memo;       /* a batch's memo of index reads (memo.h), or NULL */
} ks_query_options_t;

typedef enum ks_query_status {
    KS_QUERY_OK = 0,
    KS_QUERY_EMPTY,        /* nothing searchable in the query */
    KS_QUERY_SYNTAX,       /* malformed: *error_out says where and why */
    KS_QUERY_NOMEM,
    KS_QUERY_FAILED,       /* the analyzer or the wrapper failed */
    KS_QUERY_STATUS_LAST
} ks_query_status_t;

/* A short English description of st ("malformed query"). */
const char *ks_query_status_to_string(ks_query_status_t st);

/* Parse text. opt may be NULL (no expansion). On KS_QUERY_SYNTAX,
 * *error_out (if not NULL) receives a malloc'd message naming the character
 * position. *out is freed with ks_query_free. */
ks_query_status_t ks_query_parse(ka_analyzer_t *an, const char *text,
                                 const ks_query_options_t *opt, ks_query_t **out,
                                 char **error_out);

/* What to warn about, or NULL: a query cut down to its work budget (the
 * words past the first 64 and the prefix* wildcards past the first 8 are
 * not searched: "query cut down: 299 words past the first 64 not
 * searched"), a source: or cites: id the index does not
 * know (when ks_query_options_t.db is given), and why the query was read as
 * plain words: a query that fails only
 * on an operator (a trailing AND, an unbalanced quote or parenthesis) is
 * parsed again with the operators taken as words, and ks_query_parse
 * succeeds; this says what was wrong ("unbalanced quote at character 7;
 * searched as plain words"), for a warning. Owned by q. */
const char *ks_query_warning(const ks_query_t *q);

/* The query's words counted by the coverage (at most KS_MAX_CONCEPTS): the
 * content words of its plain runs, and each "phrase" as one. */
unsigned ks_query_concept_count(const ks_query_t *q);

/* The words (bit k: the k-th counted word) that term[0..len) stands for in
 * the query; 0 for a term the query did not make. */
uint64_t ks_query_term_concepts(const ks_query_t *q, const char *term, size_t len);

/* The terms the coverage knows, sorted by byte order, and the words each
 * stands for: *terms and *words point into q (valid while q is); returns how
 * many. */
size_t ks_query_cover(const ks_query_t *q, const char *const **terms, const uint64_t **words);

/* The glossary expansions the query made: "Manas air base => پایگاه هوایی ماناس".
 * Strings owned by q. */
size_t ks_query_expansion_count(const ks_query_t *q);
const char *ks_query_expansion_label(const ks_query_t *q, size_t i);
/* Whether term is one of expansion i's terms. */
int ks_query_expansion_has_term(const ks_query_t *q, size_t i, const char *term, size_t len);

/* Whether a term (len bytes) is there, e.g. among the terms of one matching
 * passage (Xapian's termlist of the document intersected with the query's). */
typedef int (*ks_term_pred_t)(void *ctx, const char *term, size_t len);

/* Whether expansion i matched where has() says which terms are present:
 * every word of the equivalent is there, by exact form or stem. */
int ks_query_expansion_matched(const ks_query_t *q, size_t i, ks_term_pred_t has, void *ctx);

/* The number of terms to highlight (ks_query_wants_term returns 1..count). */
size_t ks_query_term_count(const ks_query_t *q);

/* Term i (0-based, < ks_query_term_count) and its length in *len (may be
 * NULL); NULL out of range. Owned by q. For tests and the fuzz harness. */
const char *ks_query_term(const ks_query_t *q, size_t i, size_t *len);

/* Which of those terms matched in one passage whose terms has() tells:
 * out[k] (k < ks_query_term_count) is 1 for a term of the words typed that
 * is there, and for a term of a glossary equivalent that is there when that
 * equivalent matched as a whole; else 0. Returns 0, or -1 out of memory. */
int ks_query_matched_terms(const ks_query_t *q, ks_term_pred_t has, void *ctx,
                           unsigned char *out);

/* The Xapian query; owned by q. */
const kx_query_t *ks_query_xapian(ks_query_t *q);

/* Whether term (an exact term or a "Z" stem, as the analyzer gives them) is
 * one the query looks for: what the snippet highlights. Returns 0 if not,
 * else 1 + the term's index among the query's terms (to count distinct matches). */
int ks_query_wants_term(const ks_query_t *q, const char *term, size_t len);

/* Restrict q to documents carrying the boolean term `term` (e.g. "Lfa").
 * Several calls with the same prefix are OR'ed; different prefixes AND'ed. */
ks_query_status_t ks_query_add_filter(ks_query_t *q, const char *term);

void ks_query_free(ks_query_t *q);

#endif /* KAVOSH_QUERY_H */
