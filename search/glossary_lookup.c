/*
 * glossary_lookup.c - read the concepts a query can reach from the index's
 * glossary lookup tables. See glossary_lookup.h.
 */
#include "glossary_lookup.h"
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"

/* Concepts read for one query at most: a query of a few hundred words meets
 * far fewer; beyond this the rest are left out rather than loading all. */
#define KS_LOOKUP_MAX_CONCEPTS 4096u

int ks_glossary_lookup_available(kx_db_t *db)
{
    char *v = NULL;
    int ok = kx_db_get_metadata(db, KI_META_GLOSSARY_LOOKUP, &v) == KX_OK && v &&
             strcmp(v, "1") == 0;
    kx_free(v);
    return ok;
}

typedef struct ids {
    size_t *v;
    size_t  n, cap;
    int     nomem;
} ids_t;

static void ids_add(ids_t *s, size_t id)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i] == id)
            return;
    if (s->n >= KS_LOOKUP_MAX_CONCEPTS)
        return;
    size_t *nv = kd_vec_grow(s->v, &s->cap, s->n + 1, sizeof *nv, 64);
    if (!nv) {
        s->nomem = 1;
        return;
    }
    s->v = nv;
    s->v[s->n++] = id;
}

typedef struct walk {
    kx_db_t   *db;
    ks_memo_t *memo;
    ids_t      ids;
    int        failed;
} walk_t;

/* The metadata value of key (malloc'd, NULL when none) through the memo:
 * a batch's queries read the same words' tables and concepts again. */
static kx_status_t get_meta(kx_db_t *db, ks_memo_t *memo, const char *key, char **out)
{
    *out = NULL;
    char mkey[KI_GLOSSARY_MAX_KEY + 72];
    size_t kl = strlen(key), vl = 0;
    int use = memo && kl + 1 < sizeof mkey;
    if (use) {
        mkey[0] = 'm';
        memcpy(mkey + 1, key, kl);
        const char *v = ks_memo_get(memo, mkey, kl + 1, &vl);
        if (v) {
            /* Stored with its NUL; a lone NUL is "no value". */
            if (vl > 1 && (*out = malloc(vl)) == NULL)
                return KX_NO_MEMORY;
            if (vl > 1)
                memcpy(*out, v, vl);
            return KX_OK;
        }
    }
    kx_status_t st = kx_db_get_metadata(db, key, out);
    if (st == KX_OK && use)
        ks_memo_put(memo, mkey, kl + 1, *out ? *out : "", *out ? strlen(*out) + 1 : 1);
    return st;
}

static void lookup_key(walk_t *w, char kind, const char *t, size_t len)
{
    char key[KI_GLOSSARY_MAX_KEY + 2];
    if (strlen(KI_META_GLOSSARY_KEY) + 1 + len + 1 > KI_GLOSSARY_MAX_KEY)
        return;                            /* no variant has so long a word */
    snprintf(key, sizeof key, "%s%c%.*s", KI_META_GLOSSARY_KEY, kind, (int)len, t);
    char *v = NULL;
    if (get_meta(w->db, w->memo, key, &v) != KX_OK) {
        w->failed = 1;
        return;
    }
    for (const char *p = v ? v : ""; *p;) {
        char *end = NULL;
        unsigned long long id = strtoull(p, &end, 10);
        if (end == p)
            break;
        ids_add(&w->ids, (size_t)id);
        p = end;
        while (*p == ' ')
            p++;
    }
    kx_free(v);
}

static int on_token(void *ctx, const ka_token_t *tok)
{
    walk_t *w = ctx;
    if (tok->flags & KA_TOK_JOINED)
        return 0;                          /* the glossary never matches a joined pair */
    lookup_key(w, 'E', tok->term, tok->term_len);
    if (tok->stem && tok->stem_len)
        lookup_key(w, 'S', tok->stem, tok->stem_len);
    return w->failed || w->ids.nomem;
}

ks_glossary_status_t ks_glossary_lookup(kx_db_t *db, ka_analyzer_t *an, ks_memo_t *memo,
                                        const char *text, ks_glossary_t **out)
{
    if (!db || !an || !text || !out)
        return KS_GLOSSARY_ERR_ARG;
    *out = NULL;
    ks_glossary_status_t st = ks_glossary_new(out);
    if (st != KS_GLOSSARY_OK)
        return st;
    walk_t w = { .db = db, .memo = memo };
    ka_status_t as = ka_analyze(an, KA_QUERY, text, strlen(text), on_token, &w);
    if (w.ids.nomem)
        st = KS_GLOSSARY_ERR_NOMEM;
    else if (w.failed)
        st = KS_GLOSSARY_ERR_ARG;
    else if (as != KA_OK && as != KA_STOPPED)
        st = as == KA_ERR_NOMEM ? KS_GLOSSARY_ERR_NOMEM : KS_GLOSSARY_ERR_ANALYZER;
    /* The concepts in their glossary order, so that homographs are reported
     * as the whole glossary would report them. */
    for (size_t i = 1; i < w.ids.n; i++)
        for (size_t j = i; j > 0 && w.ids.v[j - 1] > w.ids.v[j]; j--) {
            size_t t = w.ids.v[j];
            w.ids.v[j] = w.ids.v[j - 1];
            w.ids.v[j - 1] = t;
        }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    const char *magic = ks_glossary_analysed_magic();
    for (size_t i = 0; st == KS_GLOSSARY_OK && i <= w.ids.n; i++) {
        char *rec = NULL;
        const char *piece = magic;
        if (i > 0) {
            char key[64];
            snprintf(key, sizeof key, "%s%zu", KI_META_GLOSSARY_CONCEPT, w.ids.v[i - 1]);
            if (get_meta(db, memo, key, &rec) != KX_OK) {
                st = KS_GLOSSARY_ERR_ARG;
                break;
            }
            piece = rec ? rec : "";
        }
        size_t n = strlen(piece);
        if (len + n + 1 > cap) {
            size_t ncap = cap ? cap * 2 : 4096;
            while (ncap < len + n + 1)
                ncap *= 2;
            char *nb = realloc(buf, ncap);
            if (!nb) {
                kx_free(rec);
                st = KS_GLOSSARY_ERR_NOMEM;
                break;
            }
            buf = nb;
            cap = ncap;
        }
        memcpy(buf + len, piece, n + 1);
        len += n;
        kx_free(rec);
    }
    if (st == KS_GLOSSARY_OK && w.ids.n)
        st = ks_glossary_add_analysed(*out, buf, len);
    free(buf);
    free(w.ids.v);
    return st;
}
