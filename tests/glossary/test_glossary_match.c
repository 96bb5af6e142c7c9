/*
 * test_glossary_match.c - the matcher: longest match first, homographs,
 * stems as a weaker fallback, the callback's stop, and the bound on concepts
 * reported for one span. Cases in match_cases.tsv over match_glossary.tsv.
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
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(ka_analyzer_new(&f->a), KA_OK);
    gl_diags_t *d = calloc(1, sizeof *d);
    assert_non_null(d);
    f->g = gl_load(f->a, gl_data_path("match_glossary.tsv"), d, NULL);
    assert_int_equal(d->n, 0);
    free(d);
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

#define MAX_SEEN 64

typedef struct seen {
    ks_glossary_match_t m[MAX_SEEN];
    size_t n;
    size_t stop_after;        /* 0: never stop */
} seen_t;

static int keep(void *ctx, const ks_glossary_match_t *m)
{
    seen_t *s = ctx;
    if (s->n < MAX_SEEN)
        s->m[s->n] = *m;
    s->n++;
    return s->stop_after && s->n >= s->stop_after;
}

static int offers(fixture_t *f, const ks_glossary_match_t *m, const char *want)
{
    char target[4096];
    snprintf(target, sizeof target, "%s", gl_analysed(f->a, want));
    for (size_t i = 0; i < ks_glossary_concept_size(f->g, m->concept); i++) {
        ks_glossary_variant_t v;
        if (i == m->variant)
            continue;
        assert_int_equal(ks_glossary_variant(f->g, m->concept, i, &v), KS_GLOSSARY_OK);
        if (strcmp(gl_analysed(f->a, v.text), target) == 0)
            return 1;
    }
    return 0;
}

static void test_match_cases(void **state)
{
    fixture_t *f = *state;
    size_t len, lineno = 0, cases = 0;
    char *buf = gl_read_file(gl_data_path("match_cases.tsv"), &len), *cur = buf, *line;

    while ((line = gl_next_line(&cur, &lineno)) != NULL) {
        char *col[2];
        assert_int_equal(gl_split_tabs(line, col, 2), 2);
        seen_t s = { .n = 0, .stop_after = 0 };
        assert_int_equal(ks_glossary_match_text(f->g, f->a, col[0], strlen(col[0]), keep, &s),
                         KS_GLOSSARY_OK);
        cases++;
        size_t k = 0;
        if (strcmp(col[1], "-") != 0) {
            char *save = NULL;
            for (char *item = strtok_r(col[1], ";", &save); item; item = strtok_r(NULL, ";", &save)) {
                while (*item == ' ')
                    item++;
                char *colon = strchr(item, ':');
                assert_non_null(colon);
                *colon = '\0';
                char *offer = colon + 1;
                size_t ol = strlen(offer);
                while (ol && offer[ol - 1] == ' ')
                    offer[--ol] = '\0';
                size_t start = strtoul(item, NULL, 10), end = strtoul(strchr(item, '-') + 1, NULL, 10);
                if (k >= s.n)
                    fail_msg("match_cases.tsv:%zu: \"%s\": expected a match at %zu-%zu, got %zu matches",
                             lineno, col[0], start, end, s.n);
                if (s.m[k].start != start || s.m[k].end != end)
                    fail_msg("match_cases.tsv:%zu: \"%s\": match %zu is %zu-%zu, expected %zu-%zu",
                             lineno, col[0], k + 1, s.m[k].start, s.m[k].end, start, end);
                if (s.m[k].flags & KS_GLOSSARY_BY_STEM)
                    fail_msg("match_cases.tsv:%zu: match %zu is by stem", lineno, k + 1);
                if (!offers(f, &s.m[k], offer))
                    fail_msg("match_cases.tsv:%zu: \"%s\": match %zu does not offer \"%s\"",
                             lineno, col[0], k + 1, offer);
                k++;
            }
        }
        if (s.n != k)
            fail_msg("match_cases.tsv:%zu: \"%s\": %zu matches, expected %zu", lineno, col[0], s.n, k);
    }
    assert_true(cases >= 5);
    free(buf);
}

/* Find the concept of a spelling, and its variant. */
static void variant_of(fixture_t *f, const char *text, size_t *concept, ks_glossary_variant_t *v)
{
    for (size_t c = 0; c < ks_glossary_concept_count(f->g); c++)
        for (size_t i = 0; i < ks_glossary_concept_size(f->g, c); i++) {
            assert_int_equal(ks_glossary_variant(f->g, c, i, v), KS_GLOSSARY_OK);
            if (strcmp(v->text, text) == 0) {
                *concept = c;
                return;
            }
        }
    fail_msg("no variant \"%s\"", text);
}

/* A term that differs but has the variant's stem matches, flagged as such;
 * without stems it does not; with the exact term it is an exact match. */
