/*
 * test_passages.c - passage splitting, section paths, run-in headings,
 * footnote markers and blocks, page-break rejoining, on the small fixtures in
 * data/ with expectations in data/passages.tsv, plus a few inline cases.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "doc_test_util.h"

static int
setup(void **state)
{
    ka_analyzer_t *an = NULL;
    if (ka_analyzer_new(&an) != KA_OK)
        return -1;
    *state = an;
    return 0;
}

static int
teardown(void **state)
{
    ka_analyzer_free(*state);
    return 0;
}

/* Compare the glosses of p with "marker|gloss|term;..." ("-" for none). */
static void
check_glosses(const kd_passage_t *p, const char *spec, const char *where)
{
    if (strcmp(spec, "-") == 0) {
        if (p->n_glosses != 0)
            fail_msg("%s: expected no glosses, got %zu", where, p->n_glosses);
        return;
    }
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", spec);
    size_t i = 0;
    for (char *item = strtok(buf, ";"); item; item = strtok(NULL, ";"), i++) {
        char *marker = item, *gloss = strchr(item, '|');
        if (!gloss)
            fail_msg("%s: bad gloss spec", where);
        *gloss++ = '\0';
        char *term = strchr(gloss, '|');
        if (term)
            *term++ = '\0';
        if (i >= p->n_glosses)
            fail_msg("%s: only %zu glosses", where, p->n_glosses);
        const kd_gloss_t *g = &p->glosses[i];
        if (strcmp(g->marker, marker) != 0)
            fail_msg("%s: gloss %zu marker '%s', expected '%s'", where, i, g->marker, marker);
        if (!g->gloss || strcmp(g->gloss, gloss) != 0)
            fail_msg("%s: gloss %zu is '%s', expected '%s'", where, i, g->gloss ? g->gloss : "(null)", gloss);
        if (term && (!g->term || strcmp(g->term, term) != 0))
            fail_msg("%s: gloss %zu term '%s', expected '%s'", where, i, g->term ? g->term : "(null)", term);
        /* The offset must point into the text, at a character boundary. */
        assert_true(g->offset <= strlen(p->text));
    }
    if (i != p->n_glosses)
        fail_msg("%s: %zu glosses, expected %zu", where, p->n_glosses, i);
}

static void
test_fixture_table(void **state)
{
    ka_analyzer_t *an = *state;
    FILE *f = fopen(dt_data("passages.tsv"), "r");
    assert_non_null(f);
    char line[4096], cur[256] = "";
    kd_document_t *doc = NULL;
    unsigned cases = 0, lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *fld[6];
        size_t nf = dt_split_tsv(line, fld, 6);
        if (nf == 0)
            continue;
        if (strcmp(fld[0], cur) != 0) {
            kd_document_free(doc);
            snprintf(cur, sizeof cur, "%s", fld[0]);
            doc = dt_parse_file(an, dt_data(cur));
            if (!doc)
                fail_msg("cannot parse %s", cur);
        }
        char where[300];
        snprintf(where, sizeof where, "passages.tsv:%u (%s)", lineno, cur);
        if (nf == 3 && strcmp(fld[1], "count") == 0) {
            if (doc->n_passages != strtoul(fld[2], NULL, 10))
                fail_msg("%s: %zu passages, expected %s", where, doc->n_passages, fld[2]);
            cases++;
            continue;
        }
        if (nf != 6)
            fail_msg("%s: expected 6 fields, got %zu", where, nf);
        unsigned long ord = strtoul(fld[1], NULL, 10);
        if (ord < 1 || ord > doc->n_passages)
            fail_msg("%s: no passage %lu", where, ord);
        const kd_passage_t *p = &doc->passages[ord - 1];
        assert_int_equal(p->ordinal, ord);
        char id[300];
        snprintf(id, sizeof id, "%s#%lu", cur, ord);
        assert_string_equal(p->id, id);
        if (strcmp(p->section, fld[2]) != 0)
            fail_msg("%s: section '%s', expected '%s'", where, p->section, fld[2]);
        kd_passage_kind_t kind = strcmp(fld[3], "biblio") == 0 ? KD_KIND_BIBLIO : KD_KIND_BODY;
        assert_int_equal(p->kind, kind);
        if (fld[4][0] == '~') {
            if (!strstr(p->text, fld[4] + 1))
                fail_msg("%s: text '%s' lacks '%s'", where, p->text, fld[4] + 1);
        } else if (strcmp(p->text, fld[4]) != 0) {
            fail_msg("%s: text '%s', expected '%s'", where, p->text, fld[4]);
        }
        check_glosses(p, fld[5], where);
        cases++;
    }
    kd_document_free(doc);
    fclose(f);
    assert_true(cases >= 10);
}

