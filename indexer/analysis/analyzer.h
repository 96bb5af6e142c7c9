/*
 * analyzer.h - the one text analyzer of Kavosh.
 *
 * Every term in the index and every term of a query comes from ka_analyze():
 * kavosh-index calls it with KA_DOCUMENT, kavosh-search with KA_QUERY, so the
 * two sides can never drift apart (the idea of SQLite FTS5's tokenizer API).
 *
 * The analyzer normalizes (NFKC + case folding with ICU, then the Persian,
 * Russian and Latin rules in normalize.c), breaks words with ICU, splits tokens
 * where the script changes (tokenize.c), and stems by script (Xapian's
 * Snowball russian and english through the wrapper; the Persian stemmer in
 * stem_fa.c). Stop words are flagged, not removed (stopwords.c).
 *
 * An analyzer holds ICU objects, stemmers, a stem cache and reusable buffers:
 * no global state, so one per thread. Not thread-safe itself. Documents and
 * queries are analysed identically today; the mode is kept in the API so
 * that a difference, if one is ever needed, stays in this one place.
 */
#ifndef KAVOSH_ANALYZER_H
#define KAVOSH_ANALYZER_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ka_analyzer ka_analyzer_t;

typedef enum ka_status {
    KA_OK = 0,
    KA_ERR_NOMEM,      /* allocation failed */
    KA_ERR_ICU,        /* ICU could not be initialised (missing data) */
    KA_ERR_STEMMER,    /* a Snowball stemmer could not be created */
    KA_ERR_ARG,        /* NULL or invalid argument */
    KA_STOPPED,        /* the callback returned non-zero; not an error of the analyzer */
    KA_STATUS_LAST
} ka_status_t;

typedef enum ka_mode {
    KA_DOCUMENT = 0,   /* text being indexed */
    KA_QUERY = 1       /* text typed by a user */
} ka_mode_t;

typedef enum ka_script {
    KA_SCRIPT_OTHER = 0,
    KA_SCRIPT_ARABIC,   /* Persian (and Arabic) letters */
    KA_SCRIPT_CYRILLIC,
    KA_SCRIPT_LATIN,
    KA_SCRIPT_DIGIT     /* a number (digits of any script, normalized to ASCII) */
} ka_script_t;

/* Term prefixes. An exact term has no prefix; its stem carries KA_PREFIX_STEM. */
#define KA_PREFIX_STEM "Z"

/* Token flags. */
#define KA_TOK_STOPWORD 0x1u  /* a stop word of its language: indexed, but dropped from
                                 queries that have other words */
#define KA_TOK_JOINED   0x2u  /* the concatenation of this word and the next (Persian
                                 compounds written with a space, ZWNJ or joined):
                                 same pos as the first word; start of the first,
                                 end of the second. Only for two adjacent Persian
                                 words with nothing but white space between them
                                 (not a blank line); delivered just before the
                                 second word. It has a stem, and may also carry
                                 KA_TOK_STOPWORD («آن ها» -> «انها»). */

#define KA_TOK_CAPITAL  0x4u  /* a Latin or Cyrillic word whose first letter is written
                                 as a capital in the input (not for joined tokens) */

/* One token. Terms are at most KX_MAX_TERM_BYTES - 2 bytes, stems (with their
 * prefix) at most KX_MAX_TERM_BYTES - 1, so both can go to Xapian as they are;
 * longer words are cut at a character boundary. */
typedef struct ka_token {
    const char *term;      /* exact normalized form, NUL-terminated; valid during the callback only.
                              Numbers lose thousands separators («۱٬۰۰۰» -> "1000"), English
                              words their possessive 's */
    size_t      term_len;
    const char *stem;      /* KA_PREFIX_STEM + stem, NUL-terminated, also when the stem equals
                              the term; NULL only for KA_SCRIPT_DIGIT and KA_SCRIPT_OTHER */
    size_t      stem_len;
    size_t      start;     /* byte offset of the word's first byte in the ORIGINAL input */
    size_t      end;       /* byte offset one past its last byte in the ORIGINAL input,
                              including marks the normalization removed after it (tanwin,
                              harakat, ZWNJ) */
    unsigned    pos;       /* 1-based word position; KA_TOK_JOINED tokens share the first word's;
                              the pieces of a word split at a script change («قرن۲۰») each
                              have their own */
    ka_script_t script;
    unsigned    flags;     /* KA_TOK_* */
} ka_token_t;

/* Return 0 to go on, non-zero to stop (ka_analyze then returns KA_STOPPED).
 * The callback may call ka_fold and ka_guess_lang on the same analyzer, but
 * not ka_analyze. */
typedef int (*ka_token_cb)(void *ctx, const ka_token_t *tok);

/* Create an analyzer. *out is freed with ka_analyzer_free. */
ka_status_t ka_analyzer_new(ka_analyzer_t **out);
void ka_analyzer_free(ka_analyzer_t *a);                  /* NULL ok */

/* Options of an analyzer (all off after ka_analyzer_new). */
#define KA_OPT_NO_JOINED 0x1u  /* produce no KA_TOK_JOINED tokens: for a caller that
                                  ignores them (an indexer that leaves joining to the
                                  query side); saves about a third of the time on
                                  Persian text. Nothing else changes. */

/* Set the options (KA_OPT_*, OR'ed) for the following calls. KA_ERR_ARG for a
 * NULL analyzer or an unknown bit. */
ka_status_t ka_analyzer_set_options(ka_analyzer_t *a, unsigned opts);

/* Analyse text[0..len). Invalid UTF-8 is replaced, never fatal; terms longer
 * than Xapian accepts are truncated at a character boundary. Tokens are
 * delivered in text order (by start offset). Positions start at 1 on every
 * call, and nothing carries over from one call to the next. Returns KA_OK,
 * KA_STOPPED, KA_ERR_ARG (NULL a or cb, NULL text with len > 0, unknown
 * mode), KA_ERR_NOMEM or KA_ERR_ICU. Long texts are processed in pieces cut
 * at white space, which does not change the tokens. */
ka_status_t ka_analyze(ka_analyzer_t *a, ka_mode_t mode, const char *text, size_t len,
                       ka_token_cb cb, void *ctx);

/* The normalization of ka_analyze alone, on a whole string (no word breaking,
 * no stemming; ZWNJ removed, spaces kept): for comparing names, section titles
 * and the like. The character rules only: no look-alike unification, and
 * commas in numbers and possessives stay. Returns a string owned by the
 * analyzer, valid until the next ka_fold on a (ka_analyze leaves it alone); *out_len may be
 * NULL. NULL on allocation failure or a NULL argument. */
const char *ka_fold(ka_analyzer_t *a, const char *text, size_t len, size_t *out_len);

/* The dominant language of text by script: "fa" (Arabic script), "ru"
 * (Cyrillic), "en" (Latin), or "und" if it has none of these letters; ties go
 * to fa, then ru. Counts letters of the raw text. Static string; a may be NULL. */
const char *ka_guess_lang(ka_analyzer_t *a, const char *text, size_t len);

const char *ka_status_to_string(ka_status_t st);

#ifdef __cplusplus
}
#endif
#endif /* KAVOSH_ANALYZER_H */
