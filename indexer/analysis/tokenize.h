/*
 * tokenize.h - word breaking of normalized text (internal to indexer/analysis).
 *
 * ICU's word break iterator finds the words of the normalized text; each word
 * is then split where its script changes («ایرانTehran», «قرن۲۰»), so that a
 * token never mixes Persian, Cyrillic, Latin letters or digits (after
 * look-alike letters have been unified, «Mосква» with a Latin M being
 * Москва). The tokenizer
 * owns the break iterator and reuses it for every chunk.
 */
#ifndef KAVOSH_TOKENIZE_H
#define KAVOSH_TOKENIZE_H

#include <stdint.h>

#include <unicode/utypes.h>
#include <unicode/ubrk.h>

#include "analyzer.h"

typedef struct ka_tokenizer {
    UBreakIterator *words;   /* owned; opened once per analyzer */
} ka_tokenizer_t;

/* A token run [start, end) in units of the normalized text, of one script.
 * Return 0 to go on, non-zero to stop. */
typedef int (*ka_run_cb)(void *ctx, int32_t start, int32_t end, ka_script_t script);

ka_status_t ka_tokenizer_init(ka_tokenizer_t *t);
void ka_tokenizer_fini(ka_tokenizer_t *t);

/* Call cb for every run of u[0..n) in text order. KA_OK, KA_STOPPED if cb
 * stopped, KA_ERR_ICU. u is modified in place where a word mixes Latin and
 * Cyrillic look-alike letters (see tokenize.c); lengths never change. */
ka_status_t ka_tokenize(ka_tokenizer_t *t, UChar *u, int32_t n, ka_run_cb cb, void *ctx);

/* The script class of one code point of normalized text (exposed for
 * ka_guess_lang): a ka_script_t, or -1 for characters that belong to no
 * script (punctuation, symbols, combining marks). */
int ka_script_of(UChar32 c);

#endif /* KAVOSH_TOKENIZE_H */
