/*
 * test_glossary_analysed.c - the pre-analysed form kavosh-index stores and
 * kavosh-search loads (ks_glossary_to_analysed / ks_glossary_add_analysed):
 * a round trip of the bundled article lexicon gives the same concepts,
 * variants, terms and matches without running the analyzer; damaged input
 * is refused (whole concepts read before the damage stay), and text that is
 * not the form is not taken for it.
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

typedef struct fixture {
    ka_analyzer_t *a;
    ks_glossary_t *g;
    char          *analysed;
    size_t         len;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(ka_analyzer_new(&f->a), KA_OK);
    gl_diags_t d;
    f->g = gl_load(f->a, GL_CORPUS_GLOSSARY, &d, NULL);
    assert_non_null(f->g);
    assert_int_equal(ks_glossary_to_analysed(f->g, &f->analysed, &f->len), KS_GLOSSARY_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    free(f->analysed);
    ks_glossary_free(f->g);
    ka_analyzer_free(f->a);
    free(f);
    return 0;
}

static void same_glossary(const ks_glossary_t *a, const ks_glossary_t *b)
{
    assert_int_equal(ks_glossary_concept_count(a), ks_glossary_concept_count(b));
    assert_int_equal(ks_glossary_variant_total(a), ks_glossary_variant_total(b));
    for (size_t c = 0; c < ks_glossary_concept_count(a); c++) {
        assert_int_equal(ks_glossary_concept_size(a, c), ks_glossary_concept_size(b, c));
        for (size_t i = 0; i < ks_glossary_concept_size(a, c); i++) {
            ks_glossary_variant_t x, y;
            assert_int_equal(ks_glossary_variant(a, c, i, &x), KS_GLOSSARY_OK);
            assert_int_equal(ks_glossary_variant(b, c, i, &y), KS_GLOSSARY_OK);
            assert_int_equal(x.lang, y.lang);
            assert_string_equal(x.text, y.text);
            assert_int_equal(x.nterms, y.nterms);
            for (size_t k = 0; k < x.nterms; k++) {
                assert_string_equal(x.terms[k], y.terms[k]);
                assert_true((x.stems[k] == NULL) == (y.stems[k] == NULL));
                if (x.stems[k])
                    assert_string_equal(x.stems[k], y.stems[k]);
            }
        }
    }
}

typedef struct hits {
    size_t n;
    size_t concepts[64];
} hits_t;

static int on_match(void *ctx, const ks_glossary_match_t *m)
{
    hits_t *h = ctx;
    if (h->n < 64)
        h->concepts[h->n++] = m->concept;
    return 0;
}

static void test_round_trip(void **state)
{
    fixture_t *f = *state;
    assert_true(ks_glossary_is_analysed(f->analysed, f->len));
    ks_glossary_t *g2 = NULL;
    assert_int_equal(ks_glossary_new(&g2), KS_GLOSSARY_OK);
    assert_int_equal(ks_glossary_add_analysed(g2, f->analysed, f->len), KS_GLOSSARY_OK);
    same_glossary(f->g, g2);
    /* Written again, the same text. */
    char *again = NULL;
    size_t len = 0;
    assert_int_equal(ks_glossary_to_analysed(g2, &again, &len), KS_GLOSSARY_OK);
    assert_int_equal(len, f->len);
    assert_memory_equal(again, f->analysed, len);
    free(again);
    /* The loaded glossary finds what the analysed one finds, stems included. */
    static const char *const queries[] = { "Киргизии и Таджикистана", "Kyrgyzstan", "قرقیزستان",
                                           "Shanghai Cooperation Organisation" };
    for (size_t q = 0; q < sizeof queries / sizeof queries[0]; q++) {
        hits_t a = { 0 }, b = { 0 };
        assert_int_equal(ks_glossary_match_text(f->g, f->a, queries[q], strlen(queries[q]),
                                                on_match, &a), KS_GLOSSARY_OK);
        assert_int_equal(ks_glossary_match_text(g2, f->a, queries[q], strlen(queries[q]),
                                                on_match, &b), KS_GLOSSARY_OK);
        assert_int_equal(a.n, b.n);
        assert_memory_equal(a.concepts, b.concepts, a.n * sizeof a.concepts[0]);
    }
    hits_t k = { 0 };
    ks_glossary_match_text(g2, f->a, "Kyrgyzstan", 10, on_match, &k);
    assert_true(k.n >= 1);
    ks_glossary_free(g2);
}

static void test_damaged(void **state)
{
    fixture_t *f = *state;
    /* Cut in the middle of a line far into the text. */
    size_t cut = f->len / 2;
    while (cut < f->len && f->analysed[cut] != '\t')
        cut++;
    ks_glossary_t *g2 = NULL;
    assert_int_equal(ks_glossary_new(&g2), KS_GLOSSARY_OK);
    assert_int_equal(ks_glossary_add_analysed(g2, f->analysed, cut), KS_GLOSSARY_ERR_ARG);
    size_t n = ks_glossary_concept_count(g2);
    assert_true(n > 0 && n < ks_glossary_concept_count(f->g));
    /* The concepts kept are whole. */
    for (size_t c = 0; c < n; c++)
        assert_int_equal(ks_glossary_concept_size(g2, c), ks_glossary_concept_size(f->g, c));
    ks_glossary_free(g2);

    static const char *const bad[] = {
        "kavosh-glossary-analysed 1\nC\n2\t1\tIran\n",              /* no term */
        "kavosh-glossary-analysed 1\nC\n7\t1\tIran\tiran\t\n",      /* no such language */
        "kavosh-glossary-analysed 1\nC\n2\tx\tIran\tiran\t\n",      /* count not a number */
        "kavosh-glossary-analysed 1\nC\n2\t2\tIran\tiran\t\n",      /* fewer terms than said */
        "kavosh-glossary-analysed 1\nC\n2\t1\tIran\t\t\n",          /* empty term */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(ks_glossary_new(&g2), KS_GLOSSARY_OK);
        assert_int_equal(ks_glossary_add_analysed(g2, bad[i], strlen(bad[i])), KS_GLOSSARY_ERR_ARG);
        assert_int_equal(ks_glossary_concept_count(g2), 0);
        ks_glossary_free(g2);
    }
    const char *tsv = "fa\tru\ten\nایران\tИран\tIran\n";
    assert_false(ks_glossary_is_analysed(tsv, strlen(tsv)));
    assert_int_equal(ks_glossary_new(&g2), KS_GLOSSARY_OK);
    assert_int_equal(ks_glossary_add_analysed(g2, tsv, strlen(tsv)), KS_GLOSSARY_ERR_ARG);
    const char *good = "kavosh-glossary-analysed 1\nC\n2\t1\tIran\tiran\tZiran\n0\t1\tایران\tایران\t\n";
    assert_int_equal(ks_glossary_add_analysed(g2, good, strlen(good)), KS_GLOSSARY_OK);
    assert_int_equal(ks_glossary_concept_count(g2), 1);
    assert_int_equal(ks_glossary_concept_size(g2, 0), 2);
    ks_glossary_free(g2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_damaged),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
