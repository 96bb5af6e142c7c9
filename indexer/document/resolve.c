/*
 * resolve.c - linking each in-text citation to its bibliography entry, with a
 * confidence, or to none.
 *
 * Names are compared as words of ka_fold() output (the analyzer's one
 * normalization, so «ي»/«ی», case and ZWNJ never matter). A citation word
 * matches an entry word exactly, joined with its neighbour («نصرالدین اف» =
 * «نصرالدیناف»), or within a small edit distance («Taliferro»,
 * «Варганян»). Words are weighted by how few entries hold them, so
 * «قرقیزستان», which half the bibliography mentions, counts little and a
 * surname counts fully. The name score T is the weighted share of the
 * citation's words found in the entry; it covers authors, organisations and
 * titles alike, and the share found in the author field alone (A) tells
 * "the author agrees" from "the title agrees".
 *
 * Then the year (same, missing, one digit off, different; Solar Hijri and
 * Gregorian compared through kd_year_gregorian) and the cited page (inside or
 * outside the entry's page range) rank the candidates and decide:
 *   same year                    T >= 0.3
 *   no year on either side       T >= 0.6
 *   year one digit off           the title agrees, or the author fully does
 *   year different               the title agrees (T >= 0.75, T - A >= 0.25)
 * A tie between two entries is unresolved unless the two are the same work
 * listed twice (most of their words shared); then the first is taken.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "document_internal.h"

/* Words longer than this (in code points) are compared exactly only. */
#define KD_WORD_MAX_CP 48
/* Two candidates closer than this in score are a tie. */
#define KD_TIE_MARGIN 0.05
/* Two entries sharing this share of their words are one work listed twice. */
#define KD_DUPLICATE_SHARE 0.5
/* Resolution compares every citation with every entry. A scholarly text has
 * hundreds of citations at most; past these limits (hostile or machine-made
 * input) the rest are left unresolved, with a diagnostic, rather than slow. */
#define KD_RESOLVE_MAX_CITATIONS 5000
#define KD_RESOLVE_MAX_SOURCES 2000
/* Authors and title come first in an entry; its first words are enough. */
#define KD_SOURCE_WORDS_MAX 96

typedef struct word {
    char  *s;
    size_t len;      /* bytes */
    size_t ncp;      /* code points */
    uint32_t *cp;    /* the code points, for edit_distance; NULL past KD_WORD_MAX_CP */
    int    author;   /* comes from the author field */
} word_t;

typedef struct words {
    word_t *v;
    size_t  n, cap;
    int     oom;
} words_t;

static const char *const minor_words[] = {
    "و", "در", "از", "به", "با", "که", "را", "یا", "the", "of", "and", "a", "an", "in", "on",
    "for", "to", "at", "by", "и", "в", "на", "с", "по", "к", "et", "al", "see", "cf", "eg",
    "ر.ک", "رک", "نک", "см", NULL
};
static const char *const ibid_words[] = {"همان", "ibid", "ibidem", "там", "же", NULL};

static int
in_words_list(const char *const *list, const char *s, size_t n)
{
    for (size_t k = 0; list[k]; k++)
        if (strlen(list[k]) == n && strncasecmp(list[k], s, n) == 0)
            return 1;
    return 0;
}

static size_t
count_cp(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            c++;
    return c;
}

/* Fold text[0..n) with the analyzer and append its letter words to out. */
static void
add_words(ka_analyzer_t *an, words_t *out, const char *text, size_t n, int author, int drop_minor)
{
    size_t fl = 0;
    const char *f = ka_fold(an, text, n, &fl);
    if (!f) {
        out->oom = 1;
        return;
    }
    size_t i = 0;
    while (i < fl) {
        uint32_t cp;
        size_t l = kd_utf8_decode(f + i, fl - i, &cp);
        if (!kd_cp_is_letter(cp)) {
            i += l;
            continue;
        }
        size_t st = i;
        while (i < fl) {
            l = kd_utf8_decode(f + i, fl - i, &cp);
            if (!kd_cp_is_letter(cp) && !(cp >= 0x64B && cp <= 0x65F) && cp != 0x200C)
                break;
            i += l;
        }
        size_t wl = i - st;
        if (drop_minor && (count_cp(f + st, wl) < 2 || in_words_list(minor_words, f + st, wl)))
            continue;
        if (out->n >= KD_SOURCE_WORDS_MAX)
            return;
        word_t *v = kd_vec_grow(out->v, &out->cap, out->n + 1, sizeof *v, 16);
        if (!v) {
            out->oom = 1;
            return;
        }
        out->v = v;
        word_t *w = &out->v[out->n];
        w->s = kd_strndup(f + st, wl);
        if (!w->s) {
            out->oom = 1;
            return;
        }
        w->len = wl;
        w->ncp = count_cp(f + st, wl);
        w->cp = NULL;
        w->author = author;
        out->n++;
        if (w->ncp <= KD_WORD_MAX_CP) {
            w->cp = malloc((w->ncp ? w->ncp : 1) * sizeof *w->cp);
            if (!w->cp) {
                out->oom = 1;
                return;
            }
            for (size_t k = 0, b = 0; k < w->ncp; k++)
                b += kd_utf8_decode(w->s + b, wl - b, &w->cp[k]);
        }
    }
}

