/*
 * search.c - query to hits.
 */
#include "search.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* The query terms one hit matches (Xapian's termlist of the document
 * intersected with the query's terms). */
typedef struct term_set {
    char  **v;
    size_t *lens;
    size_t  n, cap;
    int     oom;
} term_set_t;

static int on_matching_term(void *ctx, const char *term, size_t len)
{
    term_set_t *ts = ctx;
    if (ts->n == ts->cap) {
        size_t cap = ts->cap ? ts->cap * 2 : 32;
        char **nv = realloc(ts->v, cap * sizeof *nv);
        size_t *nl = nv ? realloc(ts->lens, cap * sizeof *nl) : NULL;
        if (nv)
            ts->v = nv;
        if (!nv || !nl) {
            ts->oom = 1;
            return 1;
        }
        ts->lens = nl;
        ts->cap = cap;
    }
    char *copy = malloc(len + 1);
    if (!copy) {
        ts->oom = 1;
        return 1;
    }
    memcpy(copy, term, len);
    copy[len] = '\0';
    ts->v[ts->n] = copy;
    ts->lens[ts->n++] = len;
    return 0;
}

static void term_set_clear(term_set_t *ts)
{
    for (size_t k = 0; k < ts->n; k++)
        free(ts->v[k]);
    ts->n = 0;
    ts->oom = 0;
}

static int cmp_bytes(const char *a, size_t al, const char *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);
    return c ? c : (al > bl) - (al < bl);
}

/* Sort the set (Xapian gives the terms in query order) for term_set_has. */
static void term_set_sort(term_set_t *ts)
{
    for (size_t i = 1; i < ts->n; i++) {
        char *v = ts->v[i];
        size_t l = ts->lens[i], j = i;
        for (; j > 0 && cmp_bytes(ts->v[j - 1], ts->lens[j - 1], v, l) > 0; j--) {
            ts->v[j] = ts->v[j - 1];
            ts->lens[j] = ts->lens[j - 1];
        }
        ts->v[j] = v;
        ts->lens[j] = l;
    }
}

/* Whether term is in the (sorted) set: a binary search. */
static int term_set_has(void *ctx, const char *term, size_t len)
{
    const term_set_t *ts = ctx;
    size_t lo = 0, hi = ts->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        size_t ml = ts->lens[mid];
        int c = cmp_bytes(ts->v[mid], ml, term, len);
        if (c == 0)
            return 1;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* The expansions hit i matched through (every word of the equivalent is in
 * the passage), as a JSON array of labels. */
static json_t *explain_hit(const term_set_t *ts, const ks_query_t *q)
{
    json_t *arr = json_array();
    size_t n = ks_query_expansion_count(q);
    for (size_t k = 0; arr && k < n; k++)
        if (ks_query_expansion_matched(q, k, term_set_has, (void *)ts))
            json_array_append_new(arr, json_string(ks_query_expansion_label(q, k)));
    return arr;
}

/* The id of a stored passage read off the start of its JSON, which
 * passage_doc.c writes as {"id":"...",...}: into buf (malloc'd, *buf
 * replaced), or NULL when the record does not start so or the id has an
 * escape (then the caller parses it). */
static const char *quick_id(const char *data, size_t len, char **buf)
{
    static const char head[] = "{\"id\":\"";
    size_t hl = sizeof head - 1;
    if (len < hl || memcmp(data, head, hl) != 0)
        return NULL;
    const char *s = data + hl, *end = data + len;
    const char *q = s;
    while (q < end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20)
        q++;
    if (q >= end || *q != '"')
        return NULL;
    char *n = realloc(*buf, (size_t)(q - s) + 1);
    if (!n)
        return NULL;
    memcpy(n, s, (size_t)(q - s));
    n[q - s] = '\0';
    *buf = n;
    return n;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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
    double limit = opt->time_limit > 0 ? opt->time_limit : 0;
    double t0 = limit > 0 ? now() : 0;
    kx_mset_t *mset = NULL;
    kx_status_t st = kx_search_timed(db, xq, &kavosh_bm25, opt->offset, opt->limit, limit, &mset);
    if (st != KX_OK)
        return st;
    kx_mset_bounds(mset, &result->lower, &result->estimate, &result->upper);
    result->timed_out = kx_mset_timed_out(mset);
    unsigned shards = kx_db_shard_count(db);
    size_t n_terms = ks_query_term_count(q);
    unsigned char *matched = malloc(n_terms ? n_terms : 1);
    term_set_t ts = { 0 };
    char *idbuf = NULL;
    unsigned n = kx_mset_size(mset);
    if (!matched)
        n = 0, st = KX_NO_MEMORY;
    for (unsigned i = 0; i < n; i++) {
        /* Past the time limit the hits after the first are not read and
         * their snippets not made (each costs a stored record and an
         * analysis of its passage): the caller says so. */
        if (limit > 0 && i > 0 && (result->timed_out || now() - t0 >= limit)) {
            result->timed_out = 1;
            result->cut = n - i;
            break;
        }
        kx_hit_t h;
        st = kx_mset_hit(mset, i, &h);
        if (st != KX_OK)
            break;
        json_error_t jerr;
        const char *qid = opt->id_only && !opt->explain && opt->no_snippet
                              ? quick_id(h.data, h.data_len, &idbuf) : NULL;
        json_t *data = qid ? json_object() : json_loadb(h.data, h.data_len, 0, &jerr);
        if (!data) {
            /* A record we cannot read is a damaged index, not a reason to stop. */
            data = json_object();
        }
        ks_hit_t hit = {
            .rank = h.rank + 1,
            .score = h.weight,
            .docid = h.docid,
            .shard = shards > 1 ? (h.docid - 1) % shards : 0,
            .data = data,
            .id = qid ? qid : field(data, "id"),
            .doc = field(data, "doc"),
            .section = field(data, "section"),
            .lang = field(data, "lang"),
            .kind = field(data, "kind"),
            .text = field(data, "text"),
        };
        hit.text_len = strlen(hit.text);
        term_set_clear(&ts);
        if (!opt->no_snippet || opt->explain) {
            st = kx_mset_matching_terms(mset, i, on_matching_term, &ts);
            if (st == KX_OK && ts.oom)
                st = KX_NO_MEMORY;
            term_set_sort(&ts);
            if (st == KX_OK && ks_query_matched_terms(q, term_set_has, &ts, matched) != 0)
                st = KX_NO_MEMORY;
            if (st != KX_OK) {
                json_decref(data);
                break;
            }
        }
        if (!opt->no_snippet &&
            ks_snippet_make_matched(an, q, matched, hit.text, hit.text_len, snippet_chars,
                                    &hit.snippet) != 0) {
            json_decref(data);
            st = KX_NO_MEMORY;
            break;
        }
        if (opt->explain)
            hit.explain = explain_hit(&ts, q);
        result->n_hits++;
        int stop = cb(ctx, &hit);
        ks_snippet_free(&hit.snippet);
        json_decref(hit.explain);
        json_decref(data);
        if (stop)
            break;
    }
    term_set_clear(&ts);
    free(ts.v);
    free(ts.lens);
    free(idbuf);
    free(matched);
    kx_mset_free(mset);
    return st;
}
