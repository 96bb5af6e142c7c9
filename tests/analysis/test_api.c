/*
 * test_api.c - the contract of analyzer.h beyond the tables: argument
 * checks, stopping from the callback, state not leaking between calls,
 * documents and queries analysed alike, stop-word-only queries.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ka_test_util.h"

static const char *article_path;

static int count_cb(void *ctx, const ka_token_t *t)
{
    (void)t;
    (*(size_t *)ctx)++;
    return 0;
}

static int stop_after_two(void *ctx, const ka_token_t *t)
{
    (void)t;
    return ++*(size_t *)ctx == 2;
}

static void test_arguments(void **state)
{
    ka_analyzer_t *a = *state;
    size_t n = 0;
    assert_int_equal(ka_analyzer_new(NULL), KA_ERR_ARG);
    assert_int_equal(ka_analyze(NULL, KA_QUERY, "x", 1, count_cb, &n), KA_ERR_ARG);
    assert_int_equal(ka_analyze(a, KA_QUERY, "x", 1, NULL, &n), KA_ERR_ARG);
    assert_int_equal(ka_analyze(a, KA_QUERY, NULL, 1, count_cb, &n), KA_ERR_ARG);
    assert_int_equal(ka_analyze(a, (ka_mode_t)7, "x", 1, count_cb, &n), KA_ERR_ARG);
    assert_int_equal(ka_analyze(a, KA_QUERY, NULL, 0, count_cb, &n), KA_OK);
    assert_int_equal(n, 0);
    ka_analyzer_free(NULL);
    /* Every status has its own description; _LAST and beyond are "unknown". */
    const char *unknown = ka_status_to_string(KA_STATUS_LAST);
    for (int s = KA_OK; s < KA_STATUS_LAST; s++) {
        const char *d = ka_status_to_string((ka_status_t)s);
        assert_non_null(d);
        assert_true(strlen(d) > 0);
        assert_string_not_equal(d, unknown);
        for (int r = KA_OK; r < s; r++)
            assert_string_not_equal(d, ka_status_to_string((ka_status_t)r));
    }
    assert_string_equal(ka_status_to_string((ka_status_t)99), unknown);
    assert_string_equal(ka_guess_lang(a, NULL, 0), "und");
    assert_string_equal(ka_guess_lang(a, "", 0), "und");
}

static void test_stop(void **state)
{
    ka_analyzer_t *a = *state;
    size_t n = 0;
    const char *q = "one two three four";
    assert_int_equal(ka_analyze(a, KA_QUERY, q, strlen(q), stop_after_two, &n), KA_STOPPED);
    assert_int_equal(n, 2);
    /* A stopped analyzer is usable again, from a clean state. */
    ka_test_toks_t toks = { 0 };
    assert_int_equal(ka_test_collect(a, KA_QUERY, "four", 4, &toks), KA_OK);
    assert_int_equal(toks.n, 1);
    assert_int_equal(toks.v[0].pos, 1);
    ka_test_toks_free(&toks);
}

/* Positions restart and a Persian word at the end of one call does not join
 * the first word of the next. */
static void test_no_state_between_calls(void **state)
{
    ka_analyzer_t *a = *state;
    ka_test_toks_t toks = { 0 };
    assert_int_equal(ka_test_collect(a, KA_DOCUMENT, "ایران روسیه", strlen("ایران روسیه"), &toks), KA_OK);
    assert_int_equal(toks.n, 3);   /* two words and their pair */
    assert_int_equal(ka_test_collect(a, KA_DOCUMENT, "چین", strlen("چین"), &toks), KA_OK);
    assert_int_equal(toks.n, 1);
    assert_int_equal(toks.v[0].pos, 1);
    assert_int_equal(toks.v[0].flags & KA_TOK_JOINED, 0);
    ka_test_toks_free(&toks);
}

/* A query made only of stop words still gives its words (flagged). */
static void test_stopword_only_query(void **state)
{
    ka_analyzer_t *a = *state;
    const char *qs[] = { "the of and", "و در به", "и в на" };
    ka_test_toks_t toks = { 0 };
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(ka_test_collect(a, KA_QUERY, qs[i], strlen(qs[i]), &toks), KA_OK);
        size_t words = 0;
        for (size_t k = 0; k < toks.n; k++) {
            if (toks.v[k].flags & KA_TOK_JOINED)
                continue;
            words++;
            assert_true(toks.v[k].flags & KA_TOK_STOPWORD);
            assert_non_null(toks.v[k].stem);
        }
        assert_int_equal(words, 3);
    }
    ka_test_toks_free(&toks);
}

/* The same text gives the same tokens as a document and as a query: the
 * two sides of the index can never drift apart. */
static void test_modes_agree(void **state)
{
    ka_analyzer_t *a = *state;
    FILE *f = fopen(article_path, "rb");
    assert_non_null(f);
    char *text = malloc(1 << 20);
    assert_non_null(text);
    size_t len = fread(text, 1, 1 << 20, f);
    fclose(f);
    ka_test_toks_t d = { 0 }, q = { 0 };
    assert_int_equal(ka_test_collect(a, KA_DOCUMENT, text, len, &d), KA_OK);
    assert_int_equal(ka_test_collect(a, KA_QUERY, text, len, &q), KA_OK);
    assert_int_equal(d.n, q.n);
    for (size_t i = 0; i < d.n; i++) {
        assert_string_equal(d.v[i].term, q.v[i].term);
        assert_int_equal(d.v[i].flags, q.v[i].flags);
        assert_int_equal(d.v[i].start, q.v[i].start);
    }
    ka_test_toks_free(&d);
    ka_test_toks_free(&q);
    free(text);
}

