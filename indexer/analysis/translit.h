/*
 * translit.h - a Latin consonant skeleton for a word of any script, so that a
 * name written in Persian, Russian or English meets itself in the others
 * (Атамбаев ~ Atambayev ~ آتامبایف all give "tmbv").
 *
 * The skeleton is built in three steps, documented rule by rule in translit.c:
 * Cyrillic (and Latin letters with diacritics) go through one ICU
 * transliterator to ASCII Latin; Latin is reduced by spelling rules (digraphs,
 * c/k/q, w, x) to consonant classes; Persian letters map to the same classes
 * through a table, with و and ه read as consonant or vowel from their
 * neighbours. Vowels are dropped and repeated classes collapsed. Equal
 * skeletons mean "probably the same name"; they are meant to be indexed as
 * extra terms and matched at a low weight, never as proof.
 *
 * The skeleton alphabet is lower-case ASCII only, so it can follow a Xapian
 * term prefix without a ':' separator:
 *   b(b p, ب پ) t d s z j(j zh dzh, ج ژ) c(ch, چ) w(sh, ش) l m n r
 *   k(k g q h kh gh, ق غ ک گ خ ح ه) v(v f w ph, و ف)
 *
 * A ka_translit_t owns its ICU transliterator (opened by the first word that
 * needs it: a Cyrillic one) and a bounded
 * cache of word -> skeleton, because ICU transliteration is slow and the same
 * names recur throughout a corpus. Not thread-safe: one per thread, like the
 * analyzer.
 */
#ifndef KAVOSH_TRANSLIT_H
#define KAVOSH_TRANSLIT_H

#include <stddef.h>

#include "analyzer.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ka_translit ka_translit_t;

/* Skeletons shorter than this are reported as empty: with the vowels gone,
 * two consonant classes ("ms", "tn") are shared by hundreds of unrelated
 * words in each language, so such a match says nothing about a name. */
#define KA_TRANSLIT_MIN_SKELETON 3

/* Words longer than this (in bytes of UTF-8) get no skeleton. The longest
 * names, even two words joined by the analyzer (پالگریومکمیلان), stay well
 * below it, and it keeps ICU's cost per word and the cache entries small. */
#define KA_TRANSLIT_MAX_WORD 128

/* An out buffer of this many bytes always holds a skeleton and its NUL: one
 * byte of input gives at most two classes (Latin x -> "ks"). */
#define KA_TRANSLIT_SKELETON_CAP (2 * KA_TRANSLIT_MAX_WORD + 1)

/* Distinct words remembered before the cache is emptied and starts again;
 * a corpus has far fewer distinct names, and the bound keeps memory flat
 * (about 10 MB at worst) on text with endless distinct words. */
#define KA_TRANSLIT_CACHE_MAX 65536

/* Create a transliterator. Returns NULL if memory runs out. ICU's
 * transliterator is opened by the first word that needs it (a Cyrillic one),
 * whose skeleton fails with KA_ERR_ICU if ICU's data cannot be opened. Free
 * it with ka_translit_free. */
ka_translit_t *ka_translit_new(void);
void ka_translit_free(ka_translit_t *t);                 /* NULL ok */

/* Skeleton of word[0..len), an analyzer term (normalized: lower case, Persian
 * letters folded, no diacritics, ASCII digits). Other input is accepted too:
 * invalid UTF-8, capitals, marks and punctuation are skipped, never fatal.
 *
 * On KA_OK, out holds the skeleton NUL-terminated and *out_len its length,
 * which is 0 when the word has none: it contains a digit, is longer than
 * KA_TRANSLIT_MAX_WORD, or gives fewer than KA_TRANSLIT_MIN_SKELETON classes.
 * Returns KA_ERR_ARG for NULL arguments (word may be NULL when len is 0) or
 * a skeleton that does not fit in cap (never with cap >=
 * KA_TRANSLIT_SKELETON_CAP); KA_ERR_ICU if ICU fails on the word. On error,
 * *out_len is 0 and out (if cap > 0) the empty string. */
ka_status_t ka_translit_skeleton(ka_translit_t *t, const char *word, size_t len,
                                 char *out, size_t cap, size_t *out_len);

/* Prefix of transliteration terms in the index and in queries. */
#define KA_PREFIX_TRANSLIT "T"
/* Room for KA_PREFIX_TRANSLIT + a skeleton + NUL. */
#define KA_TRANSLIT_TERM_CAP (KA_TRANSLIT_SKELETON_CAP + 1)

/* The transliteration term of an analyzer token: KA_PREFIX_TRANSLIT + its
 * skeleton, written to out (cap >= KA_TRANSLIT_TERM_CAP). kavosh-index and
 * kavosh-search both call this, so the two sides agree. Stop words and
 * numbers get none, since their skeletons would match everything; *out_len
 * is 0 then. Returns as ka_translit_skeleton. */
ka_status_t ka_translit_token_term(ka_translit_t *t, const ka_token_t *tok, char *out,
                                   size_t cap, size_t *out_len);

/* Cache statistics since creation, for tests and benchmarks. */
void ka_translit_stats(const ka_translit_t *t, size_t *hits, size_t *misses,
                       size_t *entries);

#ifdef __cplusplus
}
#endif

#endif /* KAVOSH_TRANSLIT_H */
