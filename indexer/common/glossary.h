/*
 * glossary.h - a multilingual glossary for query expansion (Persian, Russian,
 * English), analysed by the one analyzer.
 *
 * A glossary is a set of concepts; a concept is a set of spellings
 * ("variants") in one or more languages: Kyrgyzstan | Kirghizia,
 * Кыргызстан | Киргизия, قرقیزستان. Every variant is analysed with
 * ka_analyze(KA_QUERY) into a sequence of exact terms (tokens flagged
 * KA_TOK_JOINED are left out; stop words are kept), so that a query analysed
 * the same way meets it term for term: ZWNJ, joined and Arabic/Persian letter
 * variants all fold to the same terms. Each term's stem is kept beside it.
 *
 * Loading: ks_glossary_add_tsv() reads the TSV format of the files of indexer/lexicon/;
 * other formats (FreeDict/dictd) are further loaders that split their entries
 * and call ks_glossary_add_concept(), as the gloss harvester can. Malformed
 * lines are reported to a diagnostics callback with the source name and line
 * number, skipped, and loading goes on. The library never prints.
 *
 * Travelling with the index: ks_glossary_to_tsv() writes the whole glossary
 * (whatever its sources) back as TSV text; kavosh-index stores that text in
 * the index metadata and kavosh-search loads it with ks_glossary_add_tsv().
 *
 * Lookup: ks_glossary_match() scans a query's term sequence left to right and
 * reports, at each position, the longest variant that occurs there (hash on
 * the first term, then a term-by-term comparison); the caller reads the
 * concept's other variants with ks_glossary_variant() and adds them to the
 * query as phrase alternatives.
 *
 * No global state. A glossary is not thread-safe while being loaded; once
 * loaded, ks_glossary_match() and the accessors only read it.
 */
#ifndef KAVOSH_GLOSSARY_H
#define KAVOSH_GLOSSARY_H

#include <stddef.h>

#include "analyzer.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ks_glossary ks_glossary_t;

typedef enum ks_glossary_status {
    KS_GLOSSARY_OK = 0,
    KS_GLOSSARY_ERR_NOMEM,     /* allocation failed; the glossary keeps what was added before */
    KS_GLOSSARY_ERR_ARG,       /* NULL or invalid argument */
    KS_GLOSSARY_ERR_ANALYZER,  /* ka_analyze failed */
    KS_GLOSSARY_ERR_LIMIT,     /* the glossary is full (KS_GLOSSARY_MAX_VARIANTS) */
    KS_GLOSSARY_STATUS_LAST
} ks_glossary_status_t;

/* The languages of the glossary; a TSV file names them in its header line. */
typedef enum ks_glossary_lang {
    KS_LANG_FA = 0,
    KS_LANG_RU,
    KS_LANG_EN,
    KS_LANG_COUNT
} ks_glossary_lang_t;

/* Limits, with the reason beside them. */
#define KS_GLOSSARY_MAX_LINE      65536u  /* bytes; a real entry is under 1 KiB, so longer is not a glossary line */
#define KS_GLOSSARY_MAX_SPELLINGS 64u     /* variants per concept; more is a damaged line, not a concept */
#define KS_GLOSSARY_MAX_TERMS     16u     /* terms per variant; bounds the comparison work per query position */
#define KS_GLOSSARY_MAX_VARIANTS  4000000u /* per glossary; a full FreeDict dictionary has a few 100 000 */
#define KS_GLOSSARY_MAX_SPAN_CONCEPTS 16u /* concepts reported for one span; a homograph rarely has more */

/* A problem in the input: source is the name given to the loader, line is
 * 1-based (0 when the problem is not tied to a line). Both strings are valid
 * during the call only. */
typedef void (*ks_glossary_diag_cb)(void *ctx, const char *source, size_t line,
                                    const char *message);

/* Counts of one load, for the caller's summary. */
typedef struct ks_glossary_report {
    size_t lines;            /* lines read, comments and blank lines included */
    size_t concepts;         /* concepts added */
    size_t variants;         /* variants added (after dropping duplicates) */
    size_t skipped;          /* malformed lines skipped */
    size_t warnings;         /* other diagnostics (a spelling dropped, an unknown column) */
} ks_glossary_report_t;

