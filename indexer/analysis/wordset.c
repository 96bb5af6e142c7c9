/*
 * wordset.c - sorted sets of normalized words for stop words and stemmer guards.
 */
#include "wordset.h"

#include <stdlib.h>
#include <string.h>

/* Byte-wise order of two counted strings, the order of the binary search. */
static int cmp_bytes(const char *a, size_t al, const char *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);
    if (c != 0)
        return c;
    return al < bl ? -1 : al > bl;
}

typedef struct sort_ctx_item {
    const char *arena;
    size_t off, len;
} item_t;

static int cmp_items(const void *x, const void *y)
{
    const item_t *a = x, *b = y;
    return cmp_bytes(a->arena + a->off, a->len, b->arena + b->off, b->len);
}

/* A multiplicative hash eight bytes at a time (lookups run several times for
 * every Persian word, so the hash must not cost a multiply per byte). */
uint32_t ka_hash_bytes(const char *s, size_t len, uint64_t seed)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ seed ^ len;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0xFF51AFD7ED558CCDull;
        h ^= h >> 32;
    }
    if (i < len) {
        uint64_t w = 0;
        memcpy(&w, s + i, len - i);
        h = (h ^ w) * 0xFF51AFD7ED558CCDull;
        h ^= h >> 32;
    }
    h *= 0xC4CEB9FE1A85EC53ull;
    return (uint32_t)(h >> 32);
}

void ka_wordset_fini(ka_wordset_t *ws)
{
    if (ws == NULL)
        return;
    free(ws->slots);
    free(ws->arena);
    free(ws->offs);
    free(ws->lens);
    memset(ws, 0, sizeof *ws);
}

ka_status_t ka_wordset_init(ka_wordset_t *ws, const char *const *list, size_t n,
                            ka_fold_fn fold, void *ctx)
{
    memset(ws, 0, sizeof *ws);
    size_t cap = 256, used = 0;
    char *arena = malloc(cap);
    item_t *items = calloc(n ? n : 1, sizeof *items);
    if (arena == NULL || items == NULL)
        goto nomem;
    for (size_t i = 0; i < n; i++) {
        size_t fl = 0;
        const char *f = fold(ctx, list[i], strlen(list[i]), &fl);
        if (f == NULL)
            goto nomem;
        while (used + fl + 1 > cap) {
            char *g = realloc(arena, cap * 2);
            if (g == NULL)
                goto nomem;
            arena = g;
            cap *= 2;
        }
        memcpy(arena + used, f, fl);
        arena[used + fl] = '\0';
        items[i].off = used;
        items[i].len = fl;
        used += fl + 1;
    }
    for (size_t i = 0; i < n; i++)
        items[i].arena = arena;
    qsort(items, n, sizeof *items, cmp_items);

    ws->offs = malloc((n ? n : 1) * sizeof *ws->offs);
    ws->lens = malloc((n ? n : 1) * sizeof *ws->lens);
    if (ws->offs == NULL || ws->lens == NULL)
        goto nomem;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (items[i].len == 0)
            continue;
        if (k > 0 && cmp_bytes(arena + ws->offs[k - 1], ws->lens[k - 1],
                               arena + items[i].off, items[i].len) == 0)
            continue;
        ws->offs[k] = items[i].off;
        ws->lens[k] = items[i].len;
        k++;
    }
    ws->arena = arena;
    ws->n = k;
    free(items);
    items = NULL;

    size_t nslots = 16;
    while (nslots < 2 * k)
        nslots *= 2;
    ws->slots = calloc(nslots, sizeof *ws->slots);
    if (ws->slots == NULL)
        goto nomem;
    ws->mask = nslots - 1;
    for (size_t i = 0; i < k; i++) {
        size_t h = ka_hash_bytes(arena + ws->offs[i], ws->lens[i], 0) & ws->mask;
        while (ws->slots[h] != 0)
            h = (h + 1) & ws->mask;
        ws->slots[h] = (uint32_t)(i + 1);
    }
    return KA_OK;

nomem:
    free(arena);
    free(items);
    free(ws->offs);
    free(ws->lens);
    free(ws->slots);
    memset(ws, 0, sizeof *ws);
    return KA_ERR_NOMEM;
}

int ka_wordset_has(const ka_wordset_t *ws, const char *w, size_t len)
{
    if (ws->slots == NULL)
        return 0;
    size_t h = ka_hash_bytes(w, len, 0) & ws->mask;
    for (uint32_t k; (k = ws->slots[h]) != 0; h = (h + 1) & ws->mask) {
        size_t i = k - 1;
        if (ws->lens[i] == len && memcmp(ws->arena + ws->offs[i], w, len) == 0)
            return 1;
    }
    return 0;
}
