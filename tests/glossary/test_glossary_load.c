/*
 * test_glossary_load.c - the TSV loader: diagnostics name the source and the
 * line of each malformed line, which is skipped while the rest loads
 * (fixtures *.tsv with their *.expect); arguments are checked; spellings
 * without words or with too many are dropped; garbage never crashes it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gl_test_util.h"

static int setup(void **state)
{
    ka_analyzer_t *a = NULL;
    assert_int_equal(ka_analyzer_new(&a), KA_OK);
    *state = a;
    return 0;
}

static int teardown(void **state)
{
    ka_analyzer_free(*state);
    return 0;
}

/* Load fixture NAME.tsv and compare with NAME.expect. */
static void check_fixture(ka_analyzer_t *a, const char *name)
{
    char tsv[256], expect[256];
    size_t len, lineno = 0, k = 0;
    gl_diags_t *d = calloc(1, sizeof *d);
    ks_glossary_report_t rep;

    assert_non_null(d);
    snprintf(tsv, sizeof tsv, "%s.tsv", name);
    snprintf(expect, sizeof expect, "%s.expect", name);
    char *path = strdup(gl_data_path(tsv));
    assert_non_null(path);
    ks_glossary_t *g = gl_load(a, path, d, &rep);
    char *exp = gl_read_file(gl_data_path(expect), &len), *cur = exp, *line;

    while ((line = gl_next_line(&cur, &lineno)) != NULL) {
        char *col[2];
        assert_int_equal(gl_split_tabs(line, col, 2), 2);
        if (strcmp(col[0], "concepts") == 0) {
            assert_int_equal(rep.concepts, strtoul(col[1], NULL, 10));
            assert_int_equal(ks_glossary_concept_count(g), rep.concepts);
            continue;
        }
        if (strcmp(col[0], "skipped") == 0) {
            assert_int_equal(rep.skipped, strtoul(col[1], NULL, 10));
            continue;
        }
        if (k >= d->n)
            fail_msg("%s: expected a diagnostic on line %s containing \"%s\"; got only %zu",
                     expect, col[0], col[1], d->n);
        if (d->d[k].line != strtoul(col[0], NULL, 10) || !strstr(d->d[k].message, col[1]))
            fail_msg("%s: diagnostic %zu is \"%zu: %s\", expected line %s with \"%s\"",
                     expect, k + 1, d->d[k].line, d->d[k].message, col[0], col[1]);
        k++;
    }
    for (size_t i = k; i < d->n && i < GL_MAX_DIAGS; i++)
        print_error("unexpected: %zu: %s\n", d->d[i].line, d->d[i].message);
    assert_int_equal(d->n, k);
    if (d->n)
        assert_string_equal(d->source, path);      /* diagnostics name the file */
    free(exp);
    free(path);
    free(d);
    ks_glossary_free(g);
}

static void test_malformed_fixture(void **state) { check_fixture(*state, "malformed"); }
static void test_missing_header(void **state)    { check_fixture(*state, "noheader"); }
static void test_reordered_columns(void **state) { check_fixture(*state, "reordered"); }

typedef struct first_match {
    int found;
    ks_glossary_match_t m;
} first_match_t;

static int first_cb(void *ctx, const ks_glossary_match_t *m)
{
    first_match_t *f = ctx;
    f->found = 1;
    f->m = *m;
    return 1;
}

/* The lines around the malformed ones were loaded, and the columns of a
 * reordered file keep their languages. */
static void test_good_lines_survive(void **state)
{
    ka_analyzer_t *a = *state;
    ks_glossary_t *g = gl_load(a, gl_data_path("malformed.tsv"), NULL, NULL);
    const char *queries[] = { "Kabul", "Osh", "Mashhad", "Tehran", "Nur-Sultan", "بیسکک" };
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        first_match_t f = { 0 };
        assert_int_equal(ks_glossary_match_text(g, a, queries[i], strlen(queries[i]), first_cb, &f),
                         KS_GLOSSARY_OK);
        if (!f.found)
            fail_msg("\"%s\" from a good line of malformed.tsv was not loaded", queries[i]);
    }
    ks_glossary_free(g);

    g = gl_load(a, gl_data_path("reordered.tsv"), NULL, NULL);
    first_match_t f = { 0 };
    assert_int_equal(ks_glossary_match_text(g, a, "Teheran", 7, first_cb, &f), KS_GLOSSARY_OK);
    assert_true(f.found);
    ks_glossary_variant_t v;
    int fa = 0;
    for (size_t i = 0; i < ks_glossary_concept_size(g, f.m.concept); i++) {
        assert_int_equal(ks_glossary_variant(g, f.m.concept, i, &v), KS_GLOSSARY_OK);
        if (v.lang == KS_LANG_FA) {
            assert_string_equal(v.text, "تهران");
            fa++;
        } else {
            assert_int_equal(v.lang, KS_LANG_EN);
        }
    }
    assert_int_equal(fa, 1);
    ks_glossary_free(g);
}