/* One spelling handed to ks_glossary_add_concept(). */
typedef struct ks_glossary_spelling {
    ks_glossary_lang_t lang;
    const char        *text;      /* UTF-8, need not be NUL-terminated */
    size_t             len;
} ks_glossary_spelling_t;

/* A variant as stored. All pointers are owned by the glossary and valid until
 * it is freed. */
typedef struct ks_glossary_variant {
    ks_glossary_lang_t  lang;
    const char         *text;     /* the spelling as written (whitespace collapsed) */
    const char *const  *terms;    /* nterms exact terms */
    const char *const  *stems;    /* nterms stems ("Z" + stem); NULL for a word without a stemmer
                                     or written in capitals (an abbreviation) */
    size_t              nterms;   /* 1..KS_GLOSSARY_MAX_TERMS */
} ks_glossary_variant_t;

/* A match of ks_glossary_match(). */
#define KS_GLOSSARY_BY_STEM 0x1u  /* at least one term matched only through its stem */

typedef struct ks_glossary_match {
    size_t             start;     /* span [start, end) of query terms */
    size_t             end;
    size_t             concept;   /* 0 .. ks_glossary_concept_count()-1 */
    size_t             variant;   /* the variant that matched, an index within the concept */
    unsigned           flags;     /* KS_GLOSSARY_BY_STEM */
    const char *const *terms;     /* the query's terms (as passed, or as analysed by ks_glossary_match_text) */
    size_t             nterms;
} ks_glossary_match_t;

/* Return 0 to go on, non-zero to stop. */
typedef int (*ks_glossary_match_cb)(void *ctx, const ks_glossary_match_t *m);

/* An empty glossary; freed with ks_glossary_free. */
ks_glossary_status_t ks_glossary_new(ks_glossary_t **out);
void ks_glossary_free(ks_glossary_t *g);                      /* NULL ok */

/* Add the entries of a TSV glossary buf[0..len) (the format of
 * the files of indexer/lexicon/: an optional UTF-8 BOM; lines starting with '#' are
 * comments; the first other line is the header naming the columns' languages,
 * e.g. "fa\tru\ten"; then one concept per line, one TAB between columns,
 * spellings within a column separated by '|'). source names the buffer in
 * diagnostics (a file name, "index metadata"); diag may be NULL; report may
 * be NULL. Malformed lines are reported and skipped; only allocation and
 * analyzer failures stop the load. a is used during the call only. */
ks_glossary_status_t ks_glossary_add_tsv(ks_glossary_t *g, ka_analyzer_t *a,
                                         const char *source, const char *buf, size_t len,
                                         ks_glossary_diag_cb diag, void *diag_ctx,
                                         ks_glossary_report_t *report);

/* Add one concept from n spellings (the building block of every loader).
 * Spellings with no words, with more than KS_GLOSSARY_MAX_TERMS words or
 * analysing to the same terms as an earlier spelling of the concept are
 * dropped; *added (may be NULL) receives how many were kept. Nothing is
 * added when none is kept. Text is validated and copied. */
ks_glossary_status_t ks_glossary_add_concept(ks_glossary_t *g, ka_analyzer_t *a,
                                             const ks_glossary_spelling_t *spellings, size_t n,
                                             size_t *added);

size_t ks_glossary_concept_count(const ks_glossary_t *g);
size_t ks_glossary_variant_total(const ks_glossary_t *g);
/* Number of variants of a concept; 0 if concept is out of range. */
size_t ks_glossary_concept_size(const ks_glossary_t *g, size_t concept);
/* The i-th variant of a concept. KS_GLOSSARY_ERR_ARG if out of range. */
ks_glossary_status_t ks_glossary_variant(const ks_glossary_t *g, size_t concept, size_t i,
                                         ks_glossary_variant_t *out);

