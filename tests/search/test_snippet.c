/*
 * test_snippet.c - the snippet maker in-process: matched words located in the
 * ORIGINAL bytes whatever spelling the text uses (Arabic ي/ك, ZWNJ, harakat,
 * Cyrillic inflection), the window bounded and cut at word boundaries, the
 * window moved to where the most distinct query words are.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "query.h"
#include "snippet.h"
#include "utf8.h"

static ka_analyzer_t *an;

static int setup(void **state)
{
    (void)state;
    return ka_analyzer_new(&an) == KA_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    ka_analyzer_free(an);
    return 0;
}

static size_t count_cp(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            k++;
    return k;
}

/* Make the snippet of text for query; returns it (caller frees). */
static ks_snippet_t make(const char *query, const char *text, size_t max_chars)
{
    ks_query_t *q = NULL;
    char *err = NULL;
    assert_int_equal(ks_query_parse(an, query, NULL, &q, &err), KS_QUERY_OK);
    ks_snippet_t s;
    memset(&s, 0, sizeof s);
    assert_int_equal(ks_snippet_make(an, q, text, strlen(text), max_chars, &s), 0);
    ks_query_free(q);
    free(err);
    return s;
}

/* The text of span i. */
static char *span_text(const ks_snippet_t *s, const char *text, size_t i)
{
    assert_true(i < s->n_spans);
    size_t a = s->spans[i].start, b = s->spans[i].end;
    assert_true(a < b && b <= strlen(text));
    char *r = malloc(b - a + 1);
    memcpy(r, text + a, b - a);
    r[b - a] = '\0';
    return r;
}

/* Each case: a query, a text, and the words (as written in the text) that
 * must be marked, in order. */
static const struct scase {
    const char *query, *text;
    const char *marked[3];
} cases[] = {
    /* Persian letters in the query, Arabic ي and ك in the text; adjacent
     * matched words are merged into one span. */
    { "شبکه ریلی", "اتصال بندر چابهار به شبكه ريلي كشور", { "شبكه ريلي", NULL, NULL } },
    /* ZWNJ in the query, joined in the text. */
    { "پروژه‌های زیرساختی", "انجام پروژههای زیرساختی در منطقه", { "پروژههای زیرساختی", NULL, NULL } },
    /* Words apart stay two spans. */
    { "بندر کشور", "اتصال بندر چابهار به شبكه ريلي كشور", { "بندر", "كشور", NULL } },
    /* Harakat in the text. */
    { "مدرسه", "این مَدرَسه قدیمی است", { "مَدرَسه", NULL, NULL } },
    /* Another Russian inflection, ё in the text. */
    { "плотина", "строительство плотины продолжено", { "плотины", NULL, NULL } },
    /* English inflection. */
    { "pipeline", "the pipelines were delayed", { "pipelines", NULL, NULL } },
};

static void test_spans_in_original_text(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        ks_snippet_t s = make(cases[c].query, cases[c].text, KS_SNIPPET_CHARS);
        size_t want = 0;
        while (want < 3 && cases[c].marked[want])
            want++;
        if (s.n_spans != want)
            fail_msg("case %zu (%s): %zu spans, want %zu", c, cases[c].query, s.n_spans, want);
        for (size_t i = 0; i < want; i++) {
            char *w = span_text(&s, cases[c].text, i);
            if (strcmp(w, cases[c].marked[i]) != 0)
                fail_msg("case %zu: span %zu is '%s', want '%s'", c, i, w, cases[c].marked[i]);
            free(w);
        }
        /* A short text is shown whole. */
        assert_int_equal(s.start, 0);
        assert_int_equal(s.end, strlen(cases[c].text));
        assert_false(s.cut_before);
        assert_false(s.cut_after);
        ks_snippet_free(&s);
    }
}

/* A long text: the window is at most max_chars characters, begins and ends
 * at word boundaries, and sits where the query's words are. */
static void test_window(void **state)
{
    (void)state;
    char text[8192] = "";
    for (int i = 0; i < 40; i++)
        strcat(text, "گزارش کوتاه درباره مسائل عمومی منطقه ");
    strcat(text, "سد راغون روی رود وخش ");
    for (int i = 0; i < 40; i++)
        strcat(text, "ادامه گزارش درباره موضوعات دیگر ");
    size_t len = strlen(text);
    size_t maxc = 60;
    ks_snippet_t s = make("سد راغون وخش", text, maxc);
    assert_true(s.start < s.end && s.end <= len);
    assert_true(count_cp(text + s.start, s.end - s.start) <= maxc);
    assert_true(s.cut_before);
    assert_true(s.cut_after);
    /* Word boundaries: the window neither starts nor ends inside a word. */
    assert_true(s.start == 0 || text[s.start - 1] == ' ' || text[s.start] == ' ');
    assert_true(s.end == len || text[s.end] == ' ' || text[s.end - 1] == ' ');
    /* The three query words are inside the window: two spans, «سد راغون»
     * (adjacent, merged) and «وخش». */
    const char *hit = strstr(text, "سد راغون روی رود وخش");
    size_t at = (size_t)(hit - text);
    assert_true(s.start <= at);
    assert_true(s.end >= at + strlen("سد راغون روی رود وخش"));
    assert_int_equal(s.n_spans, 2);
    ks_snippet_free(&s);
}

/* No match: the window is the start of the text, nothing marked. */
static void test_no_match(void **state)
{
    (void)state;
    const char *text = "متن بدون واژه جستجو شده که بسیار طولانی است و ادامه دارد تا پایان";
    ks_snippet_t s = make("ماناس", text, 20);
    assert_int_equal(s.n_spans, 0);
    assert_int_equal(s.start, 0);
    assert_true(s.end > 0 && s.end < strlen(text));
    assert_true(s.cut_after);
    ks_snippet_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spans_in_original_text),
        cmocka_unit_test(test_window),
        cmocka_unit_test(test_no_match),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
