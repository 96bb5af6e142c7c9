/*
 * test_article.c - passages and glosses of the real article
 * (corpus/article.fa.md), checked against facts a reader can verify in it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "doc_test_util.h"

typedef struct fixture {
    ka_analyzer_t *an;
    kd_document_t *doc;
} fixture_t;

static int
setup(void **state)
{
    fixture_t *fx = calloc(1, sizeof *fx);
    if (!fx || ka_analyzer_new(&fx->an) != KA_OK)
        return -1;
    fx->doc = dt_parse_file(fx->an, KD_ARTICLE);
    if (!fx->doc)
        return -1;
    *state = fx;
    return 0;
}

static int
teardown(void **state)
{
    fixture_t *fx = *state;
    kd_document_free(fx->doc);
    ka_analyzer_free(fx->an);
    free(fx);
    return 0;
}

static const kd_passage_t *
must_find(const kd_document_t *doc, const char *needle)
{
    const kd_passage_t *p = dt_find_passage(doc, needle);
    if (!p)
        fail_msg("no passage contains '%s'", needle);
    return p;
}

static const kd_gloss_t *
gloss_of(const kd_passage_t *p, const char *gloss)
{
    for (size_t i = 0; i < p->n_glosses; i++)
        if (p->glosses[i].gloss && strcmp(p->glosses[i].gloss, gloss) == 0)
            return &p->glosses[i];
    fail_msg("passage %s has no gloss '%s'", p->id, gloss);
    return NULL;
}

static void
test_manas_passage_and_section(void **state)
{
    fixture_t *fx = *state;
    const kd_passage_t *p = must_find(fx->doc, "پایگاه هوایی «ماناس»");
    assert_int_equal(p->kind, KD_KIND_BODY);
    assert_non_null(strstr(p->section, "علل ایستایی و پایداری روابط ایران و قرقیزستان"));
    assert_non_null(strstr(p->section, "متغیرهای بینالمللی"));
    assert_string_equal(p->lang, "fa");
}

static void
test_section_paths(void **state)
{
    fixture_t *fx = *state;
    const kd_passage_t *p = must_find(fx->doc, "موافقت نامه برقراری روابط رسمی");
    assert_string_equal(p->section,
        "روابط جمهوری اسلامی ایران و جمهوری قرقیزستان؛ ایستایی و پایداری > چکیده");
    p = must_find(fx->doc, "با فروپاشی اتحاد جماهیر شوروی پنج کنشگر");
    assert_string_equal(p->section, "مقدمه");
    /* A bold run-in heading is a sub-section, and it lasts until the next one. */
    p = must_find(fx->doc, "نخستین ارتباط سیاسی قرقیزستان");
    assert_string_equal(p->section, "مقدمه > ابعاد سی سال روابط > روابط سیاسی");
    p = must_find(fx->doc, "به هر حال تغییر و تحولات سیاسی در قرقیزستان");
    assert_string_equal(p->section, "مقدمه > ابعاد سی سال روابط > روابط سیاسی");
    p = must_find(fx->doc, "قرقیزستان دارای اقتصادی ضعیف");
    assert_string_equal(p->section, "مقدمه > ابعاد سی سال روابط > روابط اقتصادی");
}

static void
test_page_break_rejoined(void **state)
{
    fixture_t *fx = *state;
    const kd_passage_t *p = must_find(fx->doc, "به خصوص در زمینه اقتصادی، افزایش همکاریهای دوجانبه");
    /* The paragraph starts before the page break, on line 33. */
    assert_int_equal(p->line, 33);
    assert_non_null(strstr(p->text, "در این راستا بر مبنای اصول سیاست خارجی"));
    /* Other page breaks, with and without a note block in between. */
    must_find(fx->doc, "کاهش حجم روابط اقتصادی دو کشور در سال ۱۳۹۹");
    must_find(fx->doc, "باین حال با پایان دورههای نسبتاً بیثبات");
    must_find(fx->doc, "قدرت را به دست گرفت");
    must_find(fx->doc, "اما حضور قدرتمند چین به خصوص در قرقیزستان");
    /* No passage begins with the continuation on its own. */
    for (size_t i = 0; i < fx->doc->n_passages; i++)
        assert_true(strncmp(fx->doc->passages[i].text, "اقتصادی، افزایش", strlen("اقتصادی، افزایش")) != 0);
}

static void
test_lone_citation_joined(void **state)
{
    fixture_t *fx = *state;
    const kd_passage_t *p = must_find(fx->doc, "(Huasheng, 2005: 50)");
    assert_non_null(strstr(p->text, "حوزه مانور نیروهای آمریکا را در منطقه کوچک نمودند."));
    assert_true(strncmp(p->text, "(Huasheng", 9) != 0);
}

