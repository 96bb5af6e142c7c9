/*
 * analyzer.h - the one text analyzer of Kavosh.
 *
 * Every term in the index and every term of a query comes from ka_analyze():
 * kavosh-index calls it with KA_DOCUMENT, kavosh-search with KA_QUERY, so the
 * two sides can never drift apart (the idea of SQLite FTS5's tokenizer API).
 *
 * The analyzer normalizes (NFKC + case folding with ICU, then the Persian,
 * Russian and Latin rules in normalize.c), breaks words with ICU, splits tokens
 * where the script changes, and stems by script (Xapian's Snowball russian and
 * english through the wrapper; the Persian stemmer in stem_fa.c).
 *
 * An analyzer holds ICU objects, stemmers and reusable buffers: no global
 * state, so one per thread. Not thread-safe itself.
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
    KA_STOPPED         /* the callback returned non-zero; not an error of the analyzer */
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
                                 end of the second */

typedef struct ka_token {
    const char *term;      /* exact normalized form, NUL-terminated; valid during the callback only */
    size_t      term_len;
    const char *stem;      /* KA_PREFIX_STEM + stem, NUL-terminated, or NULL if the word has no stemmer */
    size_t      stem_len;
    size_t      start;     /* byte offset of the word's first byte in the ORIGINAL input */
    size_t      end;       /* byte offset one past its last byte in the ORIGINAL input */
    unsigned    pos;       /* 1-based word position; KA_TOK_JOINED tokens share the first word's */
    ka_script_t script;
    unsigned    flags;     /* KA_TOK_* */
} ka_token_t;

/* Return 0 to go on, non-zero to stop (ka_analyze then returns KA_STOPPED). */
typedef int (*ka_token_cb)(void *ctx, const ka_token_t *tok);

/* Create an analyzer. *out is freed with ka_analyzer_free. */
ka_status_t ka_analyzer_new(ka_analyzer_t **out);
void ka_analyzer_free(ka_analyzer_t *a);                  /* NULL ok */

/* Analyse text[0..len). Invalid UTF-8 is replaced, never fatal; terms longer
 * than Xapian accepts are truncated at a character boundary. Tokens are
 * delivered in text order. */
ka_status_t ka_analyze(ka_analyzer_t *a, ka_mode_t mode, const char *text, size_t len,
                       ka_token_cb cb, void *ctx);

/* The normalization of ka_analyze alone, on a whole string (no word breaking,
 * no stemming; ZWNJ removed, spaces kept): for comparing names, section titles
 * and the like. Returns a string owned by the analyzer, valid until the next
 * call on a; *out_len may be NULL. NULL on allocation failure. */
const char *ka_fold(ka_analyzer_t *a, const char *text, size_t len, size_t *out_len);

/* The dominant language of text by script: "fa", "ru", "en", or "und" if it has no letters. Static string. */
const char *ka_guess_lang(ka_analyzer_t *a, const char *text, size_t len);

const char *ka_status_to_string(ka_status_t st);

#ifdef __cplusplus
}
#endif
#endif /* KAVOSH_ANALYZER_H */
