/*
 * fuzz_analyze.c - the analysis of both sides on any bytes: the analyzer
 * (ka_analyze, ka_fold, ka_guess_lang) in both modes, every token checked
 * (fuzz_common.c), the indexer's KA_OPT_NO_JOINED changing nothing but the
 * joined tokens, and a second query-mode run (with the stem cache now warm)
 * giving the same tokens, as (one input in 16) a fresh analyzer and a fresh
 * transliterator do; then the name keys both sides make of every
 * token (ka_translit_token_term, as kavosh-index and kavosh-search call
 * it): a key is "T" + a skeleton within Xapian's limit, near itself, found
 * by its own near-set; the input's keys against each other (nearness
 * symmetric, near-sets ordered and complete) and nearness on raw bytes;
 * every Cyrillic token's skeleton the same with ICU's transliterator as
 * with the native romanization of Russian;
 * and the skeleton of the whole input as one word. Last, the terms
 * kavosh-index gives a passage of this text (ki_passage_document, with
 * the input's first line as its section; check_indexed_terms): exactly the
 * exact forms (with positions), the stems that differ from them, the name
 * keys, the section's filter terms and the passage's own, nothing else.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "index.h"
#include "schema.h"
#include "utf8.h"
#include "kavosh_xapian.h"
#include "translit.h"
#include "wordset.h"

static ka_translit_t *translit;
static ka_translit_t *translit_icu;   /* every Cyrillic run through ICU's transliterator */

/* The distinct name keys of one input, kept to check them against each other. */
#define FZ_MAX_KEYS 24
typedef struct {
    size_t n, seen;
    char key[FZ_MAX_KEYS][KA_TRANSLIT_TERM_CAP];
    size_t len[FZ_MAX_KEYS];
} fz_keys_t;

static unsigned fake_freq(const char *key, size_t len)
{
    return (unsigned)(ka_hash_bytes(key, len, 0) % 97u);
}

/* Nearness is symmetric, and a near-set offered every key of the input keeps
 * the key itself first (distance 0), then only near keys sharing its prefix,
 * nearest then most frequent first, at most KA_TRANSLIT_NEAR_MAX. */
static void check_keys_together(const fz_keys_t *k)
{
    size_t plen = sizeof KA_PREFIX_TRANSLIT - 1;
    for (size_t i = 0; i < k->n; i++) {
        ka_translit_near_set_t set;
        FZ_CHECK(ka_translit_near_init(&set, k->key[i], k->len[i]) == KA_OK,
                 "ka_translit_near_init failed");
        const char *prefix = ka_translit_near_prefix(&set);
        for (size_t j = 0; j < k->n; j++) {
            int ij = ka_translit_near(k->key[i] + plen, k->len[i] - plen, k->key[j] + plen,
                                      k->len[j] - plen);
            int ji = ka_translit_near(k->key[j] + plen, k->len[j] - plen, k->key[i] + plen,
                                      k->len[i] - plen);
            FZ_CHECK(ij == ji, "ka_translit_near is not symmetric");
            FZ_CHECK(!ij || strncmp(k->key[j], prefix, strlen(prefix)) == 0,
                     "a near key outside the near-set's prefix");
            ka_translit_near_offer(&set, k->key[j], k->len[j], fake_freq(k->key[j], k->len[j]));
        }
        FZ_CHECK(set.offered == k->n && set.n >= 1 && set.n <= KA_TRANSLIT_NEAR_MAX,
                 "a near-set's counts");
        FZ_CHECK(strcmp(set.term[0], k->key[i]) == 0 && set.dist[0] == 0,
                 "a near-set does not keep the key itself first");
        for (size_t m = 0; m < set.n; m++) {
            size_t tl = strlen(set.term[m]);
            FZ_CHECK(ka_translit_near(k->key[i] + plen, k->len[i] - plen, set.term[m] + plen,
                                      tl - plen),
                     "a near-set keeps a key that is not near");
            FZ_CHECK(set.freq[m] == fake_freq(set.term[m], tl), "a near-set's frequency");
            FZ_CHECK(m == 0 || set.dist[m - 1] < set.dist[m] ||
                         (set.dist[m - 1] == set.dist[m] && set.freq[m - 1] >= set.freq[m]),
                     "a near-set out of order");
        }
    }
}