/* Find the glossary variants in a query's term sequence: terms[0..n) are the
 * exact terms of the query's tokens as ka_analyze(KA_QUERY) gives them, in
 * order, stop words included and KA_TOK_JOINED tokens left out. stems may be
 * NULL; if given, stems[k] is the stem of terms[k] (or NULL), and a term also
 * matches a variant's term with the same stem of two or more characters
 * (reported with KS_GLOSSARY_BY_STEM, so that such expansions can be weighted
 * lower): "Киргизии" finds "Киргизия". Words written in capitals
 * (abbreviations: ИДУ, НАТО) keep no stem and match only exactly. Left to right, the longest variant
 * starting at a position wins and the scan resumes after it; every concept
 * having a variant of that length there is reported (homographs), up to
 * KS_GLOSSARY_MAX_SPAN_CONCEPTS, in glossary order; stem matches only when no
 * concept matches that span exactly. Returns KS_GLOSSARY_OK, also when cb
 * stopped. */
ks_glossary_status_t ks_glossary_match(const ks_glossary_t *g,
                                       const char *const *terms, const char *const *stems,
                                       size_t n, ks_glossary_match_cb cb, void *ctx);

/* ks_glossary_match on text analysed with ka_analyze(KA_QUERY): for tools,
 * tests and --explain. The spans index the analysed terms, passed to cb in
 * m->terms. */
ks_glossary_status_t ks_glossary_match_text(const ks_glossary_t *g, ka_analyzer_t *a,
                                            const char *text, size_t len,
                                            ks_glossary_match_cb cb, void *ctx);

/* The whole glossary as TSV text (header "fa\tru\ten", one concept a line),
 * loadable by ks_glossary_add_tsv. *out is malloc'd, NUL-terminated, freed by
 * the caller with free(); *out_len (may be NULL) excludes the NUL. */
ks_glossary_status_t ks_glossary_to_tsv(const ks_glossary_t *g, char **out, size_t *out_len);

/* The pre-analysed form: every variant with its terms and stems, as
 * kavosh-index stores it in the index (KI_META_GLOSSARY_ANALYSED) so that
 * kavosh-search loads a large glossary without running the analyzer over
 * it. A text format: a magic line, then "C" opening each concept and one
 * line per variant: LANG<TAB>NTERMS<TAB>TEXT then TERM<TAB>STEM per term
 * (an empty STEM for none). Valid only for the analyzer that wrote it: the
 * index's schema version ties them. *out is malloc'd and NUL-terminated. */
ks_glossary_status_t ks_glossary_to_analysed(const ks_glossary_t *g, char **out, size_t *out_len);
/* One concept in the same form ("C" and its variant lines, no magic line),
 * for storing concepts one by one; *out is malloc'd (an empty string for a
 * concept with nothing writable). */
ks_glossary_status_t ks_glossary_concept_to_analysed(const ks_glossary_t *g, size_t concept,
                                                     char **out, size_t *out_len);
/* The form's first line (with its newline), to put before such concepts. */
const char *ks_glossary_analysed_magic(void);
/* Whether buf starts like the pre-analysed form. */
int ks_glossary_is_analysed(const char *buf, size_t len);
/* Add the concepts of a pre-analysed glossary. KS_GLOSSARY_ERR_ARG when buf
 * is damaged: the concepts read before the damage stay, the rest is left out
 * (the caller may load the TSV text instead). */
ks_glossary_status_t ks_glossary_add_analysed(ks_glossary_t *g, const char *buf, size_t len);

/* "fa", "ru", "en"; NULL if out of range. */
const char *ks_glossary_lang_code(ks_glossary_lang_t lang);
/* The language named by code[0..len) (case-insensitive "fa"/"ru"/"en", also
 * "per"/"fas"/"pes"/"rus"/"eng" as FreeDict and ISO 639-3 name them); -1 if
 * unknown. The one table of language codes: every reader asks it. */
int ks_glossary_lang_from_code(const char *code, size_t len);

const char *ks_glossary_status_to_string(ks_glossary_status_t st);

#ifdef __cplusplus
}
#endif
#endif /* KAVOSH_GLOSSARY_H */
