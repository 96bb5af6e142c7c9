/*
 * stem_fa.h - a light Persian stemmer (internal to indexer/analysis).
 *
 * Input is a word already normalized by normalize.c (Persian yeh and kaf,
 * no ZWNJ, no harakat, آ folded to ا). The stemmer strips the verbal prefixes
 * می/نمی, then plural, comparative, ezafe/indefinite and possessive suffixes,
 * with guards so that short and lexical words are left alone (ایران is not
 * ایر, بهترین is not به, میز is not ز). It never conjugates verbs and never
 * adds letters except to undo a spelling change of the suffix (گان -> ه,
 * ترین -> تر on short bases).
 */
#ifndef KAVOSH_STEM_FA_H
#define KAVOSH_STEM_FA_H

#include <stddef.h>

#include "wordset.h"

typedef struct ka_stem_fa {
    ka_wordset_t keep;        /* words never stemmed */
    ka_wordset_t mi_exact;    /* lexical words that start with می: not a verbal prefix */
    ka_wordset_t mi_prefix;   /* lexical stems starting with می, also with any ending */
} ka_stem_fa_t;

/* Build the guard sets, normalizing them with fold (see wordset.h). */
ka_status_t ka_stem_fa_init(ka_stem_fa_t *st, ka_fold_fn fold, void *ctx);
void ka_stem_fa_fini(ka_stem_fa_t *st);

/* Stem w[0..len) into out, which must have room for len + 1 bytes (a stem is
 * never longer than its word). Returns the stem's length; out is NUL-terminated. */
size_t ka_stem_fa(const ka_stem_fa_t *st, const char *w, size_t len, char *out);

#endif /* KAVOSH_STEM_FA_H */
