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
 * needs it: a Cyrillic one that is not Russian letters alone, which are
 * romanized as ICU would without it) and a bounded
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

/* The one vowel mark of a key (see finish_skeleton in translit.c): a word
 * that starts with a vowel or glide has it in front, a word of two
 * consonants and a final vowel at the end. */
#define KA_TRANSLIT_VOWEL 'a'

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

/* Create a transliterator in *out: KA_OK, KA_ERR_ARG (NULL out) or
 * KA_ERR_NOMEM (then *out is NULL). ICU's transliterator is opened by the
 * first word that needs it (a Cyrillic one), whose skeleton fails with
 * KA_ERR_ICU if ICU's data cannot be opened. Free it with ka_translit_free. */
ka_status_t ka_translit_new(ka_translit_t **out);
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

/* ka_translit_token_term gives no key of more than this many classes (well
 * under Xapian's term limit; a name has a dozen or two). */
#define KA_TRANSLIT_MAX_KEY 64

/* The transliteration term of an analyzer token: KA_PREFIX_TRANSLIT + its
 * skeleton, written to out (cap >= KA_TRANSLIT_TERM_CAP). kavosh-index and
 * kavosh-search both call this, so the two sides agree. Stop words, numbers
 * and the common words of ka_translit_is_common get none, since their keys
 * would match names everywhere; nor do Latin and Cyrillic words without
 * KA_TOK_CAPITAL (written in lower case: not names) - a query sets that flag
 * on every word, since users type names in lower case. *out_len is 0 then.
 * Returns as ka_translit_skeleton. */
ka_status_t ka_translit_token_term(ka_translit_t *t, const ka_token_t *tok, char *out,
                                   size_t cap, size_t *out_len);

/* ------------------------------------------------------------------------ */
/* Near keys                                                                 */

/* Two spellings of one name often differ by one class even after the rules
 * (a consonant Persian writes and Russian does not: استروشن ~ Истаравшан;
 * ج for ч: نخجوان ~ Нахичевань), so a query key also matches the index's
 * keys that are near it: same first class, and for keys of
 * KA_TRANSLIT_NEAR_MIN classes or more one edit (one class added or
 * dropped, or changed for one that spellings confuse: j c z k r w, c w,
 * s z, t d). Shorter keys match only themselves: one edit in a key of four
 * classes or fewer reaches hundreds of unrelated words. */
#define KA_TRANSLIT_NEAR_MIN 5

/* One exception: a 'v' or 'y' added or dropped (Persian و and ی are a
 * consonant or a long vowel, and the key keeps only the consonant) needs
 * only this many classes in the shorter key. */
#define KA_TRANSLIT_NEAR_SEMIVOWEL_MIN 4

/* At most this many keys are kept for one query key: the nearest, then the
 * most frequent in the index. */
#define KA_TRANSLIT_NEAR_MAX 8

/* Are skeletons a[0..alen) and b[0..blen) near (see above)? Pure. Equal
 * non-empty keys are near; an empty key is near nothing. */
int ka_translit_near(const char *a, size_t alen, const char *b, size_t blen);

/* The keys near one query key, collected from the index's keys. Fill it with
 * ka_translit_near_init, walk the index's terms that start with
 * ka_translit_near_prefix (KA_PREFIX_TRANSLIT and the key's first class: no
 * other term can be near), offering each with ka_translit_near_offer, and
 * read the matches from term[0..n), nearest first. */
typedef struct ka_translit_near_set {
    char     key[KA_TRANSLIT_TERM_CAP];           /* the query term (prefix + key) */
    size_t   key_len;
    char     prefix[4];                           /* prefix + first class, NUL-terminated */
    size_t   n;                                   /* matches kept */
    char     term[KA_TRANSLIT_NEAR_MAX][KA_TRANSLIT_TERM_CAP];  /* NUL-terminated */
    unsigned dist[KA_TRANSLIT_NEAR_MAX];          /* 0 or 1 */
    unsigned freq[KA_TRANSLIT_NEAR_MAX];          /* as offered */
    size_t   offered;                             /* terms offered, for tests */
} ka_translit_near_set_t;

/* Start a set for the query term term[0..len) (KA_PREFIX_TRANSLIT + key, as
 * ka_translit_token_term makes it). KA_ERR_ARG for NULL, a term without the
 * prefix or too long for the set. */
ka_status_t ka_translit_near_init(ka_translit_near_set_t *s, const char *term, size_t len);

/* The prefix to walk: every index term that can be near starts with it. */
const char *ka_translit_near_prefix(const ka_translit_near_set_t *s);

/* Offer one index term (with its document frequency); keeps it if it is
 * near the query key. Always returns 0 (go on), so it can be the callback
 * of a walk over terms, ctx being the set. Terms without the prefix are
 * ignored. */
int ka_translit_near_offer(void *ctx, const char *term, size_t len, unsigned freq);

/* Is word[0..len) (an analyzer term) one of the frequent words of the field
 * that get no key because their keys are those of names (طرح ~ Turkiye,
 * human ~ Khamenei)? ka_translit_token_term checks a token's term and stem. */
int ka_translit_is_common(const ka_translit_t *t, const char *word, size_t len);
/* The list itself, for tests: word i (NULL past the end) of count. */
size_t ka_translit_common_count(void);
const char *ka_translit_common_word(size_t i);

/* With on, every Cyrillic run goes through ICU's transliterator, as before
 * the native romanization of Russian runs (translit.c, ru_native) that gives
 * the same skeletons without opening it; for tests that compare the two.
 * Empties the cache. */
void ka_translit_set_icu_only(ka_translit_t *t, int on);

/* Cache statistics since creation, for tests and benchmarks. */
void ka_translit_stats(const ka_translit_t *t, size_t *hits, size_t *misses,
                       size_t *entries);

#ifdef __cplusplus
}
#endif

#endif /* KAVOSH_TRANSLIT_H */
