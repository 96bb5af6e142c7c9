#define _GNU_SOURCE /* memmem */
/*
 * test_cli.c - kavosh-index and kavosh-search run as a user runs them, on the
 * bundled article.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "glossary.h"
#include "kavosh_xapian.h"
#include "run.h"

static char *tmp;      /* the test's temporary directory */
static int each_json(const char *out, void (*fn)(json_t *o, void *ctx), void *ctx);
static void copy_file(const char *src, const char *dst);
static char db[4096];  /* the index built from the bundled corpus */

static int run_index(run_result_t *r, const char *const *extra)
{
    const char *argv[32] = { KAVOSH_INDEX_BIN, "-d", db };
    size_t n = 3;
    for (size_t i = 0; extra && extra[i] && n < 31; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    return run_program(argv, NULL, NULL, r);
}

static int run_search(run_result_t *r, const char *input, const char *const *args)
{
    const char *argv[32] = { KAVOSH_SEARCH_BIN, "-d", db };
    size_t n = 3;
    for (size_t i = 0; args && args[i] && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    static const char *const env[] = { "NO_COLOR", NULL };
    return run_program(argv, input, env, r);
}

static int setup(void **state)
{
    (void)state;
    tmp = make_temp_dir();
    if (!tmp)
        return -1;
    snprintf(db, sizeof db, "%s/db", tmp);
    run_result_t r;
    const char *const args[] = { KAVOSH_CORPUS_DIR, NULL };
    if (run_index(&r, args) != 0 || r.status != 0) {
        fprintf(stderr, "indexing failed (%d): %s\n", r.status, r.err);
        run_result_free(&r);
        return -1;
    }
    run_result_free(&r);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    remove_tree(tmp);
    free(tmp);
    return 0;
}

/* The first JSON line of out, parsed. */
static json_t *first_json(const char *out)
{
    const char *nl = strchr(out, '\n');
    json_error_t e;
    return json_loadb(out, nl ? (size_t)(nl - out) : strlen(out), 0, &e);
}

static void test_manas_first(void **state)
{
    (void)state;
    run_result_t r;
    const char *const args[] = { "--json", "پایگاه هوایی ماناس", NULL };
    assert_int_equal(run_search(&r, NULL, args), 0);
    assert_int_equal(r.status, 0);
    json_t *hit = first_json(r.out);
    assert_non_null(hit);
    const char *text = json_string_value(json_object_get(hit, "text"));
    assert_non_null(text);
    assert_non_null(strstr(text, "پایگاه هوایی «ماناس»"));
    json_decref(hit);
    run_result_free(&r);
}

static void test_json_fields(void **state)
{
    (void)state;
    run_result_t r;
    const char *const args[] = { "--json", "-n", "5", "قرقیزستان", NULL };
    assert_int_equal(run_search(&r, NULL, args), 0);
    assert_int_equal(r.status, 0);
    static const char *const fields[] = { "format", "rank", "score", "passage", "doc", "section",
                                          "lang", "text", "snippet", "spans" };
    int lines = 0;
    for (char *line = r.out; line && *line;) {
        char *nl = strchr(line, '\n');
        json_error_t e;
        json_t *o = json_loadb(line, nl ? (size_t)(nl - line) : strlen(line), 0, &e);
        assert_non_null(o);
        for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++)
            assert_non_null(json_object_get(o, fields[k]));
        assert_int_equal(json_integer_value(json_object_get(o, "rank")), lines + 1);
        /* Every span points at a matched word inside text. */
        const char *text = json_string_value(json_object_get(o, "text"));
        size_t tl = strlen(text), i;
        json_t *sp;
        json_array_foreach(json_object_get(o, "spans"), i, sp) {
            json_int_t a = json_integer_value(json_array_get(sp, 0));
            json_int_t b = json_integer_value(json_array_get(sp, 1));
            assert_true(a >= 0 && a < b && (size_t)b <= tl);
        }
        json_decref(o);
        lines++;
        line = nl ? nl + 1 : NULL;
    }
    assert_int_equal(lines, 5);
    run_result_free(&r);
}

static void test_nonsense_exits_1(void **state)
{
    (void)state;
    run_result_t r;
    const char *const args[] = { "xqzvwkjh", NULL };
    assert_int_equal(run_search(&r, NULL, args), 0);
    assert_int_equal(r.status, 1);
    assert_int_equal(r.out_len, 0);
    run_result_free(&r);
}

static void test_missing_index_exits_3(void **state)
{
    (void)state;
    char path[4200];
    snprintf(path, sizeof path, "%s/no-such-index", tmp);
    const char *argv[] = { KAVOSH_SEARCH_BIN, "-d", path, "ماناس", NULL };
    run_result_t r;
    assert_int_equal(run_program(argv, NULL, NULL, &r), 0);
    assert_int_equal(r.status, 3);
    assert_non_null(strstr(r.err, "kavosh-search: error: no index at"));
    assert_non_null(strstr(r.err, "kavosh-index"));
    run_result_free(&r);

    /* $KAVOSH_DB names the index when -d does not. */
    const char *argv2[] = { KAVOSH_SEARCH_BIN, "ماناس", NULL };
    char env_db[4300];
    snprintf(env_db, sizeof env_db, "KAVOSH_DB=%s", db);
    const char *const env[] = { env_db, NULL };
    assert_int_equal(run_program(argv2, NULL, env, &r), 0);
    assert_int_equal(r.status, 0);
    run_result_free(&r);
}

static void test_usage(void **state)
{
    (void)state;
    run_result_t r;
    const char *argv[] = { KAVOSH_SEARCH_BIN, "--help", NULL };
    assert_int_equal(run_program(argv, NULL, NULL, &r), 0);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "Usage: kavosh-search"));
    assert_non_null(strstr(r.out, "Exit status"));
    run_result_free(&r);

    const char *argv2[] = { KAVOSH_SEARCH_BIN, "--no-such-option", "x", NULL };
    assert_int_equal(run_program(argv2, NULL, NULL, &r), 0);
    assert_int_equal(r.status, 2);
    assert_int_equal(r.out_len, 0);
    run_result_free(&r);

    const char *argv3[] = { KAVOSH_INDEX_BIN, "--help", NULL };
    assert_int_equal(run_program(argv3, NULL, NULL, &r), 0);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "Usage: kavosh-index"));
    run_result_free(&r);

    const char *argv4[] = { KAVOSH_SEARCH_BIN, "--version", NULL };
    assert_int_equal(run_program(argv4, NULL, NULL, &r), 0);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "kavosh-search "));
    run_result_free(&r);
}

static void test_malformed_queries_exit_2(void **state)
{
    (void)state;
    static const char *const bad[] = { "year:abc", "+", "()", "lang:xx ایران", "year:1400..1390" };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        run_result_t r;
        const char *const args[] = { bad[k], NULL };
        assert_int_equal(run_search(&r, NULL, args), 0);
        if (r.status != 2)
            fprintf(stderr, "query %s: exit %d\n", bad[k], r.status);
        assert_int_equal(r.status, 2);
        assert_non_null(strstr(r.err, "kavosh-search: error: malformed query"));
        assert_non_null(strstr(r.err, "at character"));
        run_result_free(&r);
    }
}

/* Operators that do not parse are words: the query runs as its plain words,
 * with a warning, and finds what the plain words find. */
static void test_operator_fallback(void **state)
{
    (void)state;
    static const struct { const char *query, *plain; } cases[] = {
        { "روابط فرهنگی AND", "روابط فرهنگی and" },
        { "\"جاده ابریشم", "جاده ابریشم" },
        { "(ایران روسیه", "ایران روسیه" },
        { "ایران OR", "ایران" },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        run_result_t r, plain;
        const char *const args[] = { "--tsv", cases[k].query, NULL };
        const char *const pargs[] = { "--tsv", cases[k].plain, NULL };
        assert_int_equal(run_search(&r, NULL, args), 0);
        assert_int_equal(run_search(&plain, NULL, pargs), 0);
        if (r.status != 0 || !strstr(r.err, "kavosh-search: warning:") ||
            !strstr(r.err, "searched as plain words"))
            fail_msg("query %s: exit %d, stderr %s", cases[k].query, r.status, r.err);
        assert_string_equal(r.out, plain.out);
        assert_int_equal(plain.err_len, 0);
        run_result_free(&r);
        run_result_free(&plain);
    }
}

/* Indexing the same files again changes nothing. */
static void test_reindex_idempotent(void **state)
{
    (void)state;
    run_result_t before, after, r;
    const char *const args[] = { "--json", "-n", "100", "ایران", NULL };
    assert_int_equal(run_search(&before, NULL, args), 0);
    const char *const iargs[] = { KAVOSH_CORPUS_DIR, NULL };
    assert_int_equal(run_index(&r, iargs), 0);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "1 unchanged"));
    run_result_free(&r);
    const char *const rargs[] = { "--rebuild", KAVOSH_CORPUS_DIR, NULL };
    assert_int_equal(run_index(&r, rargs), 0);
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    assert_int_equal(run_search(&after, NULL, args), 0);
    assert_string_equal(before.out, after.out);
    run_result_free(&before);
    run_result_free(&after);
}

/* A batch gives, query by query, exactly what the queries give alone. */
static void test_batch_equals_single(void **state)
{
    (void)state;
    static const char *const queries[] = { "پایگاه هوایی ماناس", "شانگهای", "Garbuzarova",
                                           "\"جاده ابریشم\"", "xqzvwkjh" };
    char input[2048] = "";
    for (size_t k = 0; k < sizeof queries / sizeof queries[0]; k++) {
        char line[256];
        snprintf(line, sizeof line, "q%zu\t%s\n", k, queries[k]);
        strcat(input, line);
    }
    run_result_t batch;
    const char *const bargs[] = { "--tsv", "--batch", "-", NULL };
    assert_int_equal(run_search(&batch, input, bargs), 0);
    assert_int_equal(batch.status, 0);
    char expected[65536] = "";
    size_t used = 0;
    for (size_t k = 0; k < sizeof queries / sizeof queries[0]; k++) {
        run_result_t one;
        const char *const args[] = { "--tsv", queries[k], NULL };
        assert_int_equal(run_search(&one, NULL, args), 0);
        /* Single runs number their query 1; the batch names it by its id. */
        char qid[16];
        snprintf(qid, sizeof qid, "q%zu", k);
        for (char *line = one.out; line && *line;) {
            char *nl = strchr(line, '\n');
            char *tab = strchr(line, '\t');
            assert_non_null(tab);
            size_t rest = nl ? (size_t)(nl - tab + 1) : strlen(tab);
            int w = snprintf(expected + used, sizeof expected - used, "%s%.*s", qid, (int)rest, tab);
            assert_true(w > 0 && (size_t)w < sizeof expected - used);
            used += (size_t)w;
            line = nl ? nl + 1 : NULL;
        }
        /* A query without hits has its zero-hit record in the batch. */
        if (one.out_len == 0) {
            int w = snprintf(expected + used, sizeof expected - used, "%s\t0\t\t\n", qid);
            assert_true(w > 0 && (size_t)w < sizeof expected - used);
            used += (size_t)w;
        }
        run_result_free(&one);
    }
    assert_string_equal(batch.out, expected);
    run_result_free(&batch);
}