static void
test_unclosed_citation_ends_paragraph(void **state)
{
    fixture_t *fx = *state;
    const kd_passage_t *p = must_find(fx->doc, "непростых лет независимости Кыргызстана");
    assert_null(strstr(p->text, "به هر حال تغییر و تحولات"));
}

static void
test_glosses(void **state)
{
    fixture_t *fx = *state;
    const kd_passage_t *p = must_find(fx->doc, "صفحه شطرنج بزرگ");
    const kd_gloss_t *g = gloss_of(p, "Grand Chess Board");
    assert_string_equal(g->marker, "۳");
    assert_non_null(g->term);
    assert_string_equal(g->term, "صفحه شطرنج بزرگ");
    /* The offset is where the marker stood: right after the closing quote. */
    assert_true(g->offset >= 2);
    assert_memory_equal(p->text + g->offset - 2, "»", 2);

    p = must_find(fx->doc, "خانم آتونبایوفا");
    g = gloss_of(p, "Roza Otunbayeva");
    assert_non_null(strstr(g->term, "آتونبایوفا"));
    /* Markers restart on each page; Latin-digit notes link to Persian markers. */
    gloss_of(p, "Sadyr Japarov");
    gloss_of(must_find(fx->doc, "سازمان تجارت جهانی"), "The World Trade Organization");
    gloss_of(must_find(fx->doc, "افزایش چینهراسی"), "Sinophobia");
    gloss_of(must_find(fx->doc, "سید محمدکاظم سجادیپور"),
             "استاد تمام روابط بینالملل دانشکده روابط بینالملل وزارت امور خارجه");
    /* Every marker of the article finds its note. */
    for (size_t i = 0; i < fx->doc->n_passages; i++)
        for (size_t j = 0; j < fx->doc->passages[i].n_glosses; j++)
            if (!fx->doc->passages[i].glosses[j].gloss)
                fail_msg("%s: marker %s has no gloss", fx->doc->passages[i].id,
                         fx->doc->passages[i].glosses[j].marker);
}

static void
test_footnote_blocks_are_not_passages(void **state)
{
    fixture_t *fx = *state;
    static const char *const notes[] = {
        "Central Asia", "Heart Land", "Grand Chess Board", "Eurasian Economic Unio",
        "Askar Akayev", "Sadyr Japarov", "prestige", "NGO", "Bandwagoning",
        "Joint Comprehensive Plan of Action", "Sinophobia", "کارشناس ارشد مطالعات منطقهای", NULL
    };
    for (size_t i = 0; notes[i]; i++)
        for (size_t k = 0; k < fx->doc->n_passages; k++) {
            const kd_passage_t *p = &fx->doc->passages[k];
            if (p->kind == KD_KIND_BODY && strstr(p->text, notes[i]))
                fail_msg("note text '%s' became a passage: %s", notes[i], p->id);
        }
    size_t markers = 0;
    for (size_t i = 0; i < fx->doc->n_passages; i++) {
        markers += fx->doc->passages[i].n_glosses;
        assert_null(strstr(fx->doc->passages[i].text, "<sup>"));
    }
    /* 2 on the title page; in the body 8 (introduction), 5 (political
     * relations page), then 1, 1, 2, 1, 1, 1 on later pages. */
    assert_int_equal(markers, 22);
}

static void
test_ids_and_ordinals(void **state)
{
    fixture_t *fx = *state;
    for (size_t i = 0; i < fx->doc->n_passages; i++) {
        const kd_passage_t *p = &fx->doc->passages[i];
        char id[64];
        snprintf(id, sizeof id, "article.fa.md#%zu", i + 1);
        assert_int_equal(p->ordinal, i + 1);
        assert_string_equal(p->id, id);
        assert_true(p->line >= 1 && p->line <= 287);
        if (i > 0)
            assert_true(p->line >= fx->doc->passages[i - 1].line);
    }
    printf("article: %zu passages, %zu bibliography entries, %zu diagnostics\n",
           fx->doc->n_passages, fx->doc->n_sources, fx->doc->n_diags);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manas_passage_and_section),
        cmocka_unit_test(test_section_paths),
        cmocka_unit_test(test_page_break_rejoined),
        cmocka_unit_test(test_lone_citation_joined),
        cmocka_unit_test(test_unclosed_citation_ends_paragraph),
        cmocka_unit_test(test_glosses),
        cmocka_unit_test(test_footnote_blocks_are_not_passages),
        cmocka_unit_test(test_ids_and_ordinals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