static void test_arguments(void **state)
{
    ka_analyzer_t *a = *state;
    ks_glossary_t *g = NULL;
    ks_glossary_variant_t v;
    const char *terms[] = { "x" };

    assert_int_equal(ks_glossary_new(NULL), KS_GLOSSARY_ERR_ARG);
    assert_int_equal(ks_glossary_new(&g), KS_GLOSSARY_OK);
    assert_int_equal(ks_glossary_add_tsv(NULL, a, "s", "", 0, NULL, NULL, NULL), KS_GLOSSARY_ERR_ARG);
    assert_int_equal(ks_glossary_add_tsv(g, NULL, "s", "", 0, NULL, NULL, NULL), KS_GLOSSARY_ERR_ARG);
    assert_int_equal(ks_glossary_add_tsv(g, a, "s", NULL, 5, NULL, NULL, NULL), KS_GLOSSARY_ERR_ARG);
    assert_int_equal(ks_glossary_add_tsv(g, a, NULL, NULL, 0, NULL, NULL, NULL), KS_GLOSSARY_OK);
    assert_int_equal(ks_glossary_add_concept(g, a, NULL, 1, NULL), KS_GLOSSARY_ERR_ARG);
    assert_int_equal(ks_glossary_match(g, NULL, NULL, 1, first_cb, NULL), KS_GLOSSARY_ERR_ARG);
    assert_int_equal(ks_glossary_match(g, terms, NULL, 1, NULL, NULL), KS_GLOSSARY_ERR_ARG);
    assert_int_equal(ks_glossary_variant(g, 0, 0, &v), KS_GLOSSARY_ERR_ARG);
    assert_int_equal(ks_glossary_concept_size(g, 0), 0);
    assert_int_equal(ks_glossary_concept_count(NULL), 0);
    assert_int_equal(ks_glossary_to_tsv(g, NULL, NULL), KS_GLOSSARY_ERR_ARG);
    ks_glossary_spelling_t bad_lang = { (ks_glossary_lang_t)7, "x", 1 };
    assert_int_equal(ks_glossary_add_concept(g, a, &bad_lang, 1, NULL), KS_GLOSSARY_ERR_ARG);
    assert_int_equal(ks_glossary_concept_count(g), 0);
    ks_glossary_free(g);
    ks_glossary_free(NULL);

    assert_null(ks_glossary_lang_code(KS_LANG_COUNT));
    assert_string_equal(ks_glossary_lang_code(KS_LANG_RU), "ru");
    assert_int_equal(ks_glossary_lang_from_code("ENG", 3), KS_LANG_EN);
    assert_int_equal(ks_glossary_lang_from_code("per", 3), KS_LANG_FA);
    assert_int_equal(ks_glossary_lang_from_code("pes", 3), KS_LANG_FA);
    assert_int_equal(ks_glossary_lang_from_code("fas", 3), KS_LANG_FA);
    assert_int_equal(ks_glossary_lang_from_code("rus", 3), KS_LANG_RU);
    assert_int_equal(ks_glossary_lang_from_code("pe", 2), -1);
    assert_int_equal(ks_glossary_lang_from_code("de", 2), -1);
    assert_string_equal(ks_glossary_status_to_string(KS_GLOSSARY_OK), "success");
    assert_non_null(ks_glossary_status_to_string(KS_GLOSSARY_STATUS_LAST));
}