/* ka_translit_near on raw bytes (it is pure and takes any): the input cut
 * at its first NUL, or in two halves, compared both ways. */
static void check_near_raw(const char *text, size_t size)
{
    const char *nul = memchr(text, '\0', size);
    size_t alen = nul ? (size_t)(nul - text) : size / 2;
    const char *b = text + alen + (nul ? 1 : 0);
    size_t blen = size - (size_t)(b - text);
    int ab = ka_translit_near(text, alen, b, blen);
    int ba = ka_translit_near(b, blen, text, alen);
    FZ_CHECK(ab == ba, "ka_translit_near is not symmetric on raw bytes");
    FZ_CHECK(alen == 0 || ka_translit_near(text, alen, text, alen), "raw bytes not near themselves");
}

static int check_key(void *ctx, const ka_token_t *t)
{
    fz_keys_t *kept = ctx;
    /* Russian runs are romanized without ICU: the skeleton must be ICU's. */
    if (t->script == KA_SCRIPT_CYRILLIC) {
        char a[KA_TRANSLIT_SKELETON_CAP], b[KA_TRANSLIT_SKELETON_CAP];
        size_t al = 0, bl = 0;
        ka_status_t sa = ka_translit_skeleton(translit, t->term, t->term_len, a, sizeof a, &al);
        ka_status_t sb = ka_translit_skeleton(translit_icu, t->term, t->term_len, b, sizeof b, &bl);
        FZ_CHECK(sa == sb && al == bl && memcmp(a, b, al) == 0,
                 "a Cyrillic word's skeleton differs without ICU");
    }
    char key[KA_TRANSLIT_TERM_CAP];
    size_t len = 0;
    ka_status_t st = ka_translit_token_term(translit, t, key, sizeof key, &len);
    FZ_CHECK(st == KA_OK || st == KA_ERR_ICU, "ka_translit_token_term failed");
    if (st != KA_OK || len == 0)
        return 0;
    FZ_CHECK(len < sizeof key && strlen(key) == len, "a name key's length");
    FZ_CHECK(key[0] == KA_PREFIX_TRANSLIT[0], "a name key without its prefix");
    FZ_CHECK(len <= KX_MAX_TERM_BYTES - 1, "a name key over Xapian's limit");
    FZ_CHECK(fz_utf8(key, len) && fz_clean(key, len), "a name key is not clean UTF-8");
    FZ_CHECK(ka_translit_near(key + 1, len - 1, key + 1, len - 1), "a key is not near itself");
    ka_translit_near_set_t set;
    FZ_CHECK(ka_translit_near_init(&set, key, len) == KA_OK, "ka_translit_near_init failed");
    FZ_CHECK(strncmp(key, ka_translit_near_prefix(&set), strlen(ka_translit_near_prefix(&set))) == 0,
             "a key outside its own near-set's prefix");
    ka_translit_near_offer(&set, key, len, 1);
    FZ_CHECK(set.n == 1 && strcmp(set.term[0], key) == 0 && set.dist[0] == 0,
             "a key's near-set does not keep the key itself");
    kept->seen++;
    for (size_t i = 0; i < kept->n; i++)
        if (kept->len[i] == len && memcmp(kept->key[i], key, len) == 0)
            return 0;
    if (kept->n < FZ_MAX_KEYS) {
        memcpy(kept->key[kept->n], key, len + 1);
        kept->len[kept->n++] = len;
    }
    return 0;
}

/* The terms one passage should have, collected from a second analysis. */
typedef struct {
    char  **term;
    size_t  n, cap;
    int     section;   /* collecting the section's filter terms */
} fz_terms_t;

