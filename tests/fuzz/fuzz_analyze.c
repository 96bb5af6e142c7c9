/*
 * fuzz_analyze.c - the analyzer (ka_analyze, ka_fold, ka_guess_lang) on any
 * bytes, in both modes: every token checked (fuzz_common.c), the indexer's
 * KA_OPT_NO_JOINED changing nothing but the joined tokens, and a second
 * query-mode run (with the stem cache now warm) giving the same tokens.
 */
#include <stdint.h>
#include <string.h>

#include "fuzz_common.h"

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

    const char *lang = ka_guess_lang(an, text, size);
    FZ_CHECK(lang && (strcmp(lang, "fa") == 0 || strcmp(lang, "ru") == 0 ||
                      strcmp(lang, "en") == 0 || strcmp(lang, "und") == 0),
             "ka_guess_lang outside fa, ru, en, und");
    return 0;
}