static void test_lang_filter(void **state)
{
    (void)state;
    run_result_t r;
    const char *const args[] = { "--json", "-n", "50", "--lang", "en", "Russia", NULL };
    assert_int_equal(run_search(&r, NULL, args), 0);
    for (char *line = r.out; line && *line;) {
        char *nl = strchr(line, '\n');
        json_error_t e;
        json_t *o = json_loadb(line, nl ? (size_t)(nl - line) : strlen(line), 0, &e);
        assert_non_null(o);
        assert_string_equal(json_string_value(json_object_get(o, "lang")), "en");
        json_decref(o);
        line = nl ? nl + 1 : NULL;
    }
    run_result_free(&r);
}

/* JSON spans are byte offsets into text that cover exactly the matched words. */
static void test_spans_point_at_words(void **state)
{
    (void)state;
    run_result_t r;
    const char *const args[] = { "--json", "--no-expand", "ماناس", NULL };
    assert_int_equal(run_search(&r, NULL, args), 0);
    assert_int_equal(r.status, 0);
    json_t *hit = first_json(r.out);
    assert_non_null(hit);
    const char *text = json_string_value(json_object_get(hit, "text"));
    json_t *spans = json_object_get(hit, "spans");
    assert_true(json_array_size(spans) >= 1);
    size_t i;
    json_t *sp;
    json_array_foreach(spans, i, sp) {
        size_t a = (size_t)json_integer_value(json_array_get(sp, 0));
        size_t b = (size_t)json_integer_value(json_array_get(sp, 1));
        assert_int_equal(b - a, strlen("ماناس"));
        assert_memory_equal(text + a, "ماناس", b - a);
    }
    /* The snippet is the window of text it claims to be. */
    json_t *range = json_object_get(hit, "snippet_range");
    size_t ws = (size_t)json_integer_value(json_array_get(range, 0));
    size_t we = (size_t)json_integer_value(json_array_get(range, 1));
    const char *snippet = json_string_value(json_object_get(hit, "snippet"));
    assert_int_equal(strlen(snippet), we - ws);
    assert_memory_equal(snippet, text + ws, we - ws);
    json_decref(hit);
    run_result_free(&r);
}

/* Highlights come from the terms that matched in that passage: in #55,
 * which matches «پایگاه هوایی ماناس» through «پایگاههای» alone, the words of
 * the equivalent «پایگاه هوایی آمریکا در قرقیزستان» (not all in it) are not
 * marked, and --explain does not claim that equivalent; in #51, which has
 * it whole, they are. spans_cp are the same spans in code points. */
static void check_hit_spans(json_t *o, void *ctx)
{
    (void)ctx;
    const char *id = json_string_value(json_object_get(o, "passage"));
    const char *text = json_string_value(json_object_get(o, "text"));
    json_t *spans = json_object_get(o, "spans"), *cps = json_object_get(o, "spans_cp");
    assert_int_equal(json_array_size(spans), json_array_size(cps));
    int america = 0, base = 0;
    for (size_t k = 0; k < json_array_size(spans); k++) {
        size_t a = (size_t)json_integer_value(json_array_get(json_array_get(spans, k), 0));
        size_t b = (size_t)json_integer_value(json_array_get(json_array_get(spans, k), 1));
        size_t ca = (size_t)json_integer_value(json_array_get(json_array_get(cps, k), 0));
        size_t cb = (size_t)json_integer_value(json_array_get(json_array_get(cps, k), 1));
        size_t n = 0;
        for (size_t i = 0; i < a; i++)
            n += ((unsigned char)text[i] & 0xC0) != 0x80;
        assert_int_equal(n, ca);
        for (size_t i = a; i < b; i++)
            n += ((unsigned char)text[i] & 0xC0) != 0x80;
        assert_int_equal(n, cb);
        america += strncmp(text + a, "آمریکا", strlen("آمریکا")) == 0;
        base += strncmp(text + a, "پایگاه", strlen("پایگاه")) == 0;
    }
    const char *equivalent = "پایگاه هوایی آمریکا در قرقیزستان";
    int claimed = 0;
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(o, "expansions"), i, e)
        claimed += strstr(json_string_value(e), equivalent) != NULL;
    if (strcmp(id, "article.fa.md#55") == 0) {
        assert_int_equal(america, 0);
        assert_true(base > 0);
        assert_int_equal(claimed, 0);
    } else if (strcmp(id, "article.fa.md#51") == 0) {
        assert_true(america > 0);
        assert_int_equal(claimed, 1);
    }
}

static void test_highlights_matched_terms(void **state)
{
    (void)state;
    run_result_t r;
    const char *const args[] = { "--json", "--explain", "-n", "5", "پایگاه هوایی ماناس", NULL };
    assert_int_equal(run_search(&r, NULL, args), 0);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "article.fa.md#55"));
    assert_non_null(strstr(r.out, "article.fa.md#51"));
    each_json(r.out, check_hit_spans, NULL);
    run_result_free(&r);
}

/* The count line is exact when Xapian's bounds meet; -n 0 prints only it
 * and exits 0 when something matches, 1 when nothing does. */
static void test_counts(void **state)
{
    (void)state;
    run_result_t r, all;
    const char *const tsv[] = { "--tsv", "-n", "1000", "--no-expand", "قرقیزستان", NULL };
    assert_int_equal(run_search(&all, NULL, tsv), 0);
    unsigned n = 0;
    for (const char *p = all.out; (p = strchr(p, '\n')) != NULL; p++)
        n++;
    assert_true(n > 2);
    char want[64];
    snprintf(want, sizeof want, "-- 2 shown of %u matching passages\n", n);
    const char *const two[] = { "-n", "2", "--no-expand", "قرقیزستان", NULL };
    assert_int_equal(run_search(&r, NULL, two), 0);
    assert_non_null(strstr(r.out, want));
    assert_null(strstr(r.out, "about"));
    run_result_free(&r);
    snprintf(want, sizeof want, "-- 0 shown of %u matching passages\n", n);
    const char *const zero[] = { "-n", "0", "--no-expand", "قرقیزستان", NULL };
    assert_int_equal(run_search(&r, NULL, zero), 0);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, want);
    run_result_free(&r);
    const char *const none[] = { "-n", "0", "xqzvwkjh", NULL };
    assert_int_equal(run_search(&r, NULL, none), 0);
    assert_int_equal(r.status, 1);
    run_result_free(&r);
    run_result_free(&all);
}

/* Colour: only on a terminal, never with NO_COLOR, always with --color=always. */
static void test_color(void **state)
{
    (void)state;
    run_result_t r;
    const char *const pipe_args[] = { "ماناس", NULL };
    assert_int_equal(run_search(&r, NULL, pipe_args), 0);
    assert_null(strstr(r.out, "\033["));
    run_result_free(&r);

    const char *const always[] = { "--color=always", "ماناس", NULL };
    assert_int_equal(run_search(&r, NULL, always), 0);
    assert_non_null(strstr(r.out, "\033[1;31m"));
    run_result_free(&r);

    /* A real terminal, through script(1): colour by default, none with NO_COLOR. */
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "%s -d %s ماناس", KAVOSH_SEARCH_BIN, db);
    const char *tty[] = { "/usr/bin/script", "-qec", cmd, "/dev/null", NULL };
    static const char *const unset[] = { "NO_COLOR", NULL };
    assert_int_equal(run_program(tty, NULL, unset, &r), 0);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "\033[1;31m"));
    run_result_free(&r);
    static const char *const set[] = { "NO_COLOR=1", NULL };
    assert_int_equal(run_program(tty, NULL, set, &r), 0);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "ماناس"));
    assert_null(strstr(r.out, "\033[1;31m"));
    run_result_free(&r);
}

/* Run kavosh-search on a terminal of `cols` columns (script(1) and stty),
 * with env changes. */
static void run_on_terminal(run_result_t *r, unsigned cols, const char *opts, const char *query,
                            const char *const *env)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "stty cols %u; %s -d %s %s '%s'", cols, KAVOSH_SEARCH_BIN, db, opts,
             query);
    const char *tty[] = { "/usr/bin/script", "-qec", cmd, "/dev/null", NULL };
    assert_int_equal(run_program(tty, NULL, env, r), 0);
    assert_int_equal(r->status, 0);
}

/* Columns a line takes: code points, less ANSI sequences, isolates and the
 * Arabic marks (all the fixture text has). */
static unsigned line_columns(const char *a, const char *b)
{
    unsigned n = 0;
    for (const char *p = a; p < b; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '\033') {
            while (p < b && *p != 'm')
                p++;
            continue;
        }
        if (c == '\r' || (c & 0xC0) == 0x80)
            continue;
        if (c == 0xE2 && p + 2 < b && (unsigned char)p[1] == 0x81 &&
            ((unsigned char)p[2] == 0xA8 || (unsigned char)p[2] == 0xA9))
            continue;   /* U+2068, U+2069 */
        if (c == 0xD9 && p + 1 < b && (unsigned char)p[1] >= 0x8B && (unsigned char)p[1] <= 0x9F)
            continue;   /* U+064B..U+065F, combining */
        n++;
    }
    return n;
}

/* Isolates only on a terminal in logical order; never into a pipe, nor with
 * --bidi=visual, which writes fribidi's reordered, shaped lines instead. */