static void terms_add(fz_terms_t *t, const char *prefix, const char *s, size_t len)
{
    size_t pl = strlen(prefix);
    if (pl + len >= KX_MAX_TERM_BYTES)
        return;
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 64;
        t->term = realloc(t->term, t->cap * sizeof *t->term);
        FZ_CHECK(t->term != NULL, "out of memory");
    }
    char *x = malloc(pl + len + 1);
    FZ_CHECK(x != NULL, "out of memory");
    memcpy(x, prefix, pl);
    memcpy(x + pl, s, len);
    x[pl + len] = '\0';
    t->term[t->n++] = x;
}

static int expect_token(void *ctx, const ka_token_t *tok)
{
    fz_terms_t *t = ctx;
    if (tok->flags & KA_TOK_JOINED)
        return 0;
    if (t->section) {
        terms_add(t, KI_PREFIX_SECTION, tok->term, tok->term_len);
        return 0;
    }
    terms_add(t, "", tok->term, tok->term_len);
    if (tok->stem && strcmp(tok->stem + sizeof KA_PREFIX_STEM - 1, tok->term) != 0)
        terms_add(t, "", tok->stem, strlen(tok->stem));
    char key[KA_TRANSLIT_TERM_CAP];
    size_t kl = 0;
    if (ka_translit_token_term(translit, tok, key, sizeof key, &kl) == KA_OK && kl > 0)
        terms_add(t, "", key, kl);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct {
    const fz_terms_t *want;
    size_t            i;
    fz_terms_t        exact;   /* the exact forms: their terms must have positions */
} fz_walk_t;

static int has(const fz_terms_t *t, const char *s)
{
    return t->n > 0 && bsearch(&s, t->term, t->n, sizeof *t->term, cmp_str) != NULL;
}

static int walk_term(void *ctx, const char *term, size_t len, unsigned wdf, unsigned npos)
{
    fz_walk_t *w = ctx;
    FZ_CHECK(w->i < w->want->n && strlen(w->want->term[w->i]) == len &&
                 memcmp(w->want->term[w->i], term, len) == 0,
             "an indexed term the analysis does not give, or one missing");
    w->i++;
    FZ_CHECK(npos <= wdf, "an indexed term with more positions than its wdf");
    FZ_CHECK(!has(&w->exact, term) || npos >= 1, "an exact form indexed without positions");
    return 0;
}

static void terms_sort(fz_terms_t *t)
{
    if (t->n == 0)
        return;   /* t->term is NULL: qsort's argument may not be */
    qsort(t->term, t->n, sizeof *t->term, cmp_str);
    size_t k = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (k && strcmp(t->term[k - 1], t->term[i]) == 0)
            free(t->term[i]);
        else
            t->term[k++] = t->term[i];
    }
    t->n = k;
}

static void terms_free(fz_terms_t *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->term[i]);
    free(t->term);
}

