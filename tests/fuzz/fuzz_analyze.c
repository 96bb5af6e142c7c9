/*
 * fuzz_analyze.c - the analysis of both sides on any bytes: the analyzer
 * (ka_analyze, ka_fold, ka_guess_lang) in both modes, every token checked
 * (fuzz_common.c), the indexer's KA_OPT_NO_JOINED changing nothing but the
 * joined tokens, and a second query-mode run (with the stem cache now warm)
 * giving the same tokens; then the name keys both sides make of every
 * token (ka_translit_token_term, as kavosh-index and kavosh-search call
 * it): a key is "T" + a skeleton within Xapian's limit, near itself, found
 * by its own near-set; and the skeleton of the whole input as one word.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "kavosh_xapian.h"
#include "translit.h"

static ka_translit_t *translit;

static int check_key(void *ctx, const ka_token_t *t)
{
    size_t *keys = ctx;
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
    (*keys)++;
    return 0;
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
    size_t keys = 0;
    FZ_CHECK(ka_analyze(an, KA_QUERY, text, size, check_key, &keys) == KA_OK,
             "ka_analyze failed");
    FZ_CHECK(ka_analyze(an, KA_DOCUMENT, text, size, check_key, &keys) == KA_OK,
             "ka_analyze failed");
    if (getenv("FZ_VERBOSE"))
        fprintf(stderr, "analyze: %zu tokens, %zu name keys\n", n_q1, keys);
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
    return 0;
}
