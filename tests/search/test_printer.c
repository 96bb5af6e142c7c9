/*
 * test_printer.c - the text, TSV and JSON printers on hits made in-process:
 * where a hit is (path:page, path:line, its index), escaping, wrapping with
 * a hanging indent, and the code-point spans.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "printer.h"

/* What fn printed for hit, as a malloc'd string. */
static char *printed(const ks_hit_t *hit, const ks_text_style_t *style, int json)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    if (json)
        assert_int_equal(ks_print_json(f, hit, "q1"), 0);
    else if (style)
        ks_print_text(f, hit, NULL, style);
    else
        ks_print_tsv(f, hit, "q1");
    fclose(f);
    return buf;
}

static ks_hit_t make_hit(json_t *data, const char *text)
{
    ks_hit_t h = { .rank = 1, .score = 2.5, .data = data, .id = "a.pdf#3", .doc = "a.pdf",
                   .section = "", .lang = "en", .kind = "body", .text = text,
                   .text_len = strlen(text) };
    h.snippet.start = 0;
    h.snippet.end = h.text_len;
    return h;
}

static void test_location(void **state)
{
    (void)state;
    static const ks_text_style_t plain = { 0 };
    json_t *data = json_pack("{s:s, s:i}", "path", "papers/a.pdf", "page", 12);
    ks_hit_t h = make_hit(data, "Some text.");
    char *out = printed(&h, &plain, 0);
    assert_non_null(strstr(out, "a.pdf#3 papers/a.pdf:12\n"));
    free(out);
    json_object_del(data, "page");
    json_object_set_new(data, "line", json_integer(40));
    out = printed(&h, &plain, 0);
    assert_non_null(strstr(out, "papers/a.pdf:40\n"));
    free(out);
    /* Several indexes: the hit names its own, in text, TSV and JSON. */
    h.index = "shard2.db";
    out = printed(&h, &plain, 0);
    assert_non_null(strstr(out, "a.pdf#3 [shard2.db] papers/a.pdf:40"));
    free(out);
    out = printed(&h, NULL, 0);
    assert_string_equal(out, "q1\t1\ta.pdf#3\t2.500000\tshard2.db\n");
    free(out);
    out = printed(&h, NULL, 1);
    assert_non_null(strstr(out, "\"index\":\"shard2.db\""));
    assert_non_null(strstr(out, "\"path\":\"papers/a.pdf\""));
    assert_non_null(strstr(out, "\"line\":40"));
    free(out);
    json_decref(data);
}

static void test_escaping(void **state)
{
    (void)state;
    static const ks_text_style_t plain = { 0 };
    json_t *data = json_object();
    ks_hit_t h = make_hit(data, "bad \033]0;title\007 and \xE2\x80\xAE and \xFF end");
    h.id = "x\033[2Jy#1";
    char *out = printed(&h, &plain, 0);
    assert_null(strchr(out, '\033'));
    assert_null(strchr(out, '\007'));
    assert_null(strstr(out, "\xE2\x80\xAE"));
    assert_null(strchr(out, '\xFF'));
    assert_non_null(strstr(out, "x\\x1B[2Jy#1"));
    assert_non_null(strstr(out, "\\x1B]0;title\\x07"));
    assert_non_null(strstr(out, "\\u202E"));
    assert_non_null(strstr(out, "\\xFF"));
    free(out);
    out = printed(&h, NULL, 0);
    assert_null(strchr(out, '\033'));
    free(out);
    json_decref(data);
}

/* Width 30: no line longer, continuation lines indented by three, every
 * word whole, the highlighted word in one piece. */
static void test_wrapping(void **state)
{
    (void)state;
    static const ks_text_style_t narrow = { .color = 1, .width = 30 };
    json_t *data = json_object();
    const char *text = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi "
                       "omicron pi rho sigma tau upsilon";
    ks_hit_t h = make_hit(data, text);
    ks_span_t span = { strstr(text, "kappa") - text, strstr(text, "kappa") - text + 5 };
    h.snippet.spans = &span;
    h.snippet.n_spans = 1;
    char *out = printed(&h, &narrow, 0);
    int lines = 0;
    for (char *line = out; *line;) {
        char *nl = strchr(line, '\n');
        assert_non_null(nl);
        size_t cols = 0;
        for (char *p = line; p < nl; p++) {
            if (*p == '\033') {
                while (*p != 'm')
                    p++;
                continue;
            }
            cols++;
        }
        assert_true(cols <= 30);
        if (lines > 0)
            assert_true(strncmp(line, "   ", 3) == 0 && line[3] != ' ');
        lines++;
        line = nl + 1;
    }
    assert_true(lines >= 5);
    assert_non_null(strstr(out, "\033[1;31mkappa\033[0m"));
    /* Every word of the text is printed whole. */
    char copy[256];
    snprintf(copy, sizeof copy, "%s", text);
    for (char *w = strtok(copy, " "); w; w = strtok(NULL, " "))
        assert_non_null(strstr(out, w));
    free(out);
    json_decref(data);
}

/* spans_cp are spans in code points: «ماناس» after «در » starts at 3. */
static void test_spans_cp(void **state)
{
    (void)state;
    json_t *data = json_object();
    const char *text = "در ماناس و Manas";
    ks_hit_t h = make_hit(data, text);
    ks_span_t spans[2] = { { 5, 15 }, { 19, 24 } };
    h.snippet.spans = spans;
    h.snippet.n_spans = 2;
    char *out = printed(&h, NULL, 1);
    assert_non_null(strstr(out, "\"spans\":[[5,15],[19,24]]"));
    assert_non_null(strstr(out, "\"spans_cp\":[[3,8],[11,16]]"));
    assert_non_null(strstr(out, "\"snippet_range_cp\":[0,16]"));
    free(out);
    json_decref(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_location),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_wrapping),
        cmocka_unit_test(test_spans_cp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