static void check_indexed_terms(ka_analyzer_t *an, const char *data, size_t size)
{
    size_t tl = 0;
    char *text = kd_utf8_sanitize(data, size, &tl);
    FZ_CHECK(text != NULL, "out of memory");
    const char *nl = memchr(text, '\n', tl);
    size_t sl = nl ? (size_t)(nl - text) : 0;
    char *section = malloc(sl + 1);
    FZ_CHECK(section != NULL, "out of memory");
    memcpy(section, text, sl);
    section[sl] = '\0';
    char id[] = "fuzz.txt#1", name[] = "fuzz.txt", lang[8];
    snprintf(lang, sizeof lang, "%s", ka_guess_lang(an, text, tl));
    kd_passage_t p = { .ordinal = 1, .id = id, .section = section, .lang = lang, .text = text,
                       .kind = KD_KIND_BODY, .line = 1, .source = -1 };
    kd_document_t doc = { .name = name, .passages = &p, .n_passages = 1 };
    kx_doc_t *xd = NULL;
    FZ_CHECK(ki_passage_document(an, translit, &doc, 0, NULL, &xd) == KX_OK,
             "ki_passage_document failed");

    fz_terms_t want = { 0 };
    FZ_CHECK(ka_analyze(an, KA_DOCUMENT, text, strlen(text), expect_token, &want) == KA_OK,
             "ka_analyze failed");
    fz_walk_t w = { .want = &want };
    for (size_t i = 0; i < want.n; i++)
        if (want.term[i][0] != KA_PREFIX_STEM[0] && want.term[i][0] != KA_PREFIX_TRANSLIT[0])
            terms_add(&w.exact, "", want.term[i], strlen(want.term[i]));
    terms_sort(&w.exact);
    want.section = 1;
    FZ_CHECK(ka_analyze(an, KA_DOCUMENT, section, sl, expect_token, &want) == KA_OK,
             "ka_analyze failed");
    terms_add(&want, KI_PREFIX_ID, id, strlen(id));
    terms_add(&want, KI_PREFIX_FILE, name, strlen(name));
    terms_add(&want, KI_PREFIX_LANG, lang, strlen(lang));
    terms_add(&want, KI_PREFIX_KIND, "body", 4);
    terms_sort(&want);
    FZ_CHECK(kx_doc_terms(xd, walk_term, &w) == KX_OK, "kx_doc_terms failed");
    FZ_CHECK(w.i == want.n, "a term the analysis gives is not indexed");
    terms_free(&want);
    terms_free(&w.exact);
    kx_doc_free(xd);
    free(section);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ka_analyzer_t *an = fz_analyzer();
    const char *text = (const char *)data;
    uint64_t h_doc, h_nojoin, h_q1, h_q2;

    FZ_CHECK(ka_analyzer_set_options(an, 0) == KA_OK, "ka_analyzer_set_options failed");
    size_t n_doc = fz_check_analyze(an, KA_DOCUMENT, text, size, &h_doc);
    FZ_CHECK(ka_analyzer_set_options(an, KA_OPT_NO_JOINED) == KA_OK, "ka_analyzer_set_options failed");
    size_t n_nojoin = fz_check_analyze(an, KA_DOCUMENT, text, size, &h_nojoin);
    FZ_CHECK(ka_analyzer_set_options(an, 0) == KA_OK, "ka_analyzer_set_options failed");
    FZ_CHECK(n_nojoin <= n_doc && h_nojoin == h_doc,
             "KA_OPT_NO_JOINED changed more than the joined tokens");

    size_t n_q1 = fz_check_analyze(an, KA_QUERY, text, size, &h_q1);
    size_t n_q2 = fz_check_analyze(an, KA_QUERY, text, size, &h_q2);
    FZ_CHECK(n_q1 == n_q2 && h_q1 == h_q2, "two analyses of the same text differ");

    /* One input in 16 (by its length) also goes through a fresh analyzer
     * and transliterator, created and freed here: their caches (stems,
     * normalization properties filled as characters are met, name keys)
     * must not change a result. */
    if (size % 16 == 7) {
        ka_analyzer_t *fresh = NULL;
        FZ_CHECK(ka_analyzer_new(&fresh) == KA_OK, "ka_analyzer_new failed");
        uint64_t h_fd, h_fq;
        size_t n_fd = fz_check_analyze(fresh, KA_DOCUMENT, text, size, &h_fd);
        size_t n_fq = fz_check_analyze(fresh, KA_QUERY, text, size, &h_fq);
        FZ_CHECK(n_fd == n_doc && h_fd == h_doc && n_fq == n_q1 && h_fq == h_q1,
                 "a fresh analyzer's tokens differ from a used one's");
        size_t fl1 = 0, fl2 = 0;
        const char *f1 = ka_fold(fresh, text, size, &fl1);
        FZ_CHECK(f1 != NULL, "ka_fold failed");
        char *copy = malloc(fl1 + 1);
        FZ_CHECK(copy != NULL, "out of memory");
        memcpy(copy, f1, fl1 + 1);
        const char *f2 = ka_fold(an, text, size, &fl2);
        FZ_CHECK(f2 != NULL && fl1 == fl2 && memcmp(copy, f2, fl1) == 0,
                 "a fresh analyzer folds differently");
        free(copy);
        ka_analyzer_free(fresh);
    }

    size_t flen = 0;
    const char *folded = ka_fold(an, text, size, &flen);
    FZ_CHECK(folded != NULL, "ka_fold failed");
    FZ_CHECK(folded[flen] == '\0', "ka_fold's result is not NUL-terminated at its length");
    /* A NUL of the input stays a NUL (the text is not a C string); the rest is UTF-8. */
    for (size_t i = 0; i < flen;) {
        size_t k = strlen(folded + i);
        FZ_CHECK(fz_utf8(folded + i, k), "ka_fold gave invalid UTF-8");
        i += k + 1;
    }

    if (!translit && ka_translit_new(&translit) != KA_OK)
        fz_fail(__FILE__, __LINE__, "cannot create the transliterator");
    if (!translit_icu) {
        if (ka_translit_new(&translit_icu) != KA_OK)
            fz_fail(__FILE__, __LINE__, "cannot create the transliterator");
        ka_translit_set_icu_only(translit_icu, 1);
    }
    if (size % 16 == 7) {
        /* A fresh transliterator gives every token the key the warm one
         * (and its cache) gives. */
        ka_translit_t *warm = translit;
        FZ_CHECK(ka_translit_new(&translit) == KA_OK, "ka_translit_new failed");
        static fz_keys_t fresh_keys;
        fresh_keys.n = fresh_keys.seen = 0;
        FZ_CHECK(ka_analyze(an, KA_QUERY, text, size, check_key, &fresh_keys) == KA_OK,
                 "ka_analyze failed");
        size_t hits = 0, misses = 0, entries = 0;
        ka_translit_stats(translit, &hits, &misses, &entries);
        FZ_CHECK(entries <= misses && entries <= KA_TRANSLIT_CACHE_MAX,
                 "a transliterator's cache counts");
        ka_translit_free(translit);
        translit = warm;
        static fz_keys_t warm_keys;
        warm_keys.n = warm_keys.seen = 0;
        FZ_CHECK(ka_analyze(an, KA_QUERY, text, size, check_key, &warm_keys) == KA_OK,
                 "ka_analyze failed");
        FZ_CHECK(fresh_keys.n == warm_keys.n && fresh_keys.seen == warm_keys.seen,
                 "a fresh transliterator's keys differ from a used one's");
        for (size_t i = 0; i < warm_keys.n; i++)
            FZ_CHECK(fresh_keys.len[i] == warm_keys.len[i] &&
                         memcmp(fresh_keys.key[i], warm_keys.key[i], warm_keys.len[i]) == 0,
                     "a fresh transliterator's keys differ from a used one's");
    }
    static fz_keys_t keys;
    keys.n = keys.seen = 0;
    FZ_CHECK(ka_analyze(an, KA_QUERY, text, size, check_key, &keys) == KA_OK,
             "ka_analyze failed");
    FZ_CHECK(ka_analyze(an, KA_DOCUMENT, text, size, check_key, &keys) == KA_OK,
             "ka_analyze failed");
    check_keys_together(&keys);
    check_near_raw(text, size);
    if (getenv("FZ_VERBOSE"))
        fprintf(stderr, "analyze: %zu tokens, %zu name keys (%zu distinct)\n", n_q1, keys.seen,
                keys.n);
    char skel[KA_TRANSLIT_SKELETON_CAP];
    size_t skel_len = 0;
    ka_status_t ts = ka_translit_skeleton(translit, text, size, skel, sizeof skel, &skel_len);
    FZ_CHECK(ts == KA_OK || ts == KA_ERR_ICU, "ka_translit_skeleton failed");
    FZ_CHECK(ts != KA_OK || (skel_len < sizeof skel && strlen(skel) == skel_len),
             "a skeleton's length");

    const char *lang = ka_guess_lang(an, text, size);
    FZ_CHECK(lang && (strcmp(lang, "fa") == 0 || strcmp(lang, "ru") == 0 ||
                      strcmp(lang, "en") == 0 || strcmp(lang, "und") == 0),
             "ka_guess_lang outside fa, ru, en, und");
    check_indexed_terms(an, text, size);
    return 0;
}
