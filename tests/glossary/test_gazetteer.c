/*
 * test_gazetteer.c - ICU's names as glossary concepts (indexer/gazetteer.h):
 * enough of each kind; a country, a capital's time-zone city, a language and
 * a script meet across Persian, Russian and English; no spelling is a bare
 * code (ICU's fallback when it has no name); every concept has two languages.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cmocka.h>

#include "gazetteer.h"
#include "gl_test_util.h"

typedef struct fixture {
    ka_analyzer_t *a;
    ks_glossary_t *g;
    ki_gazetteer_report_t rep;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(ka_analyzer_new(&f->a), KA_OK);
    assert_int_equal(ks_glossary_new(&f->g), KS_GLOSSARY_OK);
    assert_int_equal(ki_gazetteer_add(f->g, f->a, &f->rep), KS_GLOSSARY_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    ks_glossary_free(f->g);
    ka_analyzer_free(f->a);
    free(f);
    return 0;
}

static void test_counts(void **state)
{
    fixture_t *f = *state;
    print_message("gazetteer: %zu countries, %zu languages, %zu scripts, %zu cities\n",
                  f->rep.countries, f->rep.languages, f->rep.scripts, f->rep.cities);
    assert_true(f->rep.countries >= 200);
    assert_true(f->rep.languages >= 100);
    assert_true(f->rep.scripts >= 20);
    assert_true(f->rep.cities >= 300);
    assert_int_equal(ks_glossary_concept_count(f->g),
                     f->rep.countries + f->rep.languages + f->rep.scripts + f->rep.cities);
    assert_int_equal(ki_gazetteer_add(NULL, f->a, NULL), KS_GLOSSARY_ERR_ARG);
}

typedef struct found {
    const ks_glossary_t *g;
    const char *want[KS_LANG_COUNT];   /* a spelling wanted in each language (NULL: any) */
    int ok;
} found_t;

static int on_match(void *ctx, const ks_glossary_match_t *m)
{
    found_t *fd = ctx;
    int have[KS_LANG_COUNT] = { 0 };
    for (size_t i = 0; i < ks_glossary_concept_size(fd->g, m->concept); i++) {
        ks_glossary_variant_t v;
        assert_int_equal(ks_glossary_variant(fd->g, m->concept, i, &v), KS_GLOSSARY_OK);
        if (fd->want[v.lang] && strcmp(v.text, fd->want[v.lang]) == 0)
            have[v.lang] = 1;
    }
    int all = 1;
    for (int l = 0; l < KS_LANG_COUNT; l++)
        all &= !fd->want[l] || have[l];
    fd->ok |= all;
    return 0;
}

static void expect(fixture_t *f, const char *query, const char *fa, const char *ru, const char *en)
{
    found_t fd = { .g = f->g, .want = { fa, ru, en } };
    assert_int_equal(ks_glossary_match_text(f->g, f->a, query, strlen(query), on_match, &fd),
                     KS_GLOSSARY_OK);
    if (!fd.ok)
        print_error("no concept for \"%s\" with %s / %s / %s\n", query, fa ? fa : "-",
                    ru ? ru : "-", en ? en : "-");
    assert_true(fd.ok);
}

static void test_meet(void **state)
{
    fixture_t *f = *state;
    expect(f, "Tajikistan", "تاجیکستان", "Таджикистан", "Tajikistan");
    expect(f, "Таджикистана", "تاجیکستان", NULL, "Tajikistan");          /* by its stem */
    expect(f, "ازبکستان", NULL, "Узбекистан", "Uzbekistan");
    expect(f, "Tashkent", "تاشکند", "Ташкент", NULL);                      /* a time-zone city */
    expect(f, "Душанбе", "دوشنبه", NULL, "Dushanbe");
    expect(f, "Persian", "فارسی", "персидский", NULL);                    /* a language */
    expect(f, "кириллица", NULL, NULL, "Cyrillic");                        /* a script */
}

static void test_no_codes(void **state)
{
    fixture_t *f = *state;
    for (size_t c = 0; c < ks_glossary_concept_count(f->g); c++) {
        unsigned langs = 0;
        for (size_t i = 0; i < ks_glossary_concept_size(f->g, c); i++) {
            ks_glossary_variant_t v;
            assert_int_equal(ks_glossary_variant(f->g, c, i, &v), KS_GLOSSARY_OK);
            langs |= 1u << v.lang;
            /* A two- or four-letter ASCII spelling in capitals is a code (TJ, Cyrl). */
            size_t n = strlen(v.text), upper = 0;
            for (size_t k = 0; k < n; k++)
                upper += v.text[k] >= 'A' && v.text[k] <= 'Z';
            if (n == 2 && upper == 2)
                fail_msg("concept %zu has the code \"%s\" as a name", c, v.text);
            assert_true(strcasecmp(v.text, "und") != 0);
        }
        assert_true(langs != 1 && langs != 2 && langs != 4);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_meet),
        cmocka_unit_test(test_no_codes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