static void
test_ids_stable(void **state)
{
    ka_analyzer_t *an = *state;
    kd_document_t *a = dt_parse_file(an, dt_data("pagebreak.md"));
    kd_document_t *b = dt_parse_file(an, dt_data("pagebreak.md"));
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(a->n_passages, b->n_passages);
    for (size_t i = 0; i < a->n_passages; i++) {
        assert_string_equal(a->passages[i].id, b->passages[i].id);
        assert_string_equal(a->passages[i].text, b->passages[i].text);
    }
    kd_document_free(a);
    kd_document_free(b);
}

static kd_document_t *
parse_string(ka_analyzer_t *an, const char *name, kd_format_t fmt, const char *s)
{
    kd_document_t *doc = NULL;
    assert_int_equal(kd_parse(an, name, fmt, s, strlen(s), &doc), 0);
    assert_non_null(doc);
    return doc;
}

static void
test_inline_markup_removed(void **state)
{
    kd_document_t *doc = parse_string(*state, "x.md", KD_FORMAT_AUTO,
        "Some *emphasis*, __strong__, [a link](http://e.x), <span class=\"a\">html</span>\n"
        "and a soft\nbreak.\n");
    assert_int_equal(doc->n_passages, 1);
    assert_string_equal(doc->passages[0].text,
                        "Some emphasis, strong, a link, html and a soft break.");
    assert_string_equal(doc->passages[0].section, "");
    assert_int_equal(doc->passages[0].line, 1);
    kd_document_free(doc);
}

static void
test_footnote_needs_context(void **state)
{
    /* A numbered list with no markers waiting and no break before it is a
     * list, not footnotes. */
    kd_document_t *doc = parse_string(*state, "x.md", KD_FORMAT_MARKDOWN,
        "Intro.\n\n1. First point\n2. Second point\n");
    assert_int_equal(doc->n_passages, 3);
    assert_string_equal(doc->passages[1].text, "First point");
    kd_document_free(doc);
}

static void
test_no_join_after_heading(void **state)
{
    /* A paragraph cut mid-sentence does not continue across a heading. */
    char long_para[400];
    memset(long_para, 'a', sizeof long_para);
    for (size_t i = 5; i < sizeof long_para; i += 6)
        long_para[i] = ' ';
    long_para[sizeof long_para - 1] = '\0';
    char src[600];
    snprintf(src, sizeof src, "%s\n\n## H\n\ncontinues here.\n", long_para);
    kd_document_t *doc = parse_string(*state, "x.md", KD_FORMAT_MARKDOWN, src);
    assert_int_equal(doc->n_passages, 2);
    assert_string_equal(doc->passages[1].section, "H");
    kd_document_free(doc);
}

static void
test_format_explicit(void **state)
{
    /* The same bytes as text: markup is kept as written. */
    kd_document_t *doc = parse_string(*state, "x.md", KD_FORMAT_TEXT, "# Not a heading\n\n*x*\n");
    assert_int_equal(doc->n_passages, 2);
    assert_string_equal(doc->passages[0].text, "# Not a heading");
    assert_string_equal(doc->passages[1].text, "*x*");
    kd_document_free(doc);
}

static void
test_empty_and_null(void **state)
{
    kd_document_t *doc = NULL;
    assert_int_equal(kd_parse(*state, "e.md", KD_FORMAT_AUTO, "", 0, &doc), 0);
    assert_non_null(doc);
    assert_int_equal(doc->n_passages, 0);
    assert_int_equal(doc->n_sources, 0);
    kd_document_free(doc);
    assert_int_equal(kd_parse(*state, NULL, KD_FORMAT_HTML, NULL, 5, &doc), 0);
    assert_int_equal(doc->n_passages, 0);
    kd_document_free(doc);
    kd_document_free(NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_table),
        cmocka_unit_test(test_ids_stable),
        cmocka_unit_test(test_inline_markup_removed),
        cmocka_unit_test(test_footnote_needs_context),
        cmocka_unit_test(test_no_join_after_heading),
        cmocka_unit_test(test_format_explicit),
        cmocka_unit_test(test_empty_and_null),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