static void test_bidi(void **state)
{
    (void)state;
    run_result_t r;
    const char *const args[] = { "ماناس", NULL };
    assert_int_equal(run_search(&r, NULL, args), 0);
    assert_null(strstr(r.out, "\xE2\x81\xA8"));
    assert_null(strstr(r.out, "\xE2\x81\xA9"));
    assert_non_null(strstr(r.out, "ماناس"));
    run_result_free(&r);

    static const char *const unset[] = { "NO_COLOR", "TERM=xterm", NULL };
    run_on_terminal(&r, 80, "", "ماناس", unset);
    const char *fsi = strstr(r.out, "\xE2\x81\xA8");
    assert_non_null(fsi);
    assert_non_null(strstr(fsi, "\xE2\x81\xA9"));
    /* Every line holding the isolate closes it on the same line. */
    for (const char *line = r.out; *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        const char *o = memmem(line, len, "\xE2\x81\xA8", 3);
        if (o)
            assert_non_null(memmem(o, len - (size_t)(o - line), "\xE2\x81\xA9", 3));
        line = nl ? nl + 1 : line + len;
    }
    run_result_free(&r);

    run_on_terminal(&r, 80, "--bidi=visual", "ماناس", unset);
    assert_null(strstr(r.out, "\xE2\x81\xA8"));
    /* Shaped and stored right to left: «ماناس» is written as the isolated
     * SEEN (U+FEB1), final ALEF, initial NOON, final ALEF, initial MEEM
     * (U+FEE3), left to right. */
    assert_non_null(strstr(r.out, "\xEF\xBA\xB1\xEF\xBA\x8E\xEF\xBB\xA7\xEF\xBA\x8E\xEF\xBB\xA3"));
    assert_null(strstr(r.out, "ماناس"));
    run_result_free(&r);

    const char *const bad[] = { "--bidi=sideways", "ماناس", NULL };
    assert_int_equal(run_search(&r, NULL, bad), 0);
    assert_int_equal(r.status, 2);
    run_result_free(&r);
}

/* On a terminal of 50 columns every line fits, continuation lines are
 * indented, and no word is cut: each line's words are words of the text. */
static void test_wrapping(void **state)
{
    (void)state;
    static const char *const env[] = { "NO_COLOR", "TERM=xterm", NULL };
    run_result_t r, pipe;
    run_on_terminal(&r, 50, "-n 3 --no-expand", "قرقیزستان", env);
    const char *const args[] = { "--json", "-n", "3", "--no-expand", "قرقیزستان", NULL };
    assert_int_equal(run_search(&pipe, NULL, args), 0);
    int lines = 0;
    for (const char *line = r.out; *line;) {
        const char *nl = strchr(line, '\n');
        const char *end = nl ? nl : line + strlen(line);
        unsigned cols = line_columns(line, end);
        if (cols > 50)
            fail_msg("a line of %u columns: %.*s", cols, (int)(end - line), line);
        if (line != r.out && strncmp(line, "--", 2) != 0 && !isdigit((unsigned char)line[0]))
            assert_true(strncmp(line, "   ", 3) == 0);
        /* Each word of a snippet line occurs whole in the hits' texts: split
         * at spaces, less isolates, the ellipsis and ASCII punctuation. */
        if (strncmp(line, "   ", 3) == 0) {
            const char *p = line + 3;
            while (p < end) {
                const char *sp = memchr(p, ' ', (size_t)(end - p));
                const char *we = sp ? sp : end;
                char word[512];
                size_t n = 0;
                for (const char *q = p; q < we && n < sizeof word - 4; q++) {
                    if ((unsigned char)q[0] == 0xE2 && q + 2 < we) {
                        q += 2;   /* U+2026, U+2068, U+2069 */
                        continue;
                    }
                    if ((unsigned char)*q >= 0x80)
                        word[n++] = *q;
                }
                word[n] = '\0';
                if (n >= 4 && !strstr(pipe.out, word))
                    fail_msg("«%s» is not a word of the texts", word);
                p = we + 1;
            }
        }
        lines++;
        line = nl ? nl + 1 : end;
    }
    assert_true(lines > 8);   /* three snippets of ~240 characters in 50 columns */
    run_result_free(&r);
    run_result_free(&pipe);
}

/* TERM=dumb: no colour, no isolates, even on a terminal. */
static void test_dumb_terminal(void **state)
{
    (void)state;
    static const char *const env[] = { "NO_COLOR", "TERM=dumb", NULL };
    run_result_t r;
    run_on_terminal(&r, 80, "", "ماناس", env);
    assert_non_null(strstr(r.out, "ماناس"));
    assert_null(strstr(r.out, "\033["));
    assert_null(strstr(r.out, "\xE2\x81\xA8"));
    run_result_free(&r);
}

/* Field filters restrict the words, they do not add to them. */
static void test_filters_restrict(void **state)
{
    (void)state;
    run_result_t r;
    const char *const args[] = { "--json", "-n", "100", "--no-expand", "ایران year:1390..1400", NULL };
    assert_int_equal(run_search(&r, NULL, args), 0);
    assert_int_equal(r.status, 0);
    int lines = 0;
    for (char *line = r.out; line && *line;) {
        char *nl = strchr(line, '\n');
        json_error_t e;
        json_t *o = json_loadb(line, nl ? (size_t)(nl - line) : strlen(line), 0, &e);
        assert_non_null(o);
        assert_string_equal(json_string_value(json_object_get(o, "kind")), "biblio");
        assert_non_null(strstr(json_string_value(json_object_get(o, "text")), "ایران"));
        const char *year = json_string_value(json_object_get(json_object_get(o, "source"), "year"));
        assert_non_null(year);
        int y = atoi(year);
        assert_true((y >= 1390 && y <= 1400) || (y >= 2011 && y <= 2021));
        json_decref(o);
        lines++;
        line = nl ? nl + 1 : NULL;
    }
    assert_true(lines > 0);
    run_result_free(&r);

    /* A filter nothing passes: no hits, exit 1. */
    const char *const none[] = { "ایران lang:ru", NULL };
    assert_int_equal(run_search(&r, NULL, none), 0);
    assert_int_equal(r.status, 1);
    run_result_free(&r);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *path = malloc(n);
    assert_non_null(path);
    snprintf(path, n, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    free(path);
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* A folder of fixture texts under the test's temporary directory, and the
 * index made from it. */
typedef struct fixture {
    char dir[4200];
    char db[4200];
} fixture_t;

static void fixture_new(fixture_t *f, const char *name)
{
    snprintf(f->dir, sizeof f->dir, "%s/%s", tmp, name);
    snprintf(f->db, sizeof f->db, "%s/%s.db", tmp, name);
    assert_int_equal(mkdir(f->dir, 0700), 0);
}

/* Index the fixture's folder; it must succeed. */
static void fixture_index(const fixture_t *f)
{
    const char *iargv[] = { KAVOSH_INDEX_BIN, "-q", "-d", f->db, f->dir, NULL };
    run_result_t r;
    assert_int_equal(run_program(iargv, NULL, NULL, &r), 0);
    assert_int_equal(r.status, 0);
    run_result_free(&r);
}


/* A passage with the typed word ranks above one with only its equivalent,
 * in both directions; and the equivalent is found at all. */
static void test_typed_words_rank_first(void **state)
{
    (void)state;
    fixture_t fx;
    fixture_new(&fx, "expand");
    const char *dir = fx.dir, *xdb = fx.db;
    write_file(dir, "glossary.tsv", "fa\tru\ten\nتحریم\tсанкции\tsanctions\n");
    write_file(dir, "en.md", "The sanctions weighed on trade with the region.\n");
    write_file(dir, "fa.md", "تحریم بر تجارت با منطقه اثر گذاشت.\n");
    fixture_index(&fx);
    run_result_t r;
    static const struct { const char *query, *first; } cases[] = {
        { "sanctions", "en.md#1" }, { "تحریم", "fa.md#1" },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const char *sargv[] = { KAVOSH_SEARCH_BIN, "-d", xdb, "--tsv", cases[k].query, NULL };
        assert_int_equal(run_program(sargv, NULL, NULL, &r), 0);
        assert_int_equal(r.status, 0);
        /* Documents are named by their path as given: the folder's. */
        char want[8448];
        snprintf(want, sizeof want, "1\t1\t%s/%s\t", dir, cases[k].first);
        assert_true(strncmp(r.out, want, strlen(want)) == 0);
        /* The other language's passage is the second hit. */
        assert_non_null(strstr(r.out, "\t2\t"));
        run_result_free(&r);
    }
    /* Russian finds both, through the glossary alone. */
    const char *rargv[] = { KAVOSH_SEARCH_BIN, "-d", xdb, "--tsv", "санкциями", NULL };
    assert_int_equal(run_program(rargv, NULL, NULL, &r), 0);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "en.md#1"));
    assert_non_null(strstr(r.out, "fa.md#1"));
    run_result_free(&r);
    /* And --no-expand turns that off. */
    const char *nargv[] = { KAVOSH_SEARCH_BIN, "-d", xdb, "--tsv", "--no-expand", "санкциями", NULL };
    assert_int_equal(run_program(nargv, NULL, NULL, &r), 0);
    assert_int_equal(r.status, 1);
    run_result_free(&r);
}

/* Paging: --offset N -n M is the slice [N, N+M) of the full ranking. */
static void test_paging(void **state)
{
    (void)state;
    run_result_t all, page;
    const char *const a1[] = { "--tsv", "-n", "6", "قرقیزستان", NULL };
    const char *const a2[] = { "--tsv", "-n", "3", "--offset", "2", "قرقیزستان", NULL };
    assert_int_equal(run_search(&all, NULL, a1), 0);
    assert_int_equal(run_search(&page, NULL, a2), 0);
    /* Lines 3..5 of the first are the second. */
    const char *p = all.out;
    for (int k = 0; k < 2; k++)
        p = strchr(p, '\n') + 1;
    assert_int_equal(strncmp(p, page.out, page.out_len), 0);
    assert_non_null(strstr(page.out, "\t3\t"));
    run_result_free(&all);
    run_result_free(&page);
}

/* An index another writer holds, or of another schema version: exit 3 with a hint. */
static void test_locked_and_schema(void **state)
{
    (void)state;
    char xdb[4200];
    snprintf(xdb, sizeof xdb, "%s/other.db", tmp);
    const char *iargv[] = { KAVOSH_INDEX_BIN, "-q", "-d", xdb, KAVOSH_CORPUS_DIR, NULL };
    run_result_t r;
    assert_int_equal(run_program(iargv, NULL, NULL, &r), 0);
    assert_int_equal(r.status, 0);
    run_result_free(&r);

    kx_db_t *w = NULL;
    assert_int_equal(kx_db_open(xdb, KX_OPEN_WRITE, &w, NULL), KX_OK);
    assert_int_equal(run_program(iargv, NULL, NULL, &r), 0);
    assert_int_equal(r.status, 3);
    assert_non_null(strstr(r.err, "kavosh-index: error:"));
    assert_non_null(strstr(r.err, "another kavosh-index"));
    run_result_free(&r);
    /* Readers are not blocked by the writer. */
    const char *sargv[] = { KAVOSH_SEARCH_BIN, "-d", xdb, "--tsv", "ماناس", NULL };
    assert_int_equal(run_program(sargv, NULL, NULL, &r), 0);
    assert_int_equal(r.status, 0);
    run_result_free(&r);

    assert_int_equal(kx_db_set_metadata(w, "kavosh.schema", "999"), KX_OK);
    assert_int_equal(kx_db_commit(w), KX_OK);
    kx_db_close(w);
    assert_int_equal(run_program(sargv, NULL, NULL, &r), 0);
    assert_int_equal(r.status, 3);
    assert_non_null(strstr(r.err, "999"));
    assert_non_null(strstr(r.err, "--rebuild"));
    run_result_free(&r);
}

