/*
 * search.c - query to hits.
 */
#include "search.h"
#include "record.h"

#include <stdint.h>
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

/* Sort the set for term_set_has (kx_mset_matching_terms gives it sorted
 * already: the insertion sort then only checks). */
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
static int term_set_find(const term_set_t *ts, const char *term, size_t len)
{
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

/* Whether the hit matched term; a stem ("Z" + letters) also through the
 * exact term of its letters, which stands for it where the stem is the
 * word itself (query.c, stem_query). */
static int term_set_has(void *ctx, const char *term, size_t len)
{
    const term_set_t *ts = ctx;
    size_t zl = sizeof KA_PREFIX_STEM - 1;
    if (term_set_find(ts, term, len))
        return 1;
    return len > zl && memcmp(term, KA_PREFIX_STEM, zl) == 0 &&
           term_set_find(ts, term + zl, len - zl);
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

/* Coverage: BM25 adds up the evidence of each term, so a passage that
 * repeats two of a query's five words can outrank one that has all five,
 * some through their equivalents in another language. The first
 * KS_RERANK_DEPTH hits (or the page asked for, if deeper) are ranked again
 * by their score times the share of the query's words they match (each word
 * by any of its forms: ks_query's concepts), as Lucene's classic
 * coordination factor did. The depth costs a term list per hit
 * (kx_mset_hit_has_terms): on the dev library's queries depths 10, 20, 30
 * and 50 ranked alike, and a --tsv batch answered about a quarter fewer
 * queries a second at 20, almost half fewer at 50, than with none. */
#define KS_RERANK_DEPTH 20

static unsigned popcount64(uint64_t v)
{
    unsigned n = 0;
    for (; v; v &= v - 1)
        n++;
    return n;
}

/* Rank order[0..n) by score times coverage (adj); ties keep Xapian's order. */
static kx_status_t rerank(kx_mset_t *mset, const ks_query_t *q, unsigned concepts, unsigned n,
                          unsigned *order, double *adj)
{
    uint64_t all = concepts >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << concepts) - 1;
    const char *const *terms;
    const uint64_t *words;
    size_t nt = ks_query_cover(q, &terms, &words);
    unsigned char *found = malloc(nt ? nt : 1);
    if (!found)
        return KX_NO_MEMORY;
    for (unsigned i = 0; i < n; i++) {
        double weight = 0;
        memset(found, 0, nt);
        kx_status_t st = kx_mset_hit_has_terms(mset, i, terms, nt, found, &weight);
        if (st != KX_OK) {
            free(found);
            return st;
        }
        uint64_t got = 0;
        for (size_t k = 0; k < nt; k++)
            if (found[k])
                got |= words[k];
        adj[i] = weight * popcount64(got & all) / concepts;
    }
    free(found);
    /* Insertion sort, stable: n is at most a page past KS_RERANK_DEPTH. */
    for (unsigned i = 0; i < n; i++)
        order[i] = i;
    for (unsigned i = 1; i < n; i++) {
        unsigned v = order[i], j = i;
        for (; j > 0 && adj[order[j - 1]] < adj[v]; j--)
            order[j] = order[j - 1];
        order[j] = v;
    }
    return KX_OK;
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
    unsigned concepts = opt->no_coverage ? 0 : ks_query_concept_count(q);
    unsigned want = opt->offset + opt->limit;
    int reranked = concepts >= 2 && opt->limit > 0;
    unsigned depth = want > KS_RERANK_DEPTH ? want : KS_RERANK_DEPTH;
    kx_status_t st = reranked ? kx_search_timed(db, xq, &kavosh_bm25, 0, depth, limit, &mset)
                              : kx_search_timed(db, xq, &kavosh_bm25, opt->offset, opt->limit,
                                                limit, &mset);
    if (st != KX_OK)
        return st;
    kx_mset_bounds(mset, &result->lower, &result->estimate, &result->upper);
    result->timed_out = kx_mset_timed_out(mset);
    unsigned shards = kx_db_shard_count(db);
    size_t n_terms = ks_query_term_count(q);
    unsigned char *matched = malloc(n_terms ? n_terms : 1);
    term_set_t ts = { 0 };
    ks_record_t rec = { 0 };
    char *idbuf = NULL;
    unsigned n = kx_mset_size(mset), first = 0, last = n;
    unsigned *order = reranked ? malloc((n ? n : 1) * sizeof *order) : NULL;
    double *adj = reranked ? malloc((n ? n : 1) * sizeof *adj) : NULL;
    if (!matched || (reranked && (!order || !adj)))
        n = last = 0, st = KX_NO_MEMORY;
    if (reranked && n > 0) {
        st = rerank(mset, q, concepts, n, order, adj);
        if (st != KX_OK)
            last = 0;
        first = opt->offset < n ? opt->offset : n;
        if (last > want)
            last = want;
    }
    for (unsigned r = first; r < last; r++) {
        unsigned i = reranked ? order[r] : r;
        /* Past the time limit the hits after the first are not read and
         * their snippets not made (each costs a stored record and an
         * analysis of its passage): the caller says so. */
        if (limit > 0 && r > first && (result->timed_out || now() - t0 >= limit)) {
            result->timed_out = 1;
            result->cut = last - r;
            break;
        }
        kx_hit_t h;
        st = kx_mset_hit(mset, i, &h);
        if (st != KX_OK)
            break;
        json_error_t jerr;
        const char *qid = opt->id_only && !opt->explain && opt->no_snippet
                              ? quick_id(h.data, h.data_len, &idbuf) : NULL;
        int raw = opt->raw_record && !qid;
        int fast = !qid && (raw ? ks_record_read_raw(&rec, h.data, h.data_len)
                                : ks_record_read(&rec, h.data, h.data_len)) == 0;
        json_t *data = qid || (fast && raw) ? json_object()
                       : fast ? json_incref(rec.rest) : json_loadb(h.data, h.data_len, 0, &jerr);
        if (!data) {
            /* A record we cannot read is a damaged index, not a reason to stop. */
            data = json_object();
        }
        ks_hit_t hit = {
            .rank = reranked ? r + 1 : h.rank + 1,
            .score = reranked ? adj[i] : h.weight,
            .docid = h.docid,
            .shard = shards > 1 ? (h.docid - 1) % shards : 0,
            .data = data,
            .id = qid ? qid : fast ? rec.field[KS_RECORD_ID] : field(data, "id"),
            .doc = fast ? rec.field[KS_RECORD_DOC] : field(data, "doc"),
            .section = fast ? rec.field[KS_RECORD_SECTION] : field(data, "section"),
            .lang = fast ? rec.field[KS_RECORD_LANG] : field(data, "lang"),
            .kind = fast ? rec.field[KS_RECORD_KIND] : field(data, "kind"),
            .text = fast ? rec.field[KS_RECORD_TEXT] : field(data, "text"),
            .record = fast && raw ? &rec : NULL,
        };
        hit.text_len = fast ? rec.text_len : strlen(hit.text);
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
    ks_record_free(&rec);
    free(matched);
    free(order);
    free(adj);
    kx_mset_free(mset);
    return st;
}
