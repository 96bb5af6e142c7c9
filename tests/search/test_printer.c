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
#include "record.h"

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

/* The JSON line is what jansson's json_dumpf made of the same object before
 * ks_print_json wrote it member by member: built here the old way and
 * compared byte for byte (escapes, reals, copied members, key order). */
static void test_json_as_jansson(void **state)
{
    (void)state;
    const char *text = "a \"q\" b\\c\n\t\001 \xd8\xa7\xdb\x8c\xd8\xb1\xd8\xa7\xd9\x86 end/";
    json_t *data = json_pack("{s:i, s:s, s:[{s:s}], s:[]}", "page", 4, "path", "p/q.md",
                             "glosses", "term", "\xd8\xa7", "citations");
    double scores[] = { 2.5, 1e20, 1e-5, 41.045414810697686, 3.0 };
    for (size_t k = 0; k < sizeof scores / sizeof scores[0]; k++) {
        ks_hit_t h = make_hit(data, text);
        h.score = scores[k];
        h.rank = 7;
        h.index = k % 2 ? "idx\"1" : NULL;
        h.explain = k % 2 ? json_pack("[s]", "a => b") : NULL;
        ks_span_t spans[2] = { { 2, 5 }, { 17, 25 } };
        h.snippet.spans = spans;
        h.snippet.n_spans = 2;
        h.snippet.start = 2;
        h.snippet.end = 25;
        char *out = printed(&h, NULL, 1);
        json_t *o = json_pack("{s:i, s:I, s:f, s:s, s:s, s:s, s:s, s:s, s:s, s:s%, s:[[I,I],[I,I]], "
                              "s:[I,I], s:[[I,I],[I,I]], s:[I,I]}",
                              "format", KS_JSON_FORMAT, "rank", (json_int_t)7, "score", scores[k],
                              "passage", h.id, "doc", h.doc, "section", h.section, "lang", h.lang,
                              "kind", h.kind, "text", text, "snippet", text + 2, (size_t)23,
                              "spans", (json_int_t)2, (json_int_t)5, (json_int_t)17, (json_int_t)25,
                              "snippet_range", (json_int_t)2, (json_int_t)25,
                              "spans_cp", (json_int_t)2, (json_int_t)5, (json_int_t)15,
                              (json_int_t)20, "snippet_range_cp", (json_int_t)2, (json_int_t)20);
        assert_non_null(o);
        json_object_set_new(o, "qid", json_string("q1"));
        if (h.explain)
            json_object_set(o, "expansions", h.explain);
        if (h.index)
            json_object_set_new(o, "index", json_string(h.index));
        json_object_set(o, "path", json_object_get(data, "path"));
        json_object_set(o, "page", json_object_get(data, "page"));
        json_object_set(o, "glosses", json_object_get(data, "glosses"));
        json_object_set(o, "citations", json_object_get(data, "citations"));
        char *want = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
        assert_non_null(want);
        size_t wl = strlen(want);
        assert_int_equal(strlen(out), wl + 1);
        assert_memory_equal(out, want, wl);
        assert_int_equal(out[wl], '\n');
        free(want);
        free(out);
        json_decref(o);
        json_decref(h.explain);
    }
    json_decref(data);
}

/* A hit whose record was read raw prints the same line as one whose other
 * members were built with jansson. */
static void test_json_raw_record(void **state)
{
    (void)state;
    const char *rec = "{\"id\":\"a#1\",\"doc\":\"a\",\"text\":\"some text\",\"line\":7,"
                      "\"path\":\"p\\/q\",\"glosses\":[ ],\"citations\":[{\"start\":1,\"end\":4,"
                      "\"score\":0.75,\"id\":\"r\\u0001\"}],\"title\":\"T\",\"author\":null}";
    ks_record_t raw = { 0 }, built = { 0 };
    assert_int_equal(ks_record_read_raw(&raw, rec, strlen(rec)), 0);
    assert_int_equal(ks_record_read(&built, rec, strlen(rec)), 0);
    json_t *empty = json_object();
    ks_hit_t a = make_hit(empty, raw.field[KS_RECORD_TEXT]);
    a.record = &raw;
    ks_hit_t b = make_hit(built.rest, built.field[KS_RECORD_TEXT]);
    char *oa = printed(&a, NULL, 1), *ob = printed(&b, NULL, 1);
    assert_string_equal(oa, ob);
    assert_non_null(strstr(oa, "\"citations\":[{\"start\":1"));
    free(oa);
    free(ob);
    json_decref(empty);
    ks_record_free(&raw);
    ks_record_free(&built);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_location),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_wrapping),
        cmocka_unit_test(test_spans_cp),
        cmocka_unit_test(test_json_as_jansson),
        cmocka_unit_test(test_json_raw_record),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
