/*
 * test_glossary_corpus.c - the bundled indexer/lexicon/article.tsv: it loads without
 * a single diagnostic, is large enough, keeps each language in its column,
 * offers the expected translations (lookup_cases.tsv), lets the analyzer's
 * spelling variants meet (meeting_cases.tsv), and survives a round trip
 * through ks_glossary_to_tsv().
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

/* The issue asks for at least 200 concepts. */
#define MIN_CONCEPTS 200

typedef struct fixture {
    ka_analyzer_t *a;
    ks_glossary_t *g;
    ks_glossary_report_t report;
    gl_diags_t diags;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(ka_analyzer_new(&f->a), KA_OK);
    f->g = gl_load(f->a, GL_CORPUS_GLOSSARY, &f->diags, &f->report);
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

static void test_loads_cleanly(void **state)
{
    fixture_t *f = *state;
    for (size_t i = 0; i < f->diags.n && i < GL_MAX_DIAGS; i++)
        print_error("%s:%zu: %s\n", f->diags.source, f->diags.d[i].line, f->diags.d[i].message);
    assert_int_equal(f->diags.n, 0);
    assert_int_equal(f->report.skipped, 0);
    assert_int_equal(f->report.warnings, 0);
    assert_true(f->report.concepts >= MIN_CONCEPTS);
    assert_int_equal(ks_glossary_concept_count(f->g), f->report.concepts);
    assert_int_equal(ks_glossary_variant_total(f->g), f->report.variants);
    print_message("glossary: %zu concepts, %zu variants\n", f->report.concepts, f->report.variants);
}

/* A concept in one language only cannot expand a query across languages. */
static void test_every_concept_has_two_languages(void **state)
{
    fixture_t *f = *state;
    size_t lonely = 0;
    for (size_t c = 0; c < ks_glossary_concept_count(f->g); c++) {
        int seen[KS_LANG_COUNT] = { 0 }, langs = 0;
        ks_glossary_variant_t v;
        for (size_t i = 0; i < ks_glossary_concept_size(f->g, c); i++) {
            assert_int_equal(ks_glossary_variant(f->g, c, i, &v), KS_GLOSSARY_OK);
            if (!seen[v.lang]++)
                langs++;
        }
        if (langs < 2) {
            ks_glossary_variant(f->g, c, 0, &v);
            print_error("concept %zu (%s) has one language only\n", c, v.text);
            lonely++;
        }
    }
    assert_int_equal(lonely, 0);
}

static void test_scripts_in_their_columns(void **state)
{
    (void)state;
    size_t len, lines[32];
    char *buf = gl_read_file(GL_CORPUS_GLOSSARY, &len);
    size_t bad = gl_check_scripts(buf, len, lines, 32);
    for (size_t i = 0; i < bad && i < 32; i++)
        print_error("%s:%zu: a spelling is not in its column's script\n", GL_CORPUS_GLOSSARY, lines[i]);
    assert_int_equal(bad, 0);
    free(buf);
}

/* The check itself must be able to fail: the misplaced fixture's lines. */
static void test_script_check_catches_misplaced(void **state)
{
    (void)state;
    size_t len, elen, lines[32], lineno = 0, k = 0;
    char *buf = gl_read_file(gl_data_path("misplaced.tsv"), &len);
    char *exp = gl_read_file(gl_data_path("misplaced.expect"), &elen), *cur = exp, *line;
    size_t bad = gl_check_scripts(buf, len, lines, 32);
    while ((line = gl_next_line(&cur, &lineno)) != NULL) {
        assert_true(k < bad);
        assert_int_equal(lines[k], strtoul(line, NULL, 10));
        k++;
    }
    assert_int_equal(bad, k);
    free(buf);
    free(exp);
}

/* --- lookup_cases.tsv --- */

typedef struct seen_match {
    ks_glossary_match_t m[64];
    size_t n;
} seen_match_t;

static int keep_match(void *ctx, const ks_glossary_match_t *m)
{
    seen_match_t *s = ctx;
    if (s->n < 64)
        s->m[s->n++] = *m;
    return 0;
}

/* Does a concept offer, among the variants other than the one that matched,
 * one that analyses like `want`? */
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

static void test_lookup_cases(void **state)
{
    fixture_t *f = *state;
    size_t len, lineno = 0, cases = 0, failed = 0;
    char *buf = gl_read_file(gl_data_path("lookup_cases.tsv"), &len), *cur = buf, *line;

    while ((line = gl_next_line(&cur, &lineno)) != NULL) {
        char *col[4];
        assert_int_equal(gl_split_tabs(line, col, 4), 4);
        seen_match_t s = { .n = 0 };
        assert_int_equal(ks_glossary_match_text(f->g, f->a, col[0], strlen(col[0]), keep_match, &s),
                         KS_GLOSSARY_OK);
        cases++;
        if (strcmp(col[1], "-") == 0) {
            if (s.n != 0) {
                print_error("lookup_cases.tsv:%zu: \"%s\" should match nothing, matched %zu\n",
                            lineno, col[0], s.n);
                failed++;
            }
            continue;
        }
        size_t start = strtoul(col[1], NULL, 10);
        const char *dash = strchr(col[1], '-');
        assert_non_null(dash);
        size_t end = strtoul(dash + 1, NULL, 10);
        int want_stem = strcmp(col[3], "stem") == 0;
        int only = strcmp(col[3], "only") == 0;
        int ok = 0, span_seen = 0;
        size_t at_span = 0;
        for (size_t i = 0; i < s.n; i++)
            at_span += s.m[i].start == start;
        for (size_t i = 0; i < s.n; i++) {
            if (s.m[i].start != start)
                continue;
            span_seen = 1;
            if (only && at_span != 1)
                continue;
            if (s.m[i].end != end)
                continue;
            if (((s.m[i].flags & KS_GLOSSARY_BY_STEM) != 0) != want_stem)
                continue;
            if (offers(f, &s.m[i], col[2]))
                ok = 1;
        }
        if (!ok) {
            print_error("lookup_cases.tsv:%zu: \"%s\" [%zu,%zu) %s should offer \"%s\" (%s)\n",
                        lineno, col[0], start, end, col[3], col[2],
                        span_seen ? "a match starts there but differs" : "no match starts there");
            for (size_t i = 0; i < s.n; i++)
                print_error("    got [%zu,%zu) concept %zu flags %u\n", s.m[i].start,
                            s.m[i].end, s.m[i].concept, s.m[i].flags);
            failed++;
        }
    }
    print_message("lookup cases: %zu, failed: %zu\n", cases, failed);
    assert_true(cases >= 40);
    assert_int_equal(failed, 0);
    free(buf);
}

/* --- meeting_cases.tsv --- */

typedef struct whole {
    size_t n_terms;
    size_t concepts[8];
    size_t n;
} whole_t;

static int whole_cb(void *ctx, const ks_glossary_match_t *m)
{
    whole_t *w = ctx;
    if (m->start == 0 && m->end == m->nterms && !(m->flags & KS_GLOSSARY_BY_STEM) && w->n < 8)
        w->concepts[w->n++] = m->concept;
    return 0;
}

static void test_spelling_variants_meet(void **state)
{
    fixture_t *f = *state;
    size_t len, lineno = 0, lines = 0;
    char *buf = gl_read_file(gl_data_path("meeting_cases.tsv"), &len), *cur = buf, *line;

    while ((line = gl_next_line(&cur, &lineno)) != NULL) {
        char *col[8];
        size_t nc = gl_split_tabs(line, col, 8);
        assert_true(nc >= 2);
        whole_t ref = { 0, { 0 }, 0 };
        assert_int_equal(ks_glossary_match_text(f->g, f->a, col[0], strlen(col[0]), whole_cb, &ref),
                         KS_GLOSSARY_OK);
        if (ref.n == 0)
            fail_msg("meeting_cases.tsv:%zu: \"%s\" matches no concept as a whole", lineno, col[0]);
        for (size_t i = 1; i < nc; i++) {
            whole_t w = { 0, { 0 }, 0 };
            assert_int_equal(ks_glossary_match_text(f->g, f->a, col[i], strlen(col[i]), whole_cb, &w),
                             KS_GLOSSARY_OK);
            if (w.n == 0 || w.concepts[0] != ref.concepts[0])
                fail_msg("meeting_cases.tsv:%zu: \"%s\" does not meet \"%s\"", lineno, col[i], col[0]);
        }
        lines++;
    }
    assert_true(lines > 0);
    free(buf);
}

/* --- round trip --- */

static void test_round_trip(void **state)
{
    fixture_t *f = *state;
    char *tsv = NULL, *tsv2 = NULL;
    size_t len = 0, len2 = 0;
    ks_glossary_t *g2 = NULL;
    gl_diags_t *d = calloc(1, sizeof *d);
    ks_glossary_report_t rep;

    assert_non_null(d);
    assert_int_equal(ks_glossary_to_tsv(f->g, &tsv, &len), KS_GLOSSARY_OK);
    assert_int_equal(strlen(tsv), len);
    assert_int_equal(ks_glossary_new(&g2), KS_GLOSSARY_OK);
    assert_int_equal(ks_glossary_add_tsv(g2, f->a, "index metadata", tsv, len, gl_diag_record, d, &rep),
                     KS_GLOSSARY_OK);
    assert_int_equal(d->n, 0);
    assert_int_equal(ks_glossary_concept_count(g2), ks_glossary_concept_count(f->g));
    assert_int_equal(ks_glossary_variant_total(g2), ks_glossary_variant_total(f->g));
    for (size_t c = 0; c < ks_glossary_concept_count(f->g); c++) {
        assert_int_equal(ks_glossary_concept_size(g2, c), ks_glossary_concept_size(f->g, c));
        for (size_t i = 0; i < ks_glossary_concept_size(f->g, c); i++) {
            ks_glossary_variant_t a, b;
            assert_int_equal(ks_glossary_variant(f->g, c, i, &a), KS_GLOSSARY_OK);
            assert_int_equal(ks_glossary_variant(g2, c, i, &b), KS_GLOSSARY_OK);
            assert_string_equal(a.text, b.text);
            assert_int_equal(a.lang, b.lang);
            assert_int_equal(a.nterms, b.nterms);
            for (size_t k = 0; k < a.nterms; k++)
                assert_string_equal(a.terms[k], b.terms[k]);
        }
    }
    assert_int_equal(ks_glossary_to_tsv(g2, &tsv2, &len2), KS_GLOSSARY_OK);
    assert_int_equal(len, len2);
    assert_memory_equal(tsv, tsv2, len);
    free(tsv);
    free(tsv2);
    free(d);
    ks_glossary_free(g2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loads_cleanly),
        cmocka_unit_test(test_every_concept_has_two_languages),
        cmocka_unit_test(test_scripts_in_their_columns),
        cmocka_unit_test(test_script_check_catches_misplaced),
        cmocka_unit_test(test_lookup_cases),
        cmocka_unit_test(test_spelling_variants_meet),
        cmocka_unit_test(test_round_trip),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