static void
words_free(words_t *w)
{
    for (size_t i = 0; i < w->n; i++) {
        free(w->v[i].s);
        free(w->v[i].cp);
    }
    free(w->v);
    memset(w, 0, sizeof *w);
}

/* Levenshtein distance over code points (decoded once per word, by
 * add_words) when it is at most lim, else a number above lim (also when
 * either word is too long to bother). Each row
 * only grows, so the walk stops at the first row whose least value is past
 * lim: most pairs of words differ within their first letters. */
static size_t
edit_distance(const word_t *a, const word_t *b, size_t lim)
{
    if (!a->cp || !b->cp)
        return lim + 1;
    const uint32_t *x = a->cp, *y = b->cp;
    size_t nx = a->ncp, ny = b->ncp;
    size_t row[KD_WORD_MAX_CP + 1];
    for (size_t j = 0; j <= ny; j++)
        row[j] = j;
    for (size_t k = 1; k <= nx; k++) {
        size_t diag = row[0];
        row[0] = k;
        size_t least = row[0];
        for (size_t j = 1; j <= ny; j++) {
            size_t up = row[j];
            size_t best = diag + (x[k - 1] == y[j - 1] ? 0 : 1);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
            if (best < least)
                least = best;
        }
        if (least > lim)
            return lim + 1;
    }
    return row[ny];
}

/* How well does citation word c match some word of the entry: 1 exact, 0.8
 * near, 0 not. *in_author says whether the best match is an author word. */
static double
match_word(const word_t *c, const words_t *e, int *in_author)
{
    double best = 0;
    *in_author = 0;
    for (size_t i = 0; i < e->n; i++) {
        const word_t *w = &e->v[i];
        double m = 0;
        if (w->len == c->len && memcmp(w->s, c->s, c->len) == 0) {
            m = 1;
        } else if (i + 1 < e->n && w->len + e->v[i + 1].len == c->len &&
                   memcmp(w->s, c->s, w->len) == 0 &&
                   memcmp(e->v[i + 1].s, c->s + w->len, e->v[i + 1].len) == 0) {
            m = 1;   /* the entry writes it in two words */
        } else if (c->ncp >= 5 && w->ncp >= 5) {
            size_t lim = c->ncp >= 8 ? 2 : 1;
            size_t d = w->ncp > c->ncp ? w->ncp - c->ncp : c->ncp - w->ncp;
            if (d <= lim && edit_distance(c, w, lim) <= lim)
                m = 0.8;
        }
        if (m > best || (m == best && m > 0 && w->author && !*in_author)) {
            best = m;
            *in_author = w->author;
        }
    }
    return best;
}

/* Does the entry hold the concatenation of citation words i and i+1? */
static int
match_joined(const word_t *a, const word_t *b, const words_t *e, int *in_author)
{
    for (size_t i = 0; i < e->n; i++) {
        const word_t *w = &e->v[i];
        if (w->len == a->len + b->len && memcmp(w->s, a->s, a->len) == 0 &&
            memcmp(w->s + a->len, b->s, b->len) == 0) {
            *in_author = w->author;
            return 1;
        }
    }
    return 0;
}

static int
has_word(const words_t *e, const word_t *c)
{
    for (size_t i = 0; i < e->n; i++)
        if (e->v[i].len == c->len && memcmp(e->v[i].s, c->s, c->len) == 0)
            return 1;
    return 0;
}

typedef enum { Y_NONE, Y_SAME, Y_SLIP, Y_DIFF } year_rel_t;
typedef enum { P_NONE, P_IN, P_OUT } page_rel_t;