/* Glossary records (metadata "glossary:" + name) of a file that are not empty. */
typedef struct harvest {
    kx_db_t    *db;
    const char *path;
    int         left;
} harvest_t;

static int harvest_left(void *ctx, const char *key)
{
    harvest_t *h = ctx;
    if (!strstr(key, h->path))
        return 0;
    char *v = NULL;
    assert_int_equal(kx_db_get_metadata(h->db, key, &v), KX_OK);
    h->left += *v != '\0';
    kx_free(v);
    return 0;
}

/* A footnote gloss becomes a glossary entry: its English finds the other
 * passages that use the Persian term without a footnote. */
static void test_harvested_glosses(void **state)
{
    (void)state;
    fixture_t fx;
    fixture_new(&fx, "harvest");
    const char *dir = fx.dir, *xdb = fx.db;
    write_file(dir, "a.md",
               "## مقدمه\n\nمکیندر این منطقه را قلب زمین<sup>۱</sup> نامید و دیگران نیز پذیرفتند.\n\n"
               "---\n\n1. Heartland pivot\n\n## بحث\n\nامروز نیز نظریه قلب زمین در محافل بحث میشود.\n");
    fixture_index(&fx);
    run_result_t r;
    const char *sargv[] = { KAVOSH_SEARCH_BIN, "-d", xdb, "--tsv", "Heartland pivot", NULL };
    assert_int_equal(run_program(sargv, NULL, NULL, &r), 0);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "a.md#1"));
    assert_non_null(strstr(r.out, "a.md#2"));
    run_result_free(&r);
    const char *nargv[] = { KAVOSH_SEARCH_BIN, "-d", xdb, "--tsv", "--no-expand", "Heartland pivot", NULL };
    assert_int_equal(run_program(nargv, NULL, NULL, &r), 0);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "a.md#1"));
    assert_null(strstr(r.out, "a.md#2"));
    run_result_free(&r);
    /* The harvest goes with its file. */
    char path[4300];
    snprintf(path, sizeof path, "%s/a.md", dir);
    assert_int_equal(unlink(path), 0);
    write_file(dir, "b.md", "متن دیگری بدون پانویس.\n");
    fixture_index(&fx);
    kx_db_t *db2 = NULL;
    assert_int_equal(kx_db_open(xdb, KX_OPEN_READ, &db2, NULL), KX_OK);
    /* (The default lexicon may know Heartland; the harvest's record is what goes.) */
    harvest_t h = { .db = db2, .path = path };
    assert_int_equal(kx_db_metadata_keys(db2, "glossary:", harvest_left, &h), KX_OK);
    assert_int_equal(h.left, 0);
    kx_db_close(db2);
}

/* The default lexicon's lookup tables: a search reads only the concepts its
 * words reach, and finds exactly what the whole glossary loaded finds (the
 * same hits, scores and expansions); an English word the lexicon knows
 * finds the Persian passage, a word it does not know finds nothing there. */
static void test_lexicon_lookup(void **state)
{
    (void)state;
    fixture_t fx;
    fixture_new(&fx, "lookup");
    char lex[4300];
    snprintf(lex, sizeof lex, "%s/lexicon", fx.dir);
    assert_int_equal(mkdir(lex, 0700), 0);
    write_file(lex, "small.tsv", "fa\tru\ten\nسد راغون\tРогунская ГЭС\tRogun dam\n"
                                 "خشکسالی\tзасуха\tdrought\n");
    char texts[4300];
    snprintf(texts, sizeof texts, "%s/texts", fx.dir);
    assert_int_equal(mkdir(texts, 0700), 0);
    write_file(texts, "a.fa.md", "ساخت سد راغون در تاجیکستان ادامه دارد.\n\nخشکسالی در منطقه شدید است.\n");
    write_file(texts, "b.en.md", "A note on something else entirely.\n");
    char envv[4400];
    snprintf(envv, sizeof envv, "KAVOSH_LEXICON=%s", lex);
    const char *env[] = { envv, NULL };
    const char *iargv[] = { KAVOSH_INDEX_BIN, "-q", "-d", fx.db, texts, NULL };
    run_result_t r;
    assert_int_equal(run_program(iargv, NULL, env, &r), 0);
    assert_int_equal(r.status, 0);
    run_result_free(&r);

    const char *q = "Rogun dam drought Tashkent";
    const char *sargv[] = { KAVOSH_SEARCH_BIN, "-d", fx.db, "--json", "--explain", q, NULL };
    run_result_t with, without;
    assert_int_equal(run_program(sargv, NULL, NULL, &with), 0);
    assert_int_equal(with.status, 0);
    assert_non_null(strstr(with.out, "a.fa.md#1"));
    assert_non_null(strstr(with.out, "a.fa.md#2"));
    assert_non_null(strstr(with.out, "سد راغون"));

    /* The same index without its tables: the whole glossary is loaded (as
     * kavosh-index stores it where the tables cannot be written: the
     * concepts one after the other, in the analysed form). */
    kx_db_t *wdb = NULL;
    assert_int_equal(kx_db_open(fx.db, KX_OPEN_WRITE, &wdb, NULL), KX_OK);
    char *v = NULL;
    assert_int_equal(kx_db_get_metadata(wdb, "kavosh.glossary.lookup", &v), KX_OK);
    assert_string_equal(v, "1");
    kx_free(v);
    assert_int_equal(kx_db_get_metadata(wdb, "kavosh.glossary.analysed", &v), KX_OK);
    assert_string_equal(v, "");
    kx_free(v);
    size_t wlen = strlen(ks_glossary_analysed_magic());
    char *whole = strdup(ks_glossary_analysed_magic());
    assert_non_null(whole);
    for (unsigned long c = 0;; c++) {
        char key[64];
        snprintf(key, sizeof key, "gc:%lu", c);
        assert_int_equal(kx_db_get_metadata(wdb, key, &v), KX_OK);
        size_t n = strlen(v);
        if (n == 0) {
            kx_free(v);
            break;
        }
        char *grown = realloc(whole, wlen + n + 1);
        assert_non_null(grown);
        whole = grown;
        memcpy(whole + wlen, v, n + 1);
        wlen += n;
        kx_free(v);
    }
    assert_int_equal(kx_db_set_metadata(wdb, "kavosh.glossary.analysed", whole), KX_OK);
    free(whole);
    assert_int_equal(kx_db_set_metadata(wdb, "kavosh.glossary.lookup", ""), KX_OK);
    assert_int_equal(kx_db_commit(wdb), KX_OK);
    kx_db_close(wdb);
    assert_int_equal(run_program(sargv, NULL, NULL, &without), 0);
    assert_int_equal(without.status, 0);
    assert_string_equal(with.out, without.out);
    run_result_free(&with);
    run_result_free(&without);

    const char *nargv[] = { KAVOSH_SEARCH_BIN, "-d", fx.db, "--tsv", "--lang=fa", "flood", NULL };
    assert_int_equal(run_program(nargv, NULL, NULL, &r), 0);
    assert_int_equal(r.status, 1);
    run_result_free(&r);
}

/* Hostile files: random bytes, NULs, deep nesting, unclosed markup. Both
 * programs carry on; nothing crashes (the sanitizers watch). */
static void test_hostile_files(void **state)
{
    (void)state;
    fixture_t fx;
    fixture_new(&fx, "hostile");
    const char *dir = fx.dir, *xdb = fx.db;
    unsigned seed = 1127;
    static const char *const names[] = { "r1.md", "r2.html", "r3.txt", "r4.md" };
    for (size_t f = 0; f < sizeof names / sizeof names[0]; f++) {
        char path[4300];
        snprintf(path, sizeof path, "%s/%s", dir, names[f]);
        FILE *fp = fopen(path, "wb");
        assert_non_null(fp);
        for (int i = 0; i < 20000; i++)
            fputc((int)(rand_r(&seed) & 0xFF), fp);
        fclose(fp);
    }
    char deep[20000];
    size_t n = 0;
    for (int i = 0; i < 3000; i++) {
        deep[n++] = '>';
        deep[n++] = ' ';
    }
    strcpy(deep + n, "**<sup>۳</sup> [ (کولایی، ۱۳۸۴: <div><p>\n\n---\n\n1. \xD9\n");
    write_file(dir, "deep.md", deep);
    fixture_index(&fx);
    run_result_t r;
    static const char *const queries[] = { "\xFF\xFE", "ماناس", "a", "\"\xD9\"", "(کولایی" };
    for (size_t k = 0; k < sizeof queries / sizeof queries[0]; k++) {
        const char *sargv[] = { KAVOSH_SEARCH_BIN, "-d", xdb, "--json", queries[k], NULL };
        assert_int_equal(run_program(sargv, NULL, NULL, &r), 0);
        assert_true(r.status <= 2);
        run_result_free(&r);
    }
    const char *cargv[] = { KAVOSH_SEARCH_BIN, "-d", xdb, "--citations", NULL };
    assert_int_equal(run_program(cargv, NULL, NULL, &r), 0);
    assert_true(r.status <= 1);
    run_result_free(&r);
}

/* Each JSON line of out, parsed, to fn. Returns the number of lines. */
static int each_json(const char *out, void (*fn)(json_t *o, void *ctx), void *ctx)
{
    int n = 0;
    for (const char *line = out; line && *line;) {
        const char *nl = strchr(line, '\n');
        json_error_t e;
        json_t *o = json_loadb(line, nl ? (size_t)(nl - line) : strlen(line), 0, &e);
        assert_non_null(o);
        fn(o, ctx);
        json_decref(o);
        n++;
        line = nl ? nl + 1 : NULL;
    }
    return n;
}

typedef struct cite_count {
    int resolved, unresolved, kolaei216;
} cite_count_t;

