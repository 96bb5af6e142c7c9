/*
 * wordset.h - a read-only set of normalized words (internal).
 *
 * Stop-word lists and the Persian stemmer's protected words are written in
 * the source as people spell them; ka_wordset_init passes each through the
 * analyzer's own normalization first, so that the lists can never disagree
 * with the terms they are compared with. The words are kept in list order
 * (first spelling of each) and indexed by a hash table: a lookup is one
 * probe or two, as it runs several times for every word of every text.
 */
#ifndef KAVOSH_WORDSET_H
#define KAVOSH_WORDSET_H

#include <stddef.h>
#include <stdint.h>

#include "analyzer.h"

typedef struct ka_wordset {
    char   *arena;   /* owned: every normalized word, NUL-terminated */
    size_t *offs;    /* owned: offset of each word in arena, in list order */
    size_t *lens;    /* owned: their lengths */
    size_t  n;
    uint32_t *slots; /* owned: open-addressing hash index, word number + 1 (0 = free) */
    size_t  mask;    /* number of slots - 1 (a power of two, at least twice n) */
} ka_wordset_t;

/* Normalize word[0..len) into a string owned by ctx (valid until the next call); NULL on failure. */
typedef const char *(*ka_fold_fn)(void *ctx, const char *word, size_t len, size_t *out_len);

/* Build ws from list[0..n). Duplicates after normalization are kept once.
 * KA_OK or KA_ERR_NOMEM; on failure ws holds nothing. */
ka_status_t ka_wordset_init(ka_wordset_t *ws, const char *const *list, size_t n,
                            ka_fold_fn fold, void *ctx);
void ka_wordset_fini(ka_wordset_t *ws);

/* Is w[0..len) in ws? */
int ka_wordset_has(const ka_wordset_t *ws, const char *w, size_t len);

/* A fast 32-bit hash of s[0..len) (word-at-a-time, no multiply per byte),
 * for the word sets and the analyzer's term cache; seed varies it. */
uint32_t ka_hash_bytes(const char *s, size_t len, uint64_t seed);

#endif /* KAVOSH_WORDSET_H */
