/*
 * wordset.c - sets of normalized words for stop words and stemmer guards.
 */
#include "wordset.h"

#include <stdlib.h>
#include <string.h>

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
    /* Words go into the hash table as they are folded, a duplicate found
     * there kept once: no sort (sorting the lists was a fifth of an
     * analyzer's creation, which a one-shot search pays). */
    memset(ws, 0, sizeof *ws);
    size_t cap = 256, used = 0;
    size_t nslots = 16;
    while (nslots < 2 * (n ? n : 1))
        nslots *= 2;
    ws->arena = malloc(cap);
    ws->offs = malloc((n ? n : 1) * sizeof *ws->offs);
    ws->lens = malloc((n ? n : 1) * sizeof *ws->lens);
    ws->slots = calloc(nslots, sizeof *ws->slots);
    if (ws->arena == NULL || ws->offs == NULL || ws->lens == NULL || ws->slots == NULL)
        goto nomem;
    ws->mask = nslots - 1;
    for (size_t i = 0; i < n; i++) {
        size_t fl = 0;
        const char *f = fold(ctx, list[i], strlen(list[i]), &fl);
        if (f == NULL)
            goto nomem;
        if (fl == 0 || ka_wordset_has(ws, f, fl))
            continue;
        while (used + fl + 1 > cap) {
            char *g = realloc(ws->arena, cap * 2);
            if (g == NULL)
                goto nomem;
            ws->arena = g;
            cap *= 2;
        }
        memcpy(ws->arena + used, f, fl);
        ws->arena[used + fl] = '\0';
        ws->offs[ws->n] = used;
        ws->lens[ws->n] = fl;
        size_t h = ka_hash_bytes(f, fl, 0) & ws->mask;
        while (ws->slots[h] != 0)
            h = (h + 1) & ws->mask;
        ws->slots[h] = (uint32_t)(ws->n + 1);
        ws->n++;
        used += fl + 1;
    }
    return KA_OK;

nomem:
    ka_wordset_fini(ws);
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