static void count_citation(json_t *o, void *ctx)
{
    cite_count_t *c = ctx;
    static const char *const fields[] = { "passage", "citation", "source", "source_text", "confidence" };
    for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++)
        assert_non_null(json_object_get(o, fields[k]));
    const char *src = json_string_value(json_object_get(o, "source"));
    const char *cit = json_string_value(json_object_get(o, "citation"));
    double conf = json_number_value(json_object_get(o, "confidence"));
    if (src) {
        c->resolved++;
        assert_true(conf > 0 && conf <= 1);
        assert_non_null(json_string_value(json_object_get(o, "source_text")));
    } else {
        c->unresolved++;
        assert_true(json_is_null(json_object_get(o, "source_text")));
    }
    /* Two works of Kolaei in 1384: page 216 lies in the one of pages 201-224. */
    if (strstr(cit, "۲۱۶") && strstr(cit, "کولایی")) {
        c->kolaei216++;
        assert_non_null(strstr(json_string_value(json_object_get(o, "source_text")), "بنیادگرایی"));
    }
}

static void test_citations_mode(void **state)
{
    (void)state;
    run_result_t r;
    const char *const args[] = { "--citations", "--json", NULL };
    assert_int_equal(run_search(&r, NULL, args), 0);
    assert_int_equal(r.status, 0);
    cite_count_t c = { 0 };
    int n = each_json(r.out, count_citation, &c);
    /* The article's 32 in-text citations; one names a work with no entry. */
    assert_int_equal(n, 32);
    assert_true(c.resolved >= 31);
    assert_int_equal(c.kolaei216, 1);
    run_result_free(&r);
}

typedef struct source_count {
    int entries, never, unresolved, bagheri;
} source_count_t;

static void count_source(json_t *o, void *ctx)
{
    source_count_t *c = ctx;
    if (json_is_true(json_object_get(o, "unresolved"))) {
        c->unresolved++;
        return;
    }
    c->entries++;
    int cited = (int)json_integer_value(json_object_get(o, "cited"));
    assert_int_equal(json_is_true(json_object_get(o, "never_cited")), cited == 0);
    assert_int_equal((int)json_array_size(json_object_get(o, "passages")) > 0, cited > 0);
    c->never += cited == 0;
    if (strstr(json_string_value(json_object_get(o, "text")), "باقری مقدم")) {
        c->bagheri++;
        assert_int_equal(cited, 3);
    }
}

static void test_sources_mode(void **state)
{
    (void)state;
    run_result_t r;
    const char *const args[] = { "--sources", "--json", NULL };
    assert_int_equal(run_search(&r, NULL, args), 0);
    assert_int_equal(r.status, 0);
    source_count_t c = { 0 };
    each_json(r.out, count_source, &c);
    assert_true(c.entries >= 38);
    assert_true(c.never > 0);
    assert_int_equal(c.unresolved, 1);
    assert_int_equal(c.bagheri, 1);
    run_result_free(&r);
    const char *const text[] = { "--sources", NULL };
    assert_int_equal(run_search(&r, NULL, text), 0);
    assert_non_null(strstr(r.out, "[never cited]"));
    assert_non_null(strstr(r.out, "Citations with no bibliography entry:"));
    run_result_free(&r);
}

static void check_cites(json_t *o, void *ctx)
{
    const char *author = ctx;
    const char *cit = json_string_value(json_object_get(o, "citation"));
    const char *context = json_string_value(json_object_get(o, "context"));
    assert_non_null(cit);
    assert_non_null(strstr(cit, author));
    /* The context is the citing sentence and holds the citation itself. */
    assert_non_null(strstr(context, cit));
    assert_true(strlen(context) > strlen(cit) + 20);
}

static void test_cites_mode(void **state)
{
    (void)state;
    static const struct { const char *query, *author; int min; } cases[] = {
        { "کولایی", "کولایی", 3 },
        { "Garbuzarova", "Garbuzarova", 1 },
        { "Koolaee", "کولایی", 1 },     /* Latin spelling of a Persian name */
        { "Kolaei", "کولایی", 1 },
        { "Гарбузарова", "Garbuzarova", 1 },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        run_result_t r;
        const char *const args[] = { "--cites", "--json", cases[k].query, NULL };
        assert_int_equal(run_search(&r, NULL, args), 0);
        if (r.status != 0)
            fprintf(stderr, "--cites %s: exit %d\n", cases[k].query, r.status);
        assert_int_equal(r.status, 0);
        int n = each_json(r.out, check_cites, (void *)cases[k].author);
        assert_true(n >= cases[k].min);
        run_result_free(&r);
    }
}

static void check_format_field(json_t *o, void *ctx)
{
    (void)ctx;
    assert_int_equal(json_integer_value(json_object_get(o, "format")), 1);
}

/* --citations, --sources and --cites honour --tsv (fixed columns, no
 * isolates) and --json (a "format" in every record); text into a pipe has
 * no isolates, text on a terminal has them. */
static void test_citation_views_formats(void **state)
{
    (void)state;
    static const char *const modes[][3] = {
        { "--citations", NULL, NULL }, { "--sources", NULL, NULL }, { "--cites", "Huasheng", NULL },
    };
    static const int columns[] = { 5, 4, 5 };
    for (size_t m = 0; m < 3; m++) {
        run_result_t r;
        const char *const json[] = { modes[m][0], "--json", modes[m][1], NULL };
        assert_int_equal(run_search(&r, NULL, json), 0);
        assert_int_equal(r.status, 0);
        assert_true(each_json(r.out, check_format_field, NULL) > 0);
        run_result_free(&r);

        const char *const tsv[] = { modes[m][0], "--tsv", modes[m][1], NULL };
        assert_int_equal(run_search(&r, NULL, tsv), 0);
        assert_int_equal(r.status, 0);
        assert_null(strstr(r.out, "\xE2\x81\xA8"));
        assert_null(strstr(r.out, "-- "));
        int lines = 0;
        for (const char *line = r.out; *line;) {
            const char *nl = strchr(line, '\n');
            assert_non_null(nl);
            int tabs = 0;
            for (const char *p = line; p < nl; p++)
                tabs += *p == '\t';
            if (tabs != columns[m] - 1)
                fail_msg("%s --tsv: %d columns in %.*s", modes[m][0], tabs + 1, (int)(nl - line), line);
            lines++;
            line = nl + 1;
        }
        assert_true(lines > 0);
        run_result_free(&r);

        const char *const text[] = { modes[m][0], modes[m][1], NULL };
        assert_int_equal(run_search(&r, NULL, text), 0);
        assert_null(strstr(r.out, "\xE2\x81\xA8"));
        run_result_free(&r);
    }
    /* The issue's own check: the citation column starts with the citation. */
    run_result_t r;
    const char *const tsv[] = { "--citations", "--tsv", NULL };
    assert_int_equal(run_search(&r, NULL, tsv), 0);
    assert_non_null(strstr(r.out, "\t(Alice Rasizad, 2002:48)\t"));
    run_result_free(&r);
    const char *const plain[] = { "--citations", NULL };
    assert_int_equal(run_search(&r, NULL, plain), 0);
    assert_non_null(strstr(r.out, "\t(Alice Rasizad, 2002:48)\t"));
    run_result_free(&r);
    /* On a terminal: isolates. */
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "%s -d %s --citations", KAVOSH_SEARCH_BIN, db);
    const char *tty[] = { "/usr/bin/script", "-qec", cmd, "/dev/null", NULL };
    static const char *const env[] = { "TERM=xterm", NULL };
    assert_int_equal(run_program(tty, NULL, env, &r), 0);
    assert_non_null(strstr(r.out, "\xE2\x81\xA8(Alice Rasizad, 2002:48)\xE2\x81\xA9"));
    run_result_free(&r);
    /* The citing sentences of --cites are wrapped to the terminal too. */
    run_on_terminal(&r, 50, "--cites", "Huasheng", env);
    int wrapped = 0;
    for (const char *line = r.out; *line;) {
        const char *nl = strchr(line, '\n');
        const char *end = nl ? nl : line + strlen(line);
        if (strncmp(line, "   ", 3) == 0) {
            unsigned cols = line_columns(line, end);
            if (cols > 50)
                fail_msg("--cites: a line of %u columns: %.*s", cols, (int)(end - line), line);
            wrapped++;
        }
        line = nl ? nl + 1 : end;
    }
    assert_true(wrapped >= 3);
    run_result_free(&r);
}

/* Several indexes searched as one (shards), and an index served by
 * xapian-tcpsrv: the glossary travels in the metadata, so expansion works
 * remotely too. */
static void test_shards_and_remote(void **state)
{
    (void)state;
    fixture_t fx;
    fixture_new(&fx, "shard2");
    const char *dir = fx.dir, *db2 = fx.db;
    write_file(dir, "notes.md", "Manas airport notes kept in a second shard.\n");
    fixture_index(&fx);
    run_result_t r;
    const char *sargv[] = { KAVOSH_SEARCH_BIN, "-d", db, "-d", db2, "--tsv", "-n", "50", "Manas", NULL };
    assert_int_equal(run_program(sargv, NULL, NULL, &r), 0);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "article.fa.md#51"));
    assert_non_null(strstr(r.out, "notes.md#1"));
    /* Each hit names its index: a fifth TSV column, "index" in JSON. */
    char want[4400];
    snprintf(want, sizeof want, "notes.md#1\t");
    const char *line = strstr(r.out, want);
    assert_non_null(line);
    const char *nl = strchr(line, '\n');
    char tail[4300];
    snprintf(tail, sizeof tail, "\t%s\n", db2);
    assert_true(nl && (size_t)(nl - line) >= strlen(db2) &&
                strncmp(nl + 1 - strlen(tail), tail, strlen(tail)) == 0);
    run_result_free(&r);
    const char *jargv[] = { KAVOSH_SEARCH_BIN, "-d", db, "-d", db2, "--json", "-n", "50", "Manas", NULL };
    assert_int_equal(run_program(jargv, NULL, NULL, &r), 0);
    assert_non_null(strstr(r.out, "\"index\":\""));
    run_result_free(&r);
    const char *targv[] = { KAVOSH_SEARCH_BIN, "-d", db, "-d", db2, "-n", "50", "Manas", NULL };
    assert_int_equal(run_program(targv, NULL, NULL, &r), 0);
    snprintf(want, sizeof want, "notes.md#1 [%s]", db2);
    assert_non_null(strstr(r.out, want));
    run_result_free(&r);

    char remote[64];
    int pid = start_tcpsrv(db, remote, sizeof remote);
    if (pid == 0) {
        fprintf(stderr, "xapian-tcpsrv not installed: remote part skipped\n");
        return;
    }
    assert_true(pid > 0);
    run_result_t local;
    const char *largv[] = { KAVOSH_SEARCH_BIN, "-d", db, "--tsv", "Manas air base", NULL };
    const char *rargv[] = { KAVOSH_SEARCH_BIN, "-d", remote, "--tsv", "Manas air base", NULL };
    assert_int_equal(run_program(largv, NULL, NULL, &local), 0);
    assert_int_equal(run_program(rargv, NULL, NULL, &r), 0);
    stop_tcpsrv(pid);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, local.out);
    assert_non_null(strstr(r.out, "article.fa.md#51"));
    run_result_free(&r);
    run_result_free(&local);
}