static year_rel_t
year_relation(const kd_citation_t *c, const kd_source_t *s)
{
    if (!c->year || !s->year)
        return Y_NONE;
    unsigned long cy = strtoul(c->year, NULL, 10);
    kd_num_t num = {0, 0, cy, (unsigned)strlen(c->year)};
    int ccal = kd_year_calendar(&num);
    if (ccal == s->calendar) {
        if (strcmp(c->year, s->year) == 0)
            return Y_SAME;
        size_t diff = 0, n = strlen(c->year);
        if (n == strlen(s->year)) {
            for (size_t i = 0; i < n; i++)
                diff += c->year[i] != s->year[i];
            if (diff == 1)
                return Y_SLIP;
        }
        return Y_DIFF;
    }
    int cg = kd_year_gregorian(cy, ccal);
    int d = cg - s->year_gregorian;
    return (d >= -1 && d <= 1) ? Y_SAME : Y_DIFF;
}

static page_rel_t
page_relation(const kd_citation_t *c, const kd_source_t *s)
{
    if (!c->pages || s->page_first == 0)
        return P_NONE;
    unsigned long p = strtoul(c->pages, NULL, 10);
    if (p == 0)
        return P_NONE;
    if (s->page_last > s->page_first)
        return (p >= s->page_first && p <= s->page_last) ? P_IN : P_OUT;
    return p == s->page_first ? P_IN : P_NONE;   /* a single page may be the first only */
}

typedef struct cand {
    double     score, t, a;
    year_rel_t yr;
    page_rel_t pr;
} cand_t;

/* authors_alone: how many entries the citation's author fully matches. */
static int
acceptable(const cand_t *c, size_t authors_alone)
{
    int title_agrees = c->t >= 0.75 && c->t - c->a >= 0.25;
    switch (c->yr) {
    case Y_SAME:
        return c->t >= 0.3;
    case Y_NONE:
        return c->t >= 0.6;
    case Y_SLIP:
        /* A year one digit off is a slip only when the author has this one entry. */
        return title_agrees || (c->a >= 0.9 && authors_alone == 1);
    default:
        return title_agrees;
    }
}

static double
confidence(const cand_t *c)
{
    double conf = 0.55 * (c->t > 1 ? 1 : c->t);
    conf += c->yr == Y_SAME ? 0.30 : c->yr == Y_NONE ? 0.15 : c->yr == Y_SLIP ? 0.08 : 0;
    conf += c->pr == P_IN ? 0.15 : c->pr == P_NONE ? 0.05 : 0;
    if (conf > 1)
        conf = 1;
    if (conf < 0.05)
        conf = 0.05;
    return conf;
}

/* The share of words two entries have in common (words of 3+ letters). */
static double
shared_share(const words_t *a, const words_t *b)
{
    size_t na = 0, common = 0, nb = 0;
    for (size_t i = 0; i < a->n; i++)
        if (a->v[i].ncp >= 3) {
            na++;
            common += has_word(b, &a->v[i]);
        }
    for (size_t i = 0; i < b->n; i++)
        nb += b->v[i].ncp >= 3;
    size_t uni = na + nb - common;
    return uni ? (double)common / (double)uni : 0;
}

/* The words of every entry, from its text without URLs; author words marked. */
static int
source_words(kd_builder_t *b, words_t *sw)
{
    kd_document_t *doc = b->doc;
    for (size_t k = 0; k < doc->n_sources; k++) {
        const kd_source_t *s = &doc->sources[k];
        const char *t = s->text;
        size_t n = strlen(t);
        const char *u = s->url ? strstr(t, s->url) : NULL;
        for (size_t a = 0; a < s->n_authors; a++)
            add_words(b->an, &sw[k], s->authors[a], strlen(s->authors[a]), 1, 0);
        if (u) {
            add_words(b->an, &sw[k], t, (size_t)(u - t), 0, 0);
            size_t after = (size_t)(u - t) + strlen(s->url);
            add_words(b->an, &sw[k], t + after, n - after, 0, 0);
        } else {
            add_words(b->an, &sw[k], t, n, 0, 0);
        }
        if (sw[k].oom)
            return -1;
    }
    return 0;
}