static void test_add_concept_drops(void **state)
{
    ka_analyzer_t *a = *state;
    ks_glossary_t *g = NULL;
    size_t added = 99;
    char long_text[256] = "";
    for (int i = 0; i < 17; i++)
        strcat(long_text, "word ");

    assert_int_equal(ks_glossary_new(&g), KS_GLOSSARY_OK);
    ks_glossary_spelling_t none[] = {
        { KS_LANG_FA, "«»،", strlen("«»،") },
        { KS_LANG_EN, long_text, strlen(long_text) },
        { KS_LANG_RU, "\xD0", 1 },                    /* truncated UTF-8 */
    };
    assert_int_equal(ks_glossary_add_concept(g, a, none, 3, &added), KS_GLOSSARY_OK);
    assert_int_equal(added, 0);
    assert_int_equal(ks_glossary_concept_count(g), 0);

    /* Duplicates by analysis are dropped; text is cleaned of TAB, '|' and newlines. */
    const char *zwnj = "چین\xE2\x80\x8Cهراسی";
    ks_glossary_spelling_t dup[] = {
        { KS_LANG_FA, zwnj, strlen(zwnj) },
        { KS_LANG_FA, "چینهراسی", strlen("چینهراسی") },
        { KS_LANG_EN, "Sino\tphobia | x\n", strlen("Sino\tphobia | x\n") },
        { KS_LANG_EN, "SINO PHOBIA X", strlen("SINO PHOBIA X") },
    };
    assert_int_equal(ks_glossary_add_concept(g, a, dup, 4, &added), KS_GLOSSARY_OK);
    assert_int_equal(added, 2);
    assert_int_equal(ks_glossary_concept_count(g), 1);
    ks_glossary_variant_t v;
    assert_int_equal(ks_glossary_variant(g, 0, 1, &v), KS_GLOSSARY_OK);
    assert_string_equal(v.text, "Sino phobia x");
    assert_int_equal(v.nterms, 3);

    char *tsv = NULL;
    assert_int_equal(ks_glossary_to_tsv(g, &tsv, NULL), KS_GLOSSARY_OK);
    char want[256];
    snprintf(want, sizeof want, "fa\tru\ten\n%s\t\tSino phobia x\n", zwnj);
    assert_string_equal(tsv, want);
    free(tsv);
    ks_glossary_free(g);
}

/* Deterministic garbage: random bytes biased towards TAB, '|', newline and
 * Persian/Cyrillic lead bytes must never crash the loader. */
static void test_garbage_never_crashes(void **state)
{
    ka_analyzer_t *a = *state;
    static const unsigned char alphabet[] = {
        '\t', '|', '\n', '\r', ' ', '#', 'a', 'Z', 0xD8, 0xD9, 0xDA, 0xDB, 0xD0, 0xD1,
        0xE2, 0x80, 0x8C, 0xAF, 0xB1, 0xFF, 0x00, 0xC0, 0xF4, 0x90,
    };
    uint32_t seed = 12345;
    char *buf = malloc(8192);
    assert_non_null(buf);
    for (int round = 0; round < 200; round++) {
        size_t n = (size_t)(round * 37 % 8192);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            buf[i] = (char)alphabet[(seed >> 16) % sizeof alphabet];
        }
        ks_glossary_t *g = NULL;
        ks_glossary_report_t rep;
        assert_int_equal(ks_glossary_new(&g), KS_GLOSSARY_OK);
        assert_int_equal(ks_glossary_add_tsv(g, a, "garbage", buf, n, NULL, NULL, &rep), KS_GLOSSARY_OK);
        assert_true(rep.concepts <= rep.lines);
        char *tsv = NULL;
        assert_int_equal(ks_glossary_to_tsv(g, &tsv, NULL), KS_GLOSSARY_OK);
        free(tsv);
        first_match_t f = { 0 };
        assert_int_equal(ks_glossary_match_text(g, a, buf, n, first_cb, &f), KS_GLOSSARY_OK);
        ks_glossary_free(g);
    }
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_malformed_fixture),
        cmocka_unit_test(test_missing_header),
        cmocka_unit_test(test_reordered_columns),
        cmocka_unit_test(test_good_lines_survive),
        cmocka_unit_test(test_arguments),
        cmocka_unit_test(test_add_concept_drops),
        cmocka_unit_test(test_garbage_never_crashes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
