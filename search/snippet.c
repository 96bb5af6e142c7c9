/*
 * snippet.c - choosing and marking the window of a passage to show.
 */
#include "snippet.h"
#include "strbuf.h"

#include <stdlib.h>
#include <string.h>

typedef struct match {
    size_t start, end;
    int    term;        /* 1 + index of the query term it matched */
} match_t;

typedef struct finder {
    const ks_query_t *q;
    const unsigned char *matched;   /* NULL: every query term */
    match_t          *v;
    size_t            n, cap;
    int               oom;
} finder_t;

static int on_token(void *ctx, const ka_token_t *tok)
{
    finder_t *f = ctx;
    int t = ks_query_wants_term(f->q, tok->term, tok->term_len);
    if (t && f->matched && !f->matched[t - 1])
        t = 0;
    if (!t && tok->stem) {
        t = ks_query_wants_term(f->q, tok->stem, tok->stem_len);
        if (t && f->matched && !f->matched[t - 1])
            t = 0;
    }
    if (!t)
        return 0;
    match_t *nv = kd_vec_grow(f->v, &f->cap, f->n + 1, sizeof *nv, 16);
    if (!nv) {
        f->oom = 1;
        return 1;
    }
    f->v = nv;
    f->v[f->n++] = (match_t){ tok->start, tok->end, t };
    return 0;
}

static int cmp_match(const void *a, const void *b)
{
    const match_t *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->end < y->end ? -1 : x->end > y->end;
}

static int is_lead(unsigned char c)
{
    return (c & 0xC0) != 0x80;
}

/* Characters in text[a, b). */
static size_t chars_in(const char *text, size_t a, size_t b)
{
    size_t n = 0;
    for (size_t i = a; i < b; i++)
        n += is_lead((unsigned char)text[i]);
    return n;
}

/* Move i back by up to n characters, stopping at 0. */
static size_t back_chars(const char *text, size_t i, size_t n)
{
    while (i > 0 && n > 0) {
        i--;
        while (i > 0 && !is_lead((unsigned char)text[i]))
            i--;
        n--;
    }
    return i;
}

/* Move i forward by up to n characters, stopping at len. */
static size_t fwd_chars(const char *text, size_t len, size_t i, size_t n)
{
    while (i < len && n > 0) {
        i++;
        while (i < len && !is_lead((unsigned char)text[i]))
            i++;
        n--;
    }
    return i;
}

static int is_space_at(const char *text, size_t i)
{
    return text[i] == ' ' || text[i] == '\n' || text[i] == '\t';
}

int ks_snippet_make(ka_analyzer_t *an, const ks_query_t *q, const char *text, size_t len,
                    size_t max_chars, ks_snippet_t *out)
{
    return ks_snippet_make_matched(an, q, NULL, text, len, max_chars, out);
}

int ks_snippet_make_matched(ka_analyzer_t *an, const ks_query_t *q, const unsigned char *matched,
                            const char *text, size_t len, size_t max_chars, ks_snippet_t *out)
{
    memset(out, 0, sizeof *out);
    finder_t f = { .q = q, .matched = matched };
    ka_status_t st = ka_analyze(an, KA_DOCUMENT, text, len, on_token, &f);
    if (f.oom || (st != KA_OK && st != KA_STOPPED)) {
        free(f.v);
        return -1;
    }
    if (f.n)
        qsort(f.v, f.n, sizeof *f.v, cmp_match);

    /* The window: the run of matches, no longer than max_chars, with the most
     * distinct terms, then the most matches. Distinct terms are counted with a
     * small bitmap; queries of more than 64 terms count the rest as one. */
    size_t best_i = 0, best_j = 0;
    int best_distinct = -1, best_total = -1;
    for (size_t i = 0; i < f.n; i++) {
        unsigned long long seen = 0;
        int distinct = 0;
        for (size_t j = i; j < f.n; j++) {
            if (chars_in(text, f.v[i].start, f.v[j].end) > max_chars)
                break;
            unsigned bit = (unsigned)(f.v[j].term - 1) < 64 ? (unsigned)(f.v[j].term - 1) : 63;
            if (!(seen & (1ULL << bit))) {
                seen |= 1ULL << bit;
                distinct++;
            }
            int total = (int)(j - i + 1);
            if (distinct > best_distinct || (distinct == best_distinct && total > best_total)) {
                best_distinct = distinct;
                best_total = total;
                best_i = i;
                best_j = j;
            }
        }
    }
    size_t ws = 0, we = len;
    if (chars_in(text, 0, len) > max_chars) {
        if (f.n == 0) {
            ws = 0;
            we = fwd_chars(text, len, 0, max_chars);
        } else {
            /* Centre the chosen matches in the window. */
            size_t used = chars_in(text, f.v[best_i].start, f.v[best_j].end);
            size_t slack = max_chars > used ? max_chars - used : 0;
            ws = back_chars(text, f.v[best_i].start, slack / 3);
            we = fwd_chars(text, len, f.v[best_j].end, max_chars - used - chars_in(text, ws, f.v[best_i].start));
        }
        /* Do not cut a word in half. */
        if (ws > 0) {
            size_t k = ws;
            while (k < len && k < (f.n ? f.v[best_i].start : len) && !is_space_at(text, k))
                k++;
            if (k < len && is_space_at(text, k))
                ws = k + 1;
        }
        if (we < len) {
            size_t k = we;
            while (k > ws && !is_space_at(text, k - 1) && (!f.n || k > f.v[best_j].end))
                k--;
            if (k > ws && (!f.n || k >= f.v[best_j].end))
                we = k;
        }
        while (we > ws && is_space_at(text, we - 1))
            we--;
    }
    out->start = ws;
    out->end = we;
    out->cut_before = ws > 0;
    out->cut_after = we < len;

    /* Merge overlapping matches (a joined pair overlaps its two words). */
    size_t n = 0;
    for (size_t i = 0; i < f.n; i++) {
        if (n > 0 && f.v[i].start <= f.v[n - 1].end) {
            if (f.v[i].end > f.v[n - 1].end)
                f.v[n - 1].end = f.v[i].end;
        } else {
            f.v[n++] = f.v[i];
        }
    }
    if (n) {
        out->spans = malloc(n * sizeof *out->spans);
        if (!out->spans) {
            free(f.v);
            return -1;
        }
        for (size_t i = 0; i < n; i++)
            out->spans[i] = (ks_span_t){ f.v[i].start, f.v[i].end };
        out->n_spans = n;
    }
    free(f.v);
    return 0;
}

void ks_snippet_free(ks_snippet_t *s)
{
    if (!s)
        return;
    free(s->spans);
    memset(s, 0, sizeof *s);
}