static int
resolve_one(kd_builder_t *b, kd_citation_t *c, const words_t *sw, const kd_citation_t *previous)
{
    kd_document_t *doc = b->doc;
    c->source = -1;
    c->confidence = 0;
    words_t cw = {0};
    add_words(b->an, &cw, c->author ? c->author : "", c->author ? strlen(c->author) : 0, 0, 1);
    if (cw.oom) {
        words_free(&cw);
        return -1;
    }
    /* "(همان: ۲۵)", "(Ibid., 12)": the work cited just before. */
    int ibid = cw.n > 0;
    for (size_t i = 0; i < cw.n; i++)
        if (!in_words_list(ibid_words, cw.v[i].s, cw.v[i].len))
            ibid = 0;
    if (ibid) {
        if (previous && previous->source >= 0) {
            c->source = previous->source;
            c->confidence = previous->confidence * 0.9;
        }
        words_free(&cw);
        return 0;
    }
    if (cw.n == 0 || doc->n_sources == 0) {
        words_free(&cw);
        return 0;
    }
    /* Weights: 1 / number of entries holding the word (exactly). */
    double *weight = calloc(cw.n, sizeof *weight);
    cand_t *cand = calloc(doc->n_sources, sizeof *cand);
    if (!weight || !cand) {
        free(weight);
        free(cand);
        words_free(&cw);
        return -1;
    }
    double total = 0;
    for (size_t i = 0; i < cw.n; i++) {
        size_t df = 0;
        for (size_t k = 0; k < doc->n_sources; k++)
            df += has_word(&sw[k], &cw.v[i]);
        weight[i] = 1.0 / (double)(df ? df : 1);
        total += weight[i];
    }
    for (size_t k = 0; k < doc->n_sources; k++) {
        double t = 0, a = 0;
        for (size_t i = 0; i < cw.n; i++) {
            int au = 0;
            double m = match_word(&cw.v[i], &sw[k], &au);
            if (m < 1 && i + 1 < cw.n && match_joined(&cw.v[i], &cw.v[i + 1], &sw[k], &au)) {
                /* Both halves of a name the entry writes as one word. */
                t += weight[i] + weight[i + 1];
                if (au)
                    a += weight[i] + weight[i + 1];
                i++;
                continue;
            }
            t += weight[i] * m;
            if (au)
                a += weight[i] * m;
        }
        cand_t *cd = &cand[k];
        cd->t = t / total;
        cd->a = a / total;
        cd->yr = year_relation(c, &doc->sources[k]);
        cd->pr = page_relation(c, &doc->sources[k]);
        cd->score = cd->t + (cd->yr == Y_SAME ? 0.3 : cd->yr == Y_SLIP ? -0.1 : cd->yr == Y_DIFF ? -0.3 : 0) +
                    (cd->pr == P_IN ? 0.2 : cd->pr == P_OUT ? -0.25 : 0);
    }
    size_t authors_alone = 0;
    for (size_t k = 0; k < doc->n_sources; k++)
        authors_alone += cand[k].a >= 0.9;
    long best = -1, second = -1;
    for (size_t k = 0; k < doc->n_sources; k++) {
        const cand_t *cd = &cand[k];
        if (cd->t <= 0 || !acceptable(cd, authors_alone))
            continue;
        if (best < 0 || cd->score > cand[best].score) {
            second = best;
            best = (long)k;
        } else if (second < 0 || cd->score > cand[second].score) {
            second = (long)k;
        }
    }
    if (best >= 0) {
        double conf = confidence(&cand[best]);
        int ok = 1;
        if (second >= 0 && cand[best].score - cand[second].score < KD_TIE_MARGIN) {
            /* A tie: fine only if both are one work listed twice. */
            if (shared_share(&sw[best], &sw[second]) >= KD_DUPLICATE_SHARE) {
                if (second < best)
                    best = second;
                conf *= 0.9;
            } else {
                ok = 0;
            }
        }
        if (ok) {
            c->source = best;
            c->confidence = conf;
        }
    }
    free(weight);
    free(cand);
    words_free(&cw);
    return 0;
}

int
kd_citations_resolve(kd_builder_t *b)
{
    kd_document_t *doc = b->doc;
    words_t *sw = calloc(doc->n_sources ? doc->n_sources : 1, sizeof *sw);
    if (!sw)
        return -1;
    int rc = source_words(b, sw);
    const kd_citation_t *previous = NULL;
    size_t done = 0;
    int skipped = doc->n_sources > KD_RESOLVE_MAX_SOURCES;
    for (size_t i = 0; i < doc->n_passages && rc == 0; i++) {
        kd_passage_t *p = &doc->passages[i];
        for (size_t j = 0; j < p->n_citations && rc == 0; j++) {
            if (skipped || done++ >= KD_RESOLVE_MAX_CITATIONS) {
                skipped = 1;
                continue;   /* stays source -1, confidence 0 */
            }
            rc = resolve_one(b, &p->citations[j], sw, previous);
            previous = &p->citations[j];
        }
    }
    if (rc == 0 && skipped)
        kd_diag(b, 1, 1, "too many citations or bibliography entries to resolve; "
                "some citations were left unresolved");
    for (size_t k = 0; k < doc->n_sources; k++)
        words_free(&sw[k]);
    free(sw);
    return rc;
}