/* The exact form of a word ranks above its other inflections (both are found). */
static void test_exact_above_stem(void **state)
{
    (void)state;
    fixture_t fx;
    fixture_new(&fx, "exact");
    const char *dir = fx.dir, *xdb = fx.db;
    write_file(dir, "a.md", "همکاری کشورها در منطقه.\n\nSanctions were imposed.\n\nвведены санкции.\n");
    write_file(dir, "b.md", "همکاری کشور در منطقه.\n\nThe sanction was imposed.\n\nвведены санкциями.\n");
    fixture_index(&fx);
    run_result_t r;
    static const struct { const char *query, *first, *second; } cases[] = {
        { "کشورها", "a.md#1", "b.md#1" }, { "کشور", "b.md#1", "a.md#1" },
        { "sanctions", "a.md#2", "b.md#2" }, { "sanction", "b.md#2", "a.md#2" },
        { "санкции", "a.md#3", "b.md#3" }, { "санкциями", "b.md#3", "a.md#3" },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const char *sargv[] = { KAVOSH_SEARCH_BIN, "-d", xdb, "--tsv", "--no-expand", cases[k].query, NULL };
        assert_int_equal(run_program(sargv, NULL, NULL, &r), 0);
        assert_int_equal(r.status, 0);
        char one[8448], two[8448];
        snprintf(one, sizeof one, "1\t1\t%s/%s\t", dir, cases[k].first);
        snprintf(two, sizeof two, "1\t2\t%s/%s\t", dir, cases[k].second);
        if (!strstr(r.out, one) || !strstr(r.out, two))
            fail_msg("query %s gave:\n%s", cases[k].query, r.out);
        run_result_free(&r);
    }
}

/* A word whose stem is the word itself has no stem term in the index
 * ("sanction"; "sanctions" has "Zsanction"): a query's stem still finds it,
 * through the exact term of the stem's letters, and marks it. */
static void test_stem_is_word(void **state)
{
    (void)state;
    fixture_t fx;
    fixture_new(&fx, "stemword");
    write_file(fx.dir, "a.md", "Sanctions were imposed.\n");
    write_file(fx.dir, "b.md", "The sanction was imposed.\n");
    fixture_index(&fx);
    kx_db_t *xdb = NULL;
    assert_int_equal(kx_db_open(fx.db, KX_OPEN_READ, &xdb, NULL), KX_OK);
    unsigned stem = 0, exact = 0;
    assert_int_equal(kx_db_term_freq(xdb, "Zsanction", &stem), KX_OK);
    assert_int_equal(kx_db_term_freq(xdb, "sanction", &exact), KX_OK);
    assert_int_equal(stem, 1);
    assert_int_equal(exact, 1);
    kx_db_close(xdb);
    const char *sargv[] = { KAVOSH_SEARCH_BIN, "-d", fx.db, "--json", "--no-expand", "sanctions", NULL };
    run_result_t r;
    assert_int_equal(run_program(sargv, NULL, NULL, &r), 0);
    assert_int_equal(r.status, 0);
    int seen = 0;
    for (char *line = strtok(r.out, "\n"); line; line = strtok(NULL, "\n")) {
        json_t *o = json_loads(line, 0, NULL);
        if (!o)
            continue;
        const char *id = json_string_value(json_object_get(o, "passage"));
        if (id && strstr(id, "b.md#1")) {
            const char *text = json_string_value(json_object_get(o, "text"));
            json_t *spans = json_object_get(o, "spans");
            assert_int_equal(json_array_size(spans), 1);
            size_t a = (size_t)json_integer_value(json_array_get(json_array_get(spans, 0), 0));
            size_t b = (size_t)json_integer_value(json_array_get(json_array_get(spans, 0), 1));
            assert_int_equal(b - a, strlen("sanction"));
            assert_memory_equal(text + a, "sanction", b - a);
            seen = 1;
        }
        json_decref(o);
    }
    assert_true(seen);
    run_result_free(&r);
}

/* Every batch query gets a record in every format: its hits, a zero-hit
 * record, or an error record with the message. A BOM, "#" comments and
 * blank lines are not queries; a NUL inside a line is an error, not a cut;
 * a trailing AND is a word. The exit status is the worst failure. */
static void test_batch_records(void **state)
{
    (void)state;
    char path[4300];
    snprintf(path, sizeof path, "%s/batch.txt", tmp);
    static const char input[] = "\xEF\xBB\xBFq1\tماناس\n# a comment\n\n   \nq2\txqzvwkjh\n"
                                "q3\tyear:abc\nq4\tروابط فرهنگی AND\nq5\tab\0cd\r\nq6\t\"جاده ابریشم\n";
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(input, 1, sizeof input - 1, f), sizeof input - 1);
    fclose(f);
    static const char *const ids[] = { "q1", "q2", "q3", "q4", "q5", "q6" };

    run_result_t r;
    const char *const tsv[] = { "--tsv", "-n", "2", "--batch", path, NULL };
    assert_int_equal(run_search(&r, NULL, tsv), 0);
    assert_int_equal(r.status, 2);   /* q3 and q5 are malformed; the rest ran */
    assert_true(strncmp(r.out, "q1\t1\t", 5) == 0);   /* no BOM in the id */
    assert_non_null(strstr(r.out, "\nq2\t0\t\t\n"));
    assert_non_null(strstr(r.out, "\nq3\terror\tmalformed query: year:"));
    assert_non_null(strstr(r.out, "\nq4\t1\t"));
    assert_non_null(strstr(r.out, "\nq5\terror\ta NUL byte at character 3"));
    assert_non_null(strstr(r.out, "\nq6\t1\t"));
    assert_null(strstr(r.out, "comment"));
    assert_non_null(strstr(r.err, "batch.txt:7: AND needs something"));
    assert_non_null(strstr(r.err, "batch.txt:8: a NUL byte"));
    /* Lines: 2 + 1 + 1 + 2 + 1 + 2 records, every one with four columns. */
    int lines = 0;
    for (const char *p = r.out; (p = strchr(p, '\n')) != NULL; p++)
        lines++;
    assert_int_equal(lines, 9);
    run_result_free(&r);

    const char *const json[] = { "--json", "-n", "2", "--batch", path, NULL };
    assert_int_equal(run_search(&r, NULL, json), 0);
    assert_int_equal(r.status, 2);
    int seen[6] = { 0 };
    for (const char *line = r.out; *line;) {
        const char *nl = strchr(line, '\n');
        json_error_t e;
        json_t *o = json_loadb(line, (size_t)(nl - line), 0, &e);
        assert_non_null(o);
        const char *qid = json_string_value(json_object_get(o, "qid"));
        assert_non_null(qid);
        for (int k = 0; k < 6; k++)
            if (strcmp(qid, ids[k]) == 0) {
                seen[k]++;
                int zero = json_integer_value(json_object_get(o, "hits")) == 0 &&
                           json_object_get(o, "hits") != NULL;
                const char *err = json_string_value(json_object_get(o, "error"));
                if (k == 1)
                    assert_true(zero && !err);
                else if (k == 2 || k == 4)
                    assert_true(zero && err && json_integer_value(json_object_get(o, "status")) == 2);
                else
                    assert_non_null(json_object_get(o, "passage"));
            }
        json_decref(o);
        line = nl + 1;
    }
    for (int k = 0; k < 6; k++)
        assert_true(seen[k] >= 1);
    run_result_free(&r);

    const char *const text[] = { "-n", "1", "--batch", path, NULL };
    assert_int_equal(run_search(&r, NULL, text), 0);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.out, "[q2] no hits\n"));
    assert_non_null(strstr(r.out, "[q3] error: malformed query"));
    assert_non_null(strstr(r.out, "[q5] error: a NUL byte"));
    run_result_free(&r);

    /* Without a malformed line: 0 when some query had hits, 1 when none did. */
    const char *const stdin_args[] = { "--tsv", "--batch", "-", NULL };
    assert_int_equal(run_search(&r, "q1\tماناس\nq2\txqzvwkjh\n", stdin_args), 0);
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    assert_int_equal(run_search(&r, "xqzvwkjh\n# ماناس\n", stdin_args), 0);
    assert_int_equal(r.status, 1);
    assert_string_equal(r.out, "1\t0\t\t\n");
    run_result_free(&r);
}

/* A batch while kavosh-index commits again and again on the same index:
 * Xapian throws DatabaseModifiedError at the reader whose revision was
 * overwritten, and kavosh-search reopens and retries: every query answered. */
static void test_batch_while_indexing(void **state)
{
    (void)state;
    fixture_t fx;
    fixture_new(&fx, "busy");
    char src[4400], copy[4400];
    snprintf(src, sizeof src, "%s/article.fa.md", KAVOSH_CORPUS_DIR);
    snprintf(copy, sizeof copy, "%s/article.fa.md", fx.dir);
    copy_file(src, copy);
    fixture_index(&fx);

    enum { QUERIES = 3000 };
    static const char *const qs[] = { "ماناس", "قرقیزستان", "شانگهای", "ایران روسیه", "Garbuzarova" };
    size_t cap = QUERIES * 64, used = 0;
    char *batch = malloc(cap);
    assert_non_null(batch);
    for (int k = 0; k < QUERIES; k++)
        used += (size_t)snprintf(batch + used, cap - used, "q%d\t%s\n", k, qs[k % 5]);

    /* The writer: kavosh-index on a changing file, in a loop, in its own
     * process group. */
    char loop[16384];
    snprintf(loop, sizeof loop,
             "i=0; while :; do i=$((i+1)); echo \"note $i ماناس\" > '%s/n.md'; "
             "'%s' -q -d '%s' '%s' || exit 1; done", fx.dir, KAVOSH_INDEX_BIN, fx.db, fx.dir);
    pid_t w = fork();
    assert_true(w >= 0);
    if (w == 0) {
        setpgid(0, 0);
        execl("/bin/sh", "sh", "-c", loop, (char *)NULL);
        _exit(127);
    }
    setpgid(w, w);
    usleep(200000);
    run_result_t r;
    const char *argv[] = { KAVOSH_SEARCH_BIN, "-d", fx.db, "--tsv", "-n", "2", "--batch", "-", NULL };
    assert_int_equal(run_program(argv, batch, NULL, &r), 0);
    kill(-w, SIGTERM);
    int ws;
    waitpid(w, &ws, 0);
    free(batch);
    if (r.status != 0)
        fail_msg("batch exit %d: %s", r.status, r.err);
    /* Every query answered once: its ids appear, in order, each with rank 1. */
    int next = 0;
    for (const char *line = r.out; *line;) {
        const char *nl = strchr(line, '\n');
        assert_non_null(nl);
        int id = -1, rank = -1;
        assert_int_equal(sscanf(line, "q%d\t%d", &id, &rank), 2);
        if (rank == 1) {
            assert_int_equal(id, next);
            next++;
        }
        line = nl + 1;
    }
    assert_int_equal(next, QUERIES);
    const char *note = strstr(r.err, "reopened ");
    fprintf(stderr, "batch of %d queries while indexing: %s\n", QUERIES,
            note ? note : "the index did not change under a query\n");
    run_result_free(&r);
}

