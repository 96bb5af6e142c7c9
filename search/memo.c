/*
 * memo.c - a batch's memo of index reads: an open-addressed hash of byte
 * strings over one arena. See memo.h.
 */
#include "memo.h"
#include "wordset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
    uint32_t hash;
    uint32_t klen, vlen;
    size_t   off;      /* key then value in the arena; (size_t)-1 if unused */
} entry_t;

struct ks_memo {
    entry_t *slots;
    size_t   n_slots, used;   /* a power of two, at most half full */
    char    *arena;
    size_t   len, cap;
    size_t   max_bytes;
};

#define MEMO_FIRST_SLOTS 256u
#define EMPTY ((size_t)-1)

static uint32_t hash_bytes(const char *s, size_t n)
{
    return ka_hash_bytes(s, n, 0);
}

ks_memo_t *ks_memo_new(size_t max_bytes)
{
    ks_memo_t *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->max_bytes = max_bytes;
    m->n_slots = MEMO_FIRST_SLOTS;
    m->slots = malloc(m->n_slots * sizeof *m->slots);
    if (!m->slots) {
        free(m);
        return NULL;
    }
    ks_memo_clear(m);
    return m;
}

void ks_memo_clear(ks_memo_t *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n_slots; i++)
        m->slots[i].off = EMPTY;
    m->used = 0;
    m->len = 0;
}

void ks_memo_free(ks_memo_t *m)
{
    if (!m)
        return;
    free(m->slots);
    free(m->arena);
    free(m);
}

static entry_t *find(const ks_memo_t *m, uint32_t h, const char *key, size_t klen)
{
    size_t mask = m->n_slots - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        entry_t *e = &m->slots[i];
        if (e->off == EMPTY)
            return e;
        if (e->hash == h && e->klen == klen && memcmp(m->arena + e->off, key, klen) == 0)
            return e;
    }
}

const void *ks_memo_get(const ks_memo_t *m, const char *key, size_t klen, size_t *vlen)
{
    if (!m)
        return NULL;
    const entry_t *e = find(m, hash_bytes(key, klen), key, klen);
    if (e->off == EMPTY)
        return NULL;
    *vlen = e->vlen;
    return m->arena + e->off + e->klen;
}

static int grow(ks_memo_t *m)
{
    size_t n = m->n_slots * 2, mask = n - 1;
    entry_t *s = malloc(n * sizeof *s);
    if (!s)
        return -1;
    for (size_t i = 0; i < n; i++)
        s[i].off = EMPTY;
    for (size_t k = 0; k < m->n_slots; k++) {
        if (m->slots[k].off == EMPTY)
            continue;
        size_t i = m->slots[k].hash & mask;
        while (s[i].off != EMPTY)
            i = (i + 1) & mask;
        s[i] = m->slots[k];
    }
    free(m->slots);
    m->slots = s;
    m->n_slots = n;
    return 0;
}

void ks_memo_put(ks_memo_t *m, const char *key, size_t klen, const void *val, size_t vlen)
{
    if (!m || klen > UINT32_MAX || vlen > UINT32_MAX)
        return;
    size_t need = klen + vlen;
    if (m->len + need + (m->used + 1) * sizeof(entry_t) > m->max_bytes)
        ks_memo_clear(m);
    if (need + sizeof(entry_t) > m->max_bytes)
        return;
    if ((m->used + 1) * 2 > m->n_slots && grow(m) != 0)
        return;
    uint32_t h = hash_bytes(key, klen);
    entry_t *e = find(m, h, key, klen);
    if (e->off != EMPTY)
        return;
    if (m->len + need > m->cap) {
        size_t cap = m->cap ? m->cap : 4096;
        while (cap < m->len + need)
            cap *= 2;
        char *a = realloc(m->arena, cap);
        if (!a)
            return;
        m->arena = a;
        m->cap = cap;
    }
    memcpy(m->arena + m->len, key, klen);
    if (vlen)
        memcpy(m->arena + m->len + klen, val, vlen);
    *e = (entry_t){ h, (uint32_t)klen, (uint32_t)vlen, m->len };
    m->len += need;
    m->used++;
}
