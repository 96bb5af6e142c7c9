/*
 * test_wrapper_query.c - queries and searching through the wrapper: the table
 * of cases in query_cases.txt against the documents in query_corpus.txt, and
 * the weighting properties that a table of hit sets cannot show.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kx_test_util.h"

struct fixture {
    char *dir;
    kx_db_t *db;
};

/* One line of query_corpus.txt: name, year, words. */
static void add_corpus_line(kx_db_t *db, char *line)
{
    char *save = NULL;
    char *name = strtok_r(line, " ", &save);
    char *year = strtok_r(NULL, " ", &save);
    assert_non_null(name);
    assert_non_null(year);
    kx_doc_t *doc = NULL;
    assert_int_equal(kx_doc_new(&doc), KX_OK);
    char idterm[KX_MAX_TERM_BYTES];
    snprintf(idterm, sizeof idterm, "Q%s", name);
    assert_int_equal(kx_doc_add_boolean_term(doc, idterm), KX_OK);
    assert_int_equal(kx_doc_set_data(doc, name, strlen(name)), KX_OK);
    assert_int_equal(kx_doc_set_value(doc, 0, year, strlen(year)), KX_OK);
    unsigned pos = 1;
    for (char *w = strtok_r(NULL, " ", &save); w; w = strtok_r(NULL, " ", &save))
        assert_int_equal(kx_doc_add_posting(doc, w, pos++, 1), KX_OK);
    assert_int_equal(kx_db_replace_by_term(db, idterm, doc, NULL), KX_OK);
    kx_doc_free(doc);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->dir = kxt_tmpdir();
    f->db = kxt_open(f->dir, KX_OPEN_OVERWRITE);
    void *fp = kxt_open_data("query_corpus.txt");
    char line[KX_TEST_LINE_MAX];
    while (kxt_next_line(fp, line, sizeof line))
        add_corpus_line(f->db, line);
    fclose(fp);
    assert_int_equal(kx_db_commit(f->db), KX_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    kx_db_close(f->db);
    kxt_rmtree(f->dir);
    free(f);
    return 0;
}

static void test_query_cases(void **state)
{
    struct fixture *f = *state;
    void *fp = kxt_open_data("query_cases.txt");
    char line[KX_TEST_LINE_MAX];
    int cases = 0, failures = 0;
    while (kxt_next_line(fp, line, sizeof line)) {
        char *bar = strchr(line, '|');
        assert_non_null(bar);
        *bar = '\0';
        char expected[KX_TEST_LINE_MAX];
        if (sscanf(line, "%1023s", expected) != 1)
            fail_msg("no expected hits in case: %s", line);
        kx_query_t *q = kxt_parse_query(bar + 1);
        char *got = kxt_hit_names(f->db, q);
        if (strcmp(got, expected) != 0) {
            char *desc = kx_query_describe(q);
            print_error("case %s: expected %s, got %s (%s)\n", bar + 1, expected, got,
                        desc ? desc : "?");
            kx_free(desc);
            failures++;
        }
        free(got);
        kx_query_free(q);
        cases++;
    }
    fclose(fp);
    assert_true(cases > 20);
    assert_int_equal(failures, 0);
}

/* Weight of the hit named name for query text, or -1 if it is not a hit. */
static double weight_of(kx_db_t *db, const char *text, const char *name, const kx_bm25_t *bm25)
{
    kx_query_t *q = kxt_parse_query(text);
    kx_mset_t *ms = NULL;
    assert_int_equal(kx_search(db, q, bm25, 0, 100, &ms), KX_OK);
    double w = -1;
    for (unsigned i = 0; i < kx_mset_size(ms); i++) {
        kx_hit_t hit;
        assert_int_equal(kx_mset_hit(ms, i, &hit), KX_OK);
        if (hit.data_len == strlen(name) && memcmp(hit.data, name, hit.data_len) == 0)
            w = hit.weight;
    }
    kx_mset_free(ms);
    kx_query_free(q);
    return w;
}

static void test_filter_terms_do_not_weigh(void **state)
{
    struct fixture *f = *state;
    double plain = weight_of(f->db, "fox", "a", NULL);
    assert_true(plain > 0);
    /* Restricting by a boolean term keeps the weight exactly. */
    assert_true(weight_of(f->db, "(FILTER fox Qa)", "a", NULL) == plain);
    /* AND with the boolean term would add its weight; FILTER must not, and the
     * id term itself (wdf 0) did not lengthen the document: two documents with
     * the same words and different numbers of boolean terms weigh the same. */
    kx_doc_t *doc = NULL;
    assert_int_equal(kx_doc_new(&doc), KX_OK);
    assert_int_equal(kx_doc_add_boolean_term(doc, "Qx1"), KX_OK);
    assert_int_equal(kx_doc_add_boolean_term(doc, "Kextra"), KX_OK);
    assert_int_equal(kx_doc_add_boolean_term(doc, "Kmore"), KX_OK);
    assert_int_equal(kx_doc_set_data(doc, "x1", 2), KX_OK);
    assert_int_equal(kx_doc_add_posting(doc, "zebra", 1, 1), KX_OK);
    assert_int_equal(kx_doc_add_posting(doc, "stripes", 2, 1), KX_OK);
    assert_int_equal(kx_db_replace_by_term(f->db, "Qx1", doc, NULL), KX_OK);
    kx_doc_free(doc);
    kxt_add_words(f->db, "x2", "zebra stripes");
    double w1 = weight_of(f->db, "zebra", "x1", NULL);
    double w2 = weight_of(f->db, "zebra", "x2", NULL);
    assert_true(w1 > 0);
    assert_true(w1 == w2);
    assert_int_equal(kx_db_delete_by_term(f->db, "Qx1"), KX_OK);
    assert_int_equal(kx_db_delete_by_term(f->db, "Qx2"), KX_OK);
}

static void test_scale_and_bm25(void **state)
{
    struct fixture *f = *state;
    double plain = weight_of(f->db, "dog", "d", NULL);
    kx_query_t *t = NULL, *s = NULL;
    assert_int_equal(kx_query_term("dog", 1, 0, &t), KX_OK);
    assert_int_equal(kx_query_scale(t, 2.0, &s), KX_OK);
    kx_query_free(t);   /* the scaled query owns a copy */
    kx_mset_t *ms = NULL;
    assert_int_equal(kx_search(f->db, s, NULL, 0, 10, &ms), KX_OK);
    int seen = 0;
    for (unsigned i = 0; i < kx_mset_size(ms); i++) {
        kx_hit_t hit;
        assert_int_equal(kx_mset_hit(ms, i, &hit), KX_OK);
        if (hit.data_len == 1 && hit.data[0] == 'd') {
            assert_true(hit.weight > 2 * plain - 1e-9 && hit.weight < 2 * plain + 1e-9);
            seen = 1;
        }
    }
    assert_true(seen);
    kx_mset_free(ms);

    /* b = 0 turns off length normalisation, so the weight changes for a
     * document whose length is not the average. */
    kx_bm25_t flat = {1, 0, 1, 0, 0.5};
    double unnormalised = weight_of(f->db, "dog", "d", &flat);
    assert_true(unnormalised > 0);
    assert_true(unnormalised != plain);

    kx_bm25_t bad[] = {{-1, 0, 1, 0.5, 0.5}, {1, 0, 1, 1.5, 0.5}, {1, 0, -2, 0.5, 0.5}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        kx_mset_t *none = (kx_mset_t *)&seen;
        assert_int_equal(kx_search(f->db, s, &bad[i], 0, 10, &none), KX_INVALID_ARGUMENT);
        assert_null(none);
        assert_true(kx_db_last_error(f->db)[0] != '\0');
    }
    assert_int_equal(kx_query_scale(s, -1.0, &t), KX_INVALID_ARGUMENT);
    assert_null(t);
    kx_query_free(s);
}

static int collect_term(void *ctx, const char *term, size_t len)
{
    char *buf = ctx;
    if (buf[0])
        strcat(buf, ",");
    strncat(buf, term, len);
    return 0;
}

static void test_matching_terms_rank_offset(void **state)
{
    struct fixture *f = *state;
    kx_query_t *q = kxt_parse_query("(OR fox dog day)");
    kx_mset_t *ms = NULL;
    assert_int_equal(kx_search(f->db, q, NULL, 0, 10, &ms), KX_OK);
    assert_int_equal(kx_mset_size(ms), 5);
    assert_true(kx_mset_estimate(ms) >= 5);
    /* Fewer matches than KX_CHECK_AT_LEAST: counted exactly. */
    unsigned lo = 0, est = 0, up = 0;
    kx_mset_bounds(ms, &lo, &est, &up);
    assert_int_equal(lo, 5);
    assert_int_equal(est, 5);
    assert_int_equal(up, 5);
    kx_mset_t *one = NULL;
    assert_int_equal(kx_search(f->db, q, NULL, 0, 1, &one), KX_OK);
    kx_mset_bounds(one, &lo, NULL, &up);
    assert_int_equal(lo, 5);
    assert_int_equal(up, 5);
    kx_mset_free(one);
    kx_mset_bounds(NULL, &lo, &est, &up);
    assert_int_equal(lo + est + up, 0);
    assert_int_equal(kx_db_shard_count(f->db), 1);
    assert_int_equal(kx_db_shard_count(NULL), 0);
    kx_hit_t first, hit;
    assert_int_equal(kx_mset_hit(ms, 0, &first), KX_OK);
    assert_int_equal(first.rank, 0);
    assert_true(first.percent > 0 && first.percent <= 100);
    for (unsigned i = 0; i < kx_mset_size(ms); i++) {
        assert_int_equal(kx_mset_hit(ms, i, &hit), KX_OK);
        if (hit.data_len == 1 && hit.data[0] == 'a') {
            char terms[256] = "";
            assert_int_equal(kx_mset_matching_terms(ms, i, collect_term, terms), KX_OK);
            assert_string_equal(terms, "dog,fox");
        }
    }
    assert_int_equal(kx_mset_hit(ms, 5, &hit), KX_INVALID_ARGUMENT);
    assert_int_equal(kx_mset_matching_terms(ms, 5, collect_term, NULL), KX_INVALID_ARGUMENT);

    /* kx_mset_hit_has_terms agrees with the matching terms, for terms of the
     * query and others, and gives the hit's weight. */
    static const char *const sorted[] = { "aardvark", "day", "dog", "fox", "zzz" };
    for (unsigned i = 0; i < kx_mset_size(ms); i++) {
        char terms[256] = "";
        assert_int_equal(kx_mset_matching_terms(ms, i, collect_term, terms), KX_OK);
        unsigned char found[5] = { 0 };
        double w = -1;
        assert_int_equal(kx_mset_hit_has_terms(ms, i, sorted, 5, found, &w), KX_OK);
        assert_int_equal(kx_mset_hit(ms, i, &hit), KX_OK);
        assert_true(w == hit.weight);
        assert_int_equal(found[0], 0);
        assert_int_equal(found[4], 0);
        for (int k = 1; k <= 3; k++) {
            char with[256];
            snprintf(with, sizeof with, ",%s,", terms);
            char want[32];
            snprintf(want, sizeof want, ",%s,", sorted[k]);
            assert_int_equal(found[k], strstr(with, want) != NULL);
        }
    }
    /* After kx_mset_hit_has_terms, kx_mset_matching_terms answers from what
     * that walk kept: the same terms as walking the term list (a fresh mset). */
    kx_mset_t *fresh = NULL;
    assert_int_equal(kx_search(f->db, q, NULL, 0, 10, &fresh), KX_OK);
    for (unsigned i = 0; i < kx_mset_size(ms); i++) {
        char kept[256] = "", walked[256] = "";
        assert_int_equal(kx_mset_matching_terms(ms, i, collect_term, kept), KX_OK);
        assert_int_equal(kx_mset_matching_terms(fresh, i, collect_term, walked), KX_OK);
        assert_true(kept[0] != '\0');
        assert_string_equal(kept, walked);
    }
    kx_mset_free(fresh);
    unsigned char none[1];
    assert_int_equal(kx_mset_hit_has_terms(ms, 5, sorted, 1, none, NULL), KX_INVALID_ARGUMENT);
    assert_int_equal(kx_mset_hit_has_terms(ms, 0, NULL, 1, none, NULL), KX_INVALID_ARGUMENT);
    assert_int_equal(kx_mset_hit_has_terms(NULL, 0, sorted, 1, none, NULL), KX_INVALID_ARGUMENT);

    /* Offset 1 starts at the second hit, with ranks counted in the whole list. */
    kx_mset_t *page = NULL;
    assert_int_equal(kx_search(f->db, q, NULL, 1, 2, &page), KX_OK);
    assert_int_equal(kx_mset_size(page), 2);
    kx_hit_t second, ref;
    assert_int_equal(kx_mset_hit(page, 0, &second), KX_OK);
    assert_int_equal(kx_mset_hit(ms, 1, &ref), KX_OK);
    assert_int_equal(second.rank, 1);
    assert_int_equal(second.docid, ref.docid);
    kx_mset_free(page);
    kx_mset_free(ms);
    kx_query_free(q);
}

static void test_wildcard_limit_and_describe(void **state)
{
    struct fixture *f = *state;
    /* "f" expands to far, fence, fox: the most frequent one alone is fox. */
    kx_query_t *w = NULL;
    assert_int_equal(kx_query_wildcard("f", 1, &w), KX_OK);
    char *names = kxt_hit_names(f->db, w);
    assert_string_equal(names, "a,b,c,e");
    free(names);
    kx_query_free(w);
    assert_int_equal(kx_query_wildcard("f", 0, &w), KX_OK);
    names = kxt_hit_names(f->db, w);
    assert_string_equal(names, "a,b,c,e");
    free(names);
    char *desc = kx_query_describe(w);
    assert_non_null(desc);
    assert_non_null(strstr(desc, "WILDCARD"));
    kx_free(desc);
    kx_query_free(w);

    kx_query_t *all = NULL, *none = NULL;
    assert_int_equal(kx_query_match_all(&all), KX_OK);
    assert_int_equal(kx_query_match_nothing(&none), KX_OK);
    names = kxt_hit_names(f->db, all);
    assert_string_equal(names, "a,b,c,d,e");
    free(names);
    names = kxt_hit_names(f->db, none);
    assert_string_equal(names, "-");
    free(names);
    kx_query_free(all);
    kx_query_free(none);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_query_cases, setup, teardown),
        cmocka_unit_test_setup_teardown(test_filter_terms_do_not_weigh, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scale_and_bm25, setup, teardown),
        cmocka_unit_test_setup_teardown(test_matching_terms_rank_offset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wildcard_limit_and_describe, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
