/*
 * search.c - query to hits.
 */
#include "search.h"

#include <stdlib.h>
#include <string.h>

/* BM25 as Xapian defines it, with b lowered from 0.75 to 0.3: passages are
 * paragraphs and one-line bibliography entries, and a long paragraph that
 * names a place three times is no less about it than a short one naming it
 * once. Chosen on a grid (k1 0.6..1.6, b 0.3..0.75) over tests/retrieval:
 * same-language Success@1 1.000 (0.990 at b 0.5), cross-language 0.879
 * (0.848). The sets are small, so the margin is modest evidence. */
static const kx_bm25_t kavosh_bm25 = { .k1 = 1.2, .k2 = 0.0, .k3 = 1.0, .b = 0.3, .min_normlen = 0.5 };

static const char *field(json_t *o, const char *name)
{
    const char *s = json_string_value(json_object_get(o, name));
    return s ? s : "";
}

typedef struct explainer {
    const ks_query_t *q;
    unsigned char    *hit;     /* one flag per expansion */
} explainer_t;

static int on_matching_term(void *ctx, const char *term, size_t len)
{
    explainer_t *e = ctx;
    for (size_t i = 0; i < ks_query_expansion_count(e->q); i++)
        if (ks_query_expansion_has_term(e->q, i, term, len))
            e->hit[i] = 1;
    return 0;
}

/* The expansions whose terms hit i matched, as a JSON array of labels. */
static json_t *explain_hit(kx_mset_t *mset, unsigned i, const ks_query_t *q)
{
    json_t *arr = json_array();
    size_t n = ks_query_expansion_count(q);
    if (!arr || n == 0)
        return arr;
    explainer_t e = { .q = q, .hit = calloc(n, 1) };
    if (e.hit && kx_mset_matching_terms(mset, i, on_matching_term, &e) == KX_OK)
        for (size_t k = 0; k < n; k++)
            if (e.hit[k])
                json_array_append_new(arr, json_string(ks_query_expansion_label(q, k)));
    free(e.hit);
    return arr;
}

kx_status_t ks_search(kx_db_t *db, ka_analyzer_t *an, ks_query_t *q,
                      const ks_search_options_t *opt, ks_hit_cb cb, void *ctx,
                      ks_result_t *result)
{
    size_t snippet_chars = opt->snippet_chars ? opt->snippet_chars : KS_SNIPPET_CHARS;
    ks_result_t local;
    if (!result)
        result = &local;
    memset(result, 0, sizeof *result);
    const kx_query_t *xq = ks_query_xapian(q);
    if (!xq)
        return KX_NO_MEMORY;
    kx_mset_t *mset = NULL;
    kx_status_t st = kx_search(db, xq, &kavosh_bm25, opt->offset, opt->limit, &mset);
    if (st != KX_OK)
        return st;
    result->estimate = kx_mset_estimate(mset);
    unsigned n = kx_mset_size(mset);
    for (unsigned i = 0; i < n; i++) {
        kx_hit_t h;
        st = kx_mset_hit(mset, i, &h);
        if (st != KX_OK)
            break;
        json_error_t jerr;
        json_t *data = json_loadb(h.data, h.data_len, 0, &jerr);
        if (!data) {
            /* A record we cannot read is a damaged index, not a reason to stop. */
            data = json_object();
        }
        ks_hit_t hit = {
            .rank = h.rank + 1,
            .score = h.weight,
            .docid = h.docid,
            .data = data,
            .id = field(data, "id"),
            .doc = field(data, "doc"),
            .section = field(data, "section"),
            .lang = field(data, "lang"),
            .kind = field(data, "kind"),
            .text = field(data, "text"),
        };
        hit.text_len = strlen(hit.text);
        if (!opt->no_snippet &&
            ks_snippet_make(an, q, hit.text, hit.text_len, snippet_chars, &hit.snippet) != 0) {
            json_decref(data);
            st = KX_NO_MEMORY;
            break;
        }
        if (opt->explain)
            hit.explain = explain_hit(mset, i, q);
        result->n_hits++;
        int stop = cb(ctx, &hit);
        ks_snippet_free(&hit.snippet);
        json_decref(hit.explain);
        json_decref(data);
        if (stop)
            break;
    }
    kx_mset_free(mset);
    return st;
}
