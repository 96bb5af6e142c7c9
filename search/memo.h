/*
 * memo.h - what a batch has already read from the index, by key: the term
 * frequencies and transliteration near keys a query's parse asks for, which
 * the next queries of a batch ask for again. Valid for one revision of the
 * index: the batch clears it whenever it reopens the index.
 */
#ifndef KAVOSH_MEMO_H
#define KAVOSH_MEMO_H

#include <stddef.h>

typedef struct ks_memo ks_memo_t;

/* A new, empty memo that holds at most about max_bytes of keys and values
 * (then it starts afresh). NULL without memory. */
ks_memo_t *ks_memo_new(size_t max_bytes);
/* Forget everything (the index was reopened). NULL ok. */
void ks_memo_clear(ks_memo_t *m);
void ks_memo_free(ks_memo_t *m);   /* NULL ok */

/* The value stored under key[0..klen), *vlen set; NULL if none (or m NULL).
 * Valid until the next ks_memo_put or ks_memo_clear. */
const void *ks_memo_get(const ks_memo_t *m, const char *key, size_t klen, size_t *vlen);
/* Store val[0..vlen) under key[0..klen) (a key stored already keeps its
 * value). A failure only means it is not remembered. NULL m ok. */
void ks_memo_put(ks_memo_t *m, const char *key, size_t klen, const void *val, size_t vlen);

#endif /* KAVOSH_MEMO_H */