static void test_stem_fallback(void **state)
{
    fixture_t *f = *state;
    size_t concept;
    ks_glossary_variant_t v;
    variant_of(f, "Manas airport", &concept, &v);
    assert_int_equal(v.nterms, 2);
    assert_non_null(v.stems[1]);                         /* English words have a stemmer */

    const char *terms[] = { v.terms[0], "a-form-only-the-stem-knows" };
    const char *stems[] = { v.stems[0], v.stems[1] };
    seen_t s = { .n = 0, .stop_after = 0 };
    assert_int_equal(ks_glossary_match(f->g, terms, stems, 2, keep, &s), KS_GLOSSARY_OK);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.m[0].start, 0);
    assert_int_equal(s.m[0].end, 2);
    assert_int_equal(s.m[0].concept, concept);
    assert_true(s.m[0].flags & KS_GLOSSARY_BY_STEM);
    assert_ptr_equal(s.m[0].terms, terms);
    assert_int_equal(s.m[0].nterms, 2);

    /* Without stems only "Manas" matches, exactly. */
    s.n = 0;
    assert_int_equal(ks_glossary_match(f->g, terms, NULL, 2, keep, &s), KS_GLOSSARY_OK);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.m[0].end, 1);
    assert_int_equal(s.m[0].flags, 0);

    /* The exact terms with their stems: an exact match. */
    const char *exact[] = { v.terms[0], v.terms[1] };
    s.n = 0;
    assert_int_equal(ks_glossary_match(f->g, exact, stems, 2, keep, &s), KS_GLOSSARY_OK);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.m[0].flags, 0);
    ks_glossary_variant_t got;
    assert_int_equal(ks_glossary_variant(f->g, s.m[0].concept, s.m[0].variant, &got), KS_GLOSSARY_OK);
    assert_string_equal(got.text, "Manas airport");

    /* NULL terms (a query word the caller dropped) never match. */
    const char *holes[] = { NULL, v.terms[0], NULL };
    s.n = 0;
    assert_int_equal(ks_glossary_match(f->g, holes, NULL, 3, keep, &s), KS_GLOSSARY_OK);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.m[0].start, 1);
}

/* An exact match shadows another concept's stem match on the same span, and
 * an abbreviation keeps no stem to match through. */
static void test_stem_guards(void **state)
{
    fixture_t *f = *state;
    size_t manas, georgia, imu;
    ks_glossary_variant_t vm, vg, vi;
    variant_of(f, "Manas", &manas, &vm);
    variant_of(f, "Georgia", &georgia, &vg);
    variant_of(f, "ИДУ", &imu, &vi);
    assert_non_null(vg.stems[0]);

    /* "manas" whose stem happens to be Georgia's: Manas alone, exactly. */
    const char *terms[] = { vm.terms[0] };
    const char *stems[] = { vg.stems[0] };
    seen_t s = { .n = 0, .stop_after = 0 };
    assert_int_equal(ks_glossary_match(f->g, terms, stems, 1, keep, &s), KS_GLOSSARY_OK);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.m[0].concept, manas);
    assert_int_equal(s.m[0].flags, 0);

    /* Another word with Georgia's stem: Georgia's concepts, by stem. */
    const char *other[] = { "georgias" };
    s.n = 0;
    assert_int_equal(ks_glossary_match(f->g, other, stems, 1, keep, &s), KS_GLOSSARY_OK);
    assert_true(s.n >= 1);
    for (size_t i = 0; i < s.n; i++)
        assert_true(s.m[i].flags & KS_GLOSSARY_BY_STEM);

    /* "ИДУ" is written in capitals: no stem, so "идут" (stem "ид", the
     * stem "иду" would have) does not reach it. */
    assert_null(vi.stems[0]);
    const char *idut[] = { "идут" };
    const char *idut_stem[] = { "Zид" };
    s.n = 0;
    assert_int_equal(ks_glossary_match(f->g, idut, idut_stem, 1, keep, &s), KS_GLOSSARY_OK);
    assert_int_equal(s.n, 0);
}

static void test_callback_stops(void **state)
{
    fixture_t *f = *state;
    const char *q = "Manas airport Manas Georgia";
    seen_t s = { .n = 0, .stop_after = 1 };
    assert_int_equal(ks_glossary_match_text(f->g, f->a, q, strlen(q), keep, &s), KS_GLOSSARY_OK);
    assert_int_equal(s.n, 1);
    s.n = 0;
    s.stop_after = 0;
    assert_int_equal(ks_glossary_match_text(f->g, f->a, q, strlen(q), keep, &s), KS_GLOSSARY_OK);
    assert_int_equal(s.n, 4);
}

/* A span shared by more concepts than KS_GLOSSARY_MAX_SPAN_CONCEPTS reports
 * exactly that many. */
static void test_span_concepts_bounded(void **state)
{
    fixture_t *f = *state;
    ks_glossary_t *g = NULL;
    assert_int_equal(ks_glossary_new(&g), KS_GLOSSARY_OK);
    for (unsigned i = 0; i < KS_GLOSSARY_MAX_SPAN_CONCEPTS + 5; i++) {
        char other[32];
        snprintf(other, sizeof other, "Город номер %u", i);
        ks_glossary_spelling_t sp[] = {
            { KS_LANG_EN, "Springfield", strlen("Springfield") },
            { KS_LANG_RU, other, strlen(other) },
        };
        size_t added = 0;
        assert_int_equal(ks_glossary_add_concept(g, f->a, sp, 2, &added), KS_GLOSSARY_OK);
        assert_int_equal(added, 2);
    }
    seen_t s = { .n = 0, .stop_after = 0 };
    assert_int_equal(ks_glossary_match_text(g, f->a, "Springfield", 11, keep, &s), KS_GLOSSARY_OK);
    assert_int_equal(s.n, KS_GLOSSARY_MAX_SPAN_CONCEPTS);
    for (size_t i = 1; i < s.n; i++)
        assert_true(s.m[i].concept > s.m[i - 1].concept);   /* each concept once, in order */
    ks_glossary_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_match_cases),
        cmocka_unit_test(test_stem_fallback),
        cmocka_unit_test(test_stem_guards),
        cmocka_unit_test(test_callback_stops),
        cmocka_unit_test(test_span_concepts_bounded),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