/* Whether s is valid UTF-8 with no control bytes but newline and tab. */
static int clean_utf8(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    while (*u) {
        if (*u < 0x80) {
            if ((*u < 0x20 && *u != '\n' && *u != '\t') || *u == 0x7F)
                return 0;
            u++;
            continue;
        }
        int n = *u >= 0xF0 ? 3 : *u >= 0xE0 ? 2 : *u >= 0xC2 ? 1 : -1;
        if (n < 0)
            return 0;
        for (int k = 1; k <= n; k++)
            if ((u[k] & 0xC0) != 0x80)
                return 0;
        u += n + 1;
    }
    return 1;
}

/* A query word starting with "-" is a query, not an option: «-روسیه
 * شانگهای» is the same query as «شانگهای -روسیه» and as "-- -روسیه
 * شانگهای"; unknown options are named without a lone byte of UTF-8. */
static void test_dash_query(void **state)
{
    (void)state;
    run_result_t a, b, c;
    const char *const first[] = { "--tsv", "-روسیه شانگهای", NULL };
    const char *const split[] = { "--tsv", "-روسیه", "شانگهای", NULL };
    const char *const dashes[] = { "--tsv", "--", "-روسیه", "شانگهای", NULL };
    const char *const last[] = { "--tsv", "شانگهای -روسیه", NULL };
    assert_int_equal(run_search(&a, NULL, first), 0);
    assert_int_equal(a.status, 0);
    assert_int_equal(a.err_len, 0);
    assert_int_equal(run_search(&b, NULL, last), 0);
    assert_string_equal(a.out, b.out);
    run_result_free(&b);
    assert_int_equal(run_search(&b, NULL, split), 0);
    assert_string_equal(a.out, b.out);
    assert_int_equal(run_search(&c, NULL, dashes), 0);
    assert_string_equal(a.out, c.out);
    run_result_free(&a);
    run_result_free(&b);
    run_result_free(&c);
    /* Options still work around such words, and -nN / -dPATH attached. */
    const char *const mixed[] = { "-روسیه", "-n2", "--tsv", "شانگهای", NULL };
    assert_int_equal(run_search(&a, NULL, mixed), 0);
    assert_int_equal(a.status, 0);
    assert_non_null(strstr(a.out, "\t2\t"));
    assert_null(strstr(a.out, "\t3\t"));
    run_result_free(&a);
    /* Unknown long options and bad values: exit 2, messages clean UTF-8. */
    static const char *const bad[][3] = {
        { "--no-such-option", "x", NULL }, { "--lang=\xD8", "x", NULL }, { "--limit=ق", "x", NULL },
        { "-n", NULL, NULL }, { "--bidi=\033[31m", "x", NULL },
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        const char *const args[] = { bad[k][0], bad[k][1], NULL };
        assert_int_equal(run_search(&a, NULL, args), 0);
        assert_int_equal(a.status, 2);
        assert_true(a.err_len > 0);
        if (!clean_utf8(a.err))
            fail_msg("%s: stderr not clean: %s", bad[k][0], a.err);
        run_result_free(&a);
    }
}

/* Copy the file src to dst (for damaging a copy of the index). */
static void copy_file(const char *src, const char *dst)
{
    FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
    assert_non_null(in);
    assert_non_null(out);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    fclose(out);
}

/* Exit 3 with a hint that fits the cause: damaged, not an index, missing;
 * permission and read-only file system by their messages (the tests may
 * run as root, whom permissions do not stop). */
static void test_index_hints(void **state)
{
    (void)state;
    char bad[4300];
    snprintf(bad, sizeof bad, "%s/damaged.db", tmp);
    assert_int_equal(mkdir(bad, 0700), 0);
    static const char *const files[] = { "docdata.glass", "iamglass", "postlist.glass",
                                         "position.glass", "termlist.glass", "flintlock" };
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        char from[4400], to[4400];
        snprintf(from, sizeof from, "%s/%s", db, files[k]);
        snprintf(to, sizeof to, "%s/%s", bad, files[k]);
        struct stat sb;
        if (stat(from, &sb) == 0)
            copy_file(from, to);
    }
    char victim[4400];
    snprintf(victim, sizeof victim, "%s/docdata.glass", bad);
    assert_int_equal(truncate(victim, 5), 0);
    const char *argv[] = { KAVOSH_SEARCH_BIN, "-d", bad, "ایران", NULL };
    run_result_t r;
    assert_int_equal(run_program(argv, NULL, NULL, &r), 0);
    if (r.status != 3 || !strstr(r.err, "damaged") || !strstr(r.err, "--rebuild"))
        fail_msg("damaged index: exit %d, %s", r.status, r.err);
    run_result_free(&r);

    char folder[4300];
    snprintf(folder, sizeof folder, "%s/just-a-folder", tmp);
    assert_int_equal(mkdir(folder, 0700), 0);
    const char *argv2[] = { KAVOSH_SEARCH_BIN, "-d", folder, "ایران", NULL };
    assert_int_equal(run_program(argv2, NULL, NULL, &r), 0);
    assert_int_equal(r.status, 3);
    assert_non_null(strstr(r.err, "not a Kavosh index"));
    assert_null(strstr(r.err, "run kavosh-index first"));
    run_result_free(&r);

    assert_non_null(strstr(ki_open_hint(KX_NOT_FOUND, 0, "/x",
                                        "DatabaseOpeningError: Couldn't open /x/iamglass (Permission denied)"),
                           "may not read"));
    assert_non_null(strstr(ki_open_hint(KX_LOCKED, 1, "/x",
                                        "DatabaseLockError: Unable to get write lock on /x: (Permission denied)"),
                           "may not write"));
    assert_non_null(strstr(ki_open_hint(KX_LOCKED, 1, "/x",
                                        "DatabaseLockError: Unable to get write lock on /x: (Read-only file system)"),
                           "read-only file system"));
    assert_non_null(strstr(ki_open_hint(KX_LOCKED, 1, "/x",
                                        "DatabaseLockError: Unable to get write lock on /x: already locked"),
                           "another kavosh-index"));
    assert_non_null(strstr(ki_open_hint(KX_CORRUPT, 0, NULL, NULL), "--rebuild"));

    /* A real unreadable index and a real read-only one, for a user the
     * permissions stop: as root, the programs run as nobody (setpriv). */
    if (geteuid() == 0 && access("/usr/bin/setpriv", X_OK) == 0) {
        assert_int_equal(chmod(tmp, 0755), 0);
        char ro[4300], un[4300];
        snprintf(ro, sizeof ro, "%s/readonly.db", tmp);
        snprintf(un, sizeof un, "%s/unreadable.db", tmp);
        for (int k = 0; k < 2; k++) {
            const char *iargv[] = { KAVOSH_INDEX_BIN, "-q", "-d", k ? un : ro, KAVOSH_CORPUS_DIR, NULL };
            assert_int_equal(run_program(iargv, NULL, NULL, &r), 0);
            assert_int_equal(r.status, 0);
            run_result_free(&r);
        }
        assert_int_equal(chmod(un, 0700), 0);
        const char *probe[] = { "/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                KAVOSH_SEARCH_BIN, "--version", NULL };
        assert_int_equal(run_program(probe, NULL, NULL, &r), 0);
        int can = r.status == 0;
        run_result_free(&r);
        if (!can) {
            fprintf(stderr, "nobody cannot run the build: permission part skipped\n");
        } else {
            const char *sargv[] = { "/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
                                    "--clear-groups", KAVOSH_SEARCH_BIN, "-d", un, "ایران", NULL };
            assert_int_equal(run_program(sargv, NULL, NULL, &r), 0);
            if (r.status != 3 || !strstr(r.err, "permission denied") || !strstr(r.err, "may not read"))
                fail_msg("unreadable index: exit %d, %s", r.status, r.err);
            assert_null(strstr(r.err, "run kavosh-index first"));
            run_result_free(&r);
            const char *wargv[] = { "/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
                                    "--clear-groups", KAVOSH_INDEX_BIN, "-q", "-d", ro,
                                    KAVOSH_CORPUS_DIR, NULL };
            assert_int_equal(run_program(wargv, NULL, NULL, &r), 0);
            if (r.status != 3 || !strstr(r.err, "may not write"))
                fail_msg("read-only index: exit %d, %s", r.status, r.err);
            assert_null(strstr(r.err, "another kavosh-index"));
            run_result_free(&r);
            /* Read-only for nobody, it is still searchable. */
            const char *rargv[] = { "/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
                                    "--clear-groups", KAVOSH_SEARCH_BIN, "-d", ro, "--tsv", "ایران", NULL };
            assert_int_equal(run_program(rargv, NULL, NULL, &r), 0);
            assert_int_equal(r.status, 0);
            run_result_free(&r);
        }
    }
}

/* Unknown source:/cites: ids are said (a warning; the query finds nothing
 * through them); known ones are not. */
static void test_unknown_ids(void **state)
{
    (void)state;
    run_result_t r;
    const char *const src[] = { "--sources", "--json", NULL };
    assert_int_equal(run_search(&r, NULL, src), 0);
    json_t *first = first_json(r.out);
    assert_non_null(first);
    char known[512], unknown[600];
    snprintf(known, sizeof known, "cites:%s", json_string_value(json_object_get(first, "source")));
    snprintf(unknown, sizeof unknown, "%s999", known);
    json_decref(first);
    run_result_free(&r);
    const char *const good[] = { "--tsv", known, NULL };
    assert_int_equal(run_search(&r, NULL, good), 0);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.err_len, 0);
    run_result_free(&r);
    const char *const bad[] = { "--tsv", unknown, NULL };
    assert_int_equal(run_search(&r, NULL, bad), 0);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "warning: no bibliography entry"));
    run_result_free(&r);
    const char *const nosrc[] = { "--tsv", "--source=no-such-work", "ایران", NULL };
    assert_int_equal(run_search(&r, NULL, nosrc), 0);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "warning: no full text of 'no-such-work'"));
    run_result_free(&r);
}