/* A callback may call ka_fold on the analyzer that is calling it (the
 * document layer compares names that way) without disturbing the analysis. */
typedef struct fold_ctx {
    ka_analyzer_t *a;
    size_t tokens;
    int bad;
} fold_ctx_t;

static int fold_in_callback(void *ctx, const ka_token_t *t)
{
    fold_ctx_t *c = ctx;
    char copy[256];
    snprintf(copy, sizeof copy, "%s", t->term);
    size_t fl;
    /* A long string, so that the fold buffers have to grow meanwhile. */
    char big[20000];
    memset(big, 'A', sizeof big);
    const char *f = ka_fold(c->a, big, sizeof big, &fl);
    if (f == NULL || fl != sizeof big || f[0] != 'a')
        c->bad++;
    if (strcmp(copy, t->term) != 0)
        c->bad++;
    c->tokens++;
    return 0;
}

static void test_fold_inside_callback(void **state)
{
    ka_analyzer_t *a = *state;
    const char *text = "روابط ایران و قرقیزستان Relations of Iran Отношения";
    ka_test_toks_t plain = { 0 };
    assert_int_equal(ka_test_collect(a, KA_DOCUMENT, text, strlen(text), &plain), KA_OK);
    fold_ctx_t c = { a, 0, 0 };
    assert_int_equal(ka_analyze(a, KA_DOCUMENT, text, strlen(text), fold_in_callback, &c), KA_OK);
    assert_int_equal(c.bad, 0);
    assert_int_equal(c.tokens, plain.n);
    ka_test_toks_free(&plain);
}

/* KA_OPT_NO_JOINED drops the joined pairs and nothing else. */
static void test_option_no_joined(void **state)
{
    ka_analyzer_t *a = *state;
    const char *text = "بین المللی و Relations Отношения ۱۴۰۱ می شود";
    ka_test_toks_t with = { 0 }, without = { 0 };
    assert_int_equal(ka_test_collect(a, KA_DOCUMENT, text, strlen(text), &with), KA_OK);
    assert_int_equal(ka_analyzer_set_options(a, KA_OPT_NO_JOINED), KA_OK);
    assert_int_equal(ka_test_collect(a, KA_DOCUMENT, text, strlen(text), &without), KA_OK);
    assert_int_equal(ka_analyzer_set_options(a, 0), KA_OK);
    assert_int_equal(ka_analyzer_set_options(a, 0x80), KA_ERR_ARG);
    assert_int_equal(ka_analyzer_set_options(NULL, 0), KA_ERR_ARG);
    size_t k = 0, joined = 0;
    for (size_t i = 0; i < with.n; i++) {
        if (with.v[i].flags & KA_TOK_JOINED) {
            joined++;
            continue;
        }
        assert_true(k < without.n);
        assert_string_equal(with.v[i].term, without.v[k].term);
        assert_int_equal(with.v[i].pos, without.v[k].pos);
        assert_int_equal(with.v[i].start, without.v[k].start);
        k++;
    }
    assert_int_equal(k, without.n);
    assert_true(joined >= 3);
    for (size_t i = 0; i < without.n; i++)
        assert_int_equal(without.v[i].flags & KA_TOK_JOINED, 0);
    ka_test_toks_free(&with);
    ka_test_toks_free(&without);
}

/* Two analyzers are independent (no global state). */
static void test_two_analyzers(void **state)
{
    ka_analyzer_t *a = *state, *b;
    assert_int_equal(ka_analyzer_new(&b), KA_OK);
    size_t la, lb;
    const char *fa = ka_fold(a, "ABC", 3, &la);
    const char *fb = ka_fold(b, "XYZ", 3, &lb);
    assert_string_equal(fa, "abc");
    assert_string_equal(fb, "xyz");
    ka_analyzer_free(b);
}

static int setup(void **state)
{
    ka_analyzer_t *a;
    if (ka_analyzer_new(&a) != KA_OK)
        return -1;
    *state = a;
    return 0;
}

static int teardown(void **state)
{
    ka_analyzer_free(*state);
    return 0;
}

int main(int argc, char **argv)
{
    article_path = argc > 1 ? argv[1] : KA_TEST_DATA_DIR "/../../corpus/article.fa.md";
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arguments),
        cmocka_unit_test(test_stop),
        cmocka_unit_test(test_no_state_between_calls),
        cmocka_unit_test(test_stopword_only_query),
        cmocka_unit_test(test_modes_agree),
        cmocka_unit_test(test_fold_inside_callback),
        cmocka_unit_test(test_option_no_joined),
        cmocka_unit_test(test_two_analyzers),
    };
    return cmocka_run_group_tests_name("analysis_api", tests, setup, teardown);
}