/* A hit's text header names its file and line (page for paged files) as
 * the record gives them: path:line, as editors open it. */
static void test_hit_location(void **state)
{
    (void)state;
    run_result_t j, t;
    const char *const json[] = { "--json", "-n", "1", "--no-expand", "ماناس", NULL };
    const char *const text[] = { "-n", "1", "--no-expand", "ماناس", NULL };
    assert_int_equal(run_search(&j, NULL, json), 0);
    assert_int_equal(run_search(&t, NULL, text), 0);
    json_t *o = first_json(j.out);
    assert_non_null(o);
    json_t *line = json_object_get(o, "line");
    if (!json_is_integer(line)) {
        fprintf(stderr, "records carry no line: location part skipped\n");
    } else {
        const char *path = json_string_value(json_object_get(o, "path"));
        if (!path)
            path = json_string_value(json_object_get(o, "doc"));
        char want[4400];
        json_t *page = json_object_get(o, "page");
        snprintf(want, sizeof want, "%s:%lld", path,
                 (long long)json_integer_value(json_is_integer(page) ? page : line));
        const char *nl = strchr(t.out, '\n');
        assert_non_null(nl);
        const char *at = strstr(t.out, want);
        if (!at || at > nl)
            fail_msg("no %s in the header: %s", want, t.out);
    }
    json_decref(o);
    run_result_free(&j);
    run_result_free(&t);
}

/* Nothing from a document or a file name reaches the output raw: a file
 * named with an escape sequence and a passage with a bidi override are
 * shown escaped in text and TSV (JSON escapes them itself). */
static void test_no_raw_control_bytes(void **state)
{
    (void)state;
    fixture_t fx;
    fixture_new(&fx, "escapes");
    write_file(fx.dir, "a\033[31mred.md", "Manas report \xE2\x80\xAE reversed text here.\n");
    fixture_index(&fx);
    for (size_t k = 0; k < 2; k++) {
        const char *argv[] = { KAVOSH_SEARCH_BIN, "-d", fx.db, k ? "--tsv" : "--color=never",
                               "Manas", NULL };
        run_result_t r;
        assert_int_equal(run_program(argv, NULL, NULL, &r), 0);
        assert_int_equal(r.status, 0);
        assert_null(memchr(r.out, '\033', r.out_len));
        assert_null(strstr(r.out, "\xE2\x80\xAE"));
        assert_non_null(strstr(r.out, "a\\x1B[31mred.md#1"));
        if (k == 0)
            assert_non_null(strstr(r.out, "\\u202E"));
        assert_true(clean_utf8(r.err));
        run_result_free(&r);
    }
    const char *jargv[] = { KAVOSH_SEARCH_BIN, "-d", fx.db, "--json", "Manas", NULL };
    run_result_t r;
    assert_int_equal(run_program(jargv, NULL, NULL, &r), 0);
    assert_null(memchr(r.out, '\033', r.out_len));
    json_t *o = first_json(r.out);
    assert_non_null(o);
    assert_non_null(strchr(json_string_value(json_object_get(o, "passage")), '\033'));
    json_decref(o);
    run_result_free(&r);
}

static void check_snippet_edges(json_t *o, void *ctx)
{
    int *n = ctx;
    const char *text = json_string_value(json_object_get(o, "text"));
    json_t *range = json_object_get(o, "snippet_range");
    size_t ws = (size_t)json_integer_value(json_array_get(range, 0));
    size_t we = (size_t)json_integer_value(json_array_get(range, 1));
    size_t len = strlen(text);
    assert_true(ws <= we && we <= len);
    if (ws > 0 && !isspace((unsigned char)text[ws - 1]))
        fail_msg("a snippet starting inside a word: …%.*s", 40, text + ws);
    if (we < len && !isspace((unsigned char)text[we]) && !ispunct((unsigned char)text[we]))
        fail_msg("a snippet ending inside a word: %.*s…", (int)(we > 40 ? 40 : we), text + we - (we > 40 ? 40 : we));
    (*n)++;
}

/* Snippets begin and end at word boundaries, in every language. */
static void test_snippet_edges(void **state)
{
    (void)state;
    static const char *const queries[] = { "قرقیزستان", "ایران", "Russia", "Кыргызстан", "شانگهای",
                                           "soft power" };
    int n = 0;
    for (size_t k = 0; k < sizeof queries / sizeof queries[0]; k++) {
        run_result_t r;
        const char *const args[] = { "--json", "-n", "20", queries[k], NULL };
        assert_int_equal(run_search(&r, NULL, args), 0);
        each_json(r.out, check_snippet_edges, &n);
        run_result_free(&r);
    }
    assert_true(n > 40);
}

/* The time limit per query (--time-limit): forced with one nanosecond, which
 * no search reaches, the query is cut down and says so on standard error
 * and, in a batch, in a warning record; what is shown is still well-formed
 * (the first hit, the same as without a limit). Without a limit nothing is
 * cut. A bad value is a usage error. */
static void test_time_limit(void **state)
{
    (void)state;
    run_result_t r, whole;
    const char *const none[] = { "--json", "-n", "5", "--time-limit", "0", "قرقیزستان", NULL };
    assert_int_equal(run_search(&whole, NULL, none), 0);
    assert_int_equal(whole.status, 0);
    assert_null(strstr(whole.err, "cut down"));
    int n_whole = 0;
    for (const char *p = whole.out; (p = strchr(p, '\n')) != NULL; p++)
        n_whole++;
    assert_int_equal(n_whole, 5);

    const char *const tiny[] = { "--json", "-n", "5", "--time-limit=1e-9", "قرقیزستان", NULL };
    assert_int_equal(run_search(&r, NULL, tiny), 0);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "warning: query cut down: time limit 1e-09 s reached, "
                                  "results may be incomplete (match counts are estimates; "
                                  "4 more hits not shown)"));
    /* One hit, whole, and the same as the first without a limit. */
    const char *nl = strchr(r.out, '\n');
    assert_non_null(nl);
    assert_int_equal(nl[1], '\0');
    json_t *a = first_json(r.out), *b = first_json(whole.out);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(json_integer_value(json_object_get(a, "rank")), 1);
    assert_string_equal(json_string_value(json_object_get(a, "passage")),
                        json_string_value(json_object_get(b, "passage")));
    assert_non_null(json_object_get(a, "snippet"));
    json_decref(a);
    json_decref(b);
    run_result_free(&r);
    run_result_free(&whole);

    /* A batch: each query's hits, then its warning record. */
    const char *const tsv[] = { "--tsv", "-n", "3", "--time-limit", "1e-9", "--batch", "-", NULL };
    assert_int_equal(run_search(&r, "q1\tماناس\nq2\txqzvwkjh\n", tsv), 0);
    assert_int_equal(r.status, 0);
    assert_true(strncmp(r.out, "q1\t1\t", 5) == 0);
    assert_non_null(strstr(r.out, "\nq1\twarning\tquery cut down: time limit 1e-09 s reached"));
    assert_non_null(strstr(r.out, "\nq2\twarning\tquery cut down: time limit"));
    assert_non_null(strstr(r.out, "\nq2\t0\t\t\n"));
    assert_null(strstr(r.out, "\nq1\t2\t"));
    assert_non_null(strstr(r.err, "<stdin>:1: query cut down: time limit"));
    run_result_free(&r);
    const char *const json[] = { "--json", "--time-limit", "1e-9", "--batch", "-", NULL };
    assert_int_equal(run_search(&r, "q1\tماناس\n", json), 0);
    int hits = 0, warnings = 0;
    for (const char *line = r.out; *line;) {
        const char *end = strchr(line, '\n');
        assert_non_null(end);
        json_error_t e;
        json_t *o = json_loadb(line, (size_t)(end - line), 0, &e);
        assert_non_null(o);
        assert_string_equal(json_string_value(json_object_get(o, "qid")), "q1");
        if (json_object_get(o, "passage"))
            hits++;
        const char *w = json_string_value(json_object_get(o, "warning"));
        if (w) {
            assert_non_null(strstr(w, "query cut down: time limit 1e-09 s reached"));
            warnings++;
        }
        json_decref(o);
        line = end + 1;
    }
    assert_int_equal(hits, 1);
    assert_int_equal(warnings, 1);
    run_result_free(&r);

    static const char *const bad[] = { "-1", "abc", "nan", "1e9", "" };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        const char *const args[] = { "--time-limit", bad[k], "ماناس", NULL };
        assert_int_equal(run_search(&r, NULL, args), 0);
        assert_int_equal(r.status, 2);
        assert_non_null(strstr(r.err, "--time-limit wants seconds"));
        run_result_free(&r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manas_first),
        cmocka_unit_test(test_json_fields),
        cmocka_unit_test(test_nonsense_exits_1),
        cmocka_unit_test(test_missing_index_exits_3),
        cmocka_unit_test(test_usage),
        cmocka_unit_test(test_dash_query),
        cmocka_unit_test(test_malformed_queries_exit_2),
        cmocka_unit_test(test_operator_fallback),
        cmocka_unit_test(test_batch_equals_single),
        cmocka_unit_test(test_batch_records),
        cmocka_unit_test(test_time_limit),
        cmocka_unit_test(test_batch_while_indexing),
        cmocka_unit_test(test_lang_filter),
        cmocka_unit_test(test_spans_point_at_words),
        cmocka_unit_test(test_filters_restrict),
        cmocka_unit_test(test_paging),
        cmocka_unit_test(test_locked_and_schema),
        cmocka_unit_test(test_index_hints),
        cmocka_unit_test(test_unknown_ids),
        cmocka_unit_test(test_hit_location),
        cmocka_unit_test(test_no_raw_control_bytes),
        cmocka_unit_test(test_snippet_edges),
        cmocka_unit_test(test_typed_words_rank_first),
        cmocka_unit_test(test_harvested_glosses),
        cmocka_unit_test(test_lexicon_lookup),
        cmocka_unit_test(test_hostile_files),
        cmocka_unit_test(test_citations_mode),
        cmocka_unit_test(test_sources_mode),
        cmocka_unit_test(test_cites_mode),
        cmocka_unit_test(test_citation_views_formats),
        cmocka_unit_test(test_shards_and_remote),
        cmocka_unit_test(test_exact_above_stem),
        cmocka_unit_test(test_color),
        cmocka_unit_test(test_highlights_matched_terms),
        cmocka_unit_test(test_stem_is_word),
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_bidi),
        cmocka_unit_test(test_wrapping),
        cmocka_unit_test(test_dumb_terminal),
        cmocka_unit_test(test_reindex_idempotent),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
