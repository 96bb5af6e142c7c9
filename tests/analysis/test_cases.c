/*
 * test_cases.c - the table of analyzer cases (cases.tsv), one cmocka test per line.
 *
 * Each line: mode (doc|query), what is checked, input, expected. The check
 * renders the analyzer's output as one string that is compared with the
 * expected column:
 *   terms    exact terms of the words, space-separated (joined pairs left out)
 *   stems    their stems without the "Z" prefix, "-" for none
 *   tokens   every token as term/stem, "+" before joined pairs, "!" after
 *            stop words (stem "-" when none)
 *   joined   only the joined pairs, as term/stem@start-end
 *   offsets  each word's start-end in bytes of the input
 *   pos      every token as term@pos (joined pairs included)
 *   scripts  each word's script: a(rabic) c(yrillic) l(atin) d(igit) o(ther)
 *   lens     each word's term and stem lengths in bytes, as t/s
 *   lang     ka_guess_lang of the input
 *   fold     ka_fold of the input
 * "(none)" stands for an empty input or expectation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ka_test_util.h"

static ka_analyzer_t *analyzer;

typedef struct strbuf {
    char *p;
    size_t n, cap;
} strbuf_t;

static void sb_put(strbuf_t *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->n + n + 1)
            cap *= 2;
        b->p = realloc(b->p, cap);
        assert_non_null(b->p);
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void sb_str(strbuf_t *b, const char *s) { sb_put(b, s, strlen(s)); }

static void sb_fmt(strbuf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_fmt(strbuf_t *b, const char *fmt, ...)
{
    char tmp[64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    sb_put(b, tmp, (size_t)n);
}

static void sb_sep(strbuf_t *b)
{
    if (b->n > 0)
        sb_str(b, " ");
}

static void sb_stem(strbuf_t *b, const ka_test_tok_t *t)
{
    if (t->stem == NULL) {
        sb_str(b, "-");
        return;
    }
    assert_true(t->stem_len >= 1);
    assert_int_equal(t->stem[0], KA_PREFIX_STEM[0]);
    sb_put(b, t->stem + 1, t->stem_len - 1);
}

static const char script_letter[] = { 'o', 'a', 'c', 'l', 'd' };

static void render(const char *check, const ka_test_toks_t *toks, strbuf_t *b)
{
    for (size_t i = 0; i < toks->n; i++) {
        const ka_test_tok_t *t = &toks->v[i];
        int joined = (t->flags & KA_TOK_JOINED) != 0;
        if (strcmp(check, "terms") == 0) {
            if (joined) continue;
            sb_sep(b);
            sb_put(b, t->term, t->term_len);
        } else if (strcmp(check, "stems") == 0) {
            if (joined) continue;
            sb_sep(b);
            sb_stem(b, t);
        } else if (strcmp(check, "tokens") == 0) {
            sb_sep(b);
            if (joined) sb_str(b, "+");
            sb_put(b, t->term, t->term_len);
            if (t->flags & KA_TOK_STOPWORD) sb_str(b, "!");
            sb_str(b, "/");
            sb_stem(b, t);
        } else if (strcmp(check, "joined") == 0) {
            if (!joined) continue;
            sb_sep(b);
            sb_put(b, t->term, t->term_len);
            sb_str(b, "/");
            sb_stem(b, t);
            sb_fmt(b, "@%zu-%zu", t->start, t->end);
        } else if (strcmp(check, "offsets") == 0) {
            if (joined) continue;
            sb_sep(b);
            sb_fmt(b, "%zu-%zu", t->start, t->end);
        } else if (strcmp(check, "pos") == 0) {
            sb_sep(b);
            sb_put(b, t->term, t->term_len);
            sb_fmt(b, "@%u", t->pos);
        } else if (strcmp(check, "scripts") == 0) {
            if (joined) continue;
            sb_sep(b);
            assert_true(t->script <= KA_SCRIPT_DIGIT);
            sb_put(b, &script_letter[t->script], 1);
        } else if (strcmp(check, "lens") == 0) {
            if (joined) continue;
            sb_sep(b);
            sb_fmt(b, "%zu/%zu", t->term_len, t->stem_len);
        } else {
            fail_msg("unknown check '%s'", check);
        }
    }
}

static void run_case(void **state)
{
    const ka_test_row_t *r = *state;
    assert_int_equal(r->nfields, 4);
    const char *mode_s = r->field[0], *check = r->field[1];
    const char *input = r->field[2];
    size_t input_len = r->flen[2];
    if (strcmp(input, "(none)") == 0)
        input_len = 0;
    const char *expected = strcmp(r->field[3], "(none)") == 0 ? "" : r->field[3];
    ka_mode_t mode = KA_QUERY;
    if (strcmp(mode_s, "doc") == 0)
        mode = KA_DOCUMENT;
    else if (strcmp(mode_s, "query") == 0)
        mode = KA_QUERY;
    else
        fail_msg("line %d: unknown mode '%s'", r->lineno, mode_s);

    strbuf_t b = { 0 };
    sb_str(&b, "");
    if (strcmp(check, "lang") == 0) {
        sb_str(&b, ka_guess_lang(analyzer, input, input_len));
    } else if (strcmp(check, "fold") == 0) {
        size_t fl = 0;
        const char *f = ka_fold(analyzer, input, input_len, &fl);
        assert_non_null(f);
        assert_int_equal(strlen(f), fl);
        sb_put(&b, f, fl);
    } else {
        ka_test_toks_t toks = { 0 };
        assert_int_equal(ka_test_collect(analyzer, mode, input, input_len, &toks), KA_OK);
        render(check, &toks, &b);
        ka_test_toks_free(&toks);
    }
    if (strcmp(b.p, expected) != 0) {
        print_error("cases.tsv line %d (%s):\n  expected: [%s]\n  actual:   [%s]\n",
                    r->lineno, check, expected, b.p);
        free(b.p);
        fail();
    }
    free(b.p);
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : KA_TEST_DATA_DIR "/cases.tsv";
    size_t n = 0;
    ka_test_row_t *rows = ka_test_read_table(path, &n);
    if (ka_analyzer_new(&analyzer) != KA_OK) {
        fprintf(stderr, "test_cases: cannot create the analyzer\n");
        return 2;
    }
    struct CMUnitTest *tests = calloc(n ? n : 1, sizeof *tests);
    char **names = calloc(n ? n : 1, sizeof *names);
    for (size_t i = 0; i < n; i++) {
        names[i] = malloc(96);
        snprintf(names[i], 96, "line %d %s %.40s", rows[i].lineno,
                 rows[i].nfields > 1 ? rows[i].field[1] : "?", rows[i].nfields > 2 ? rows[i].field[2] : "");
        for (char *c = names[i]; *c; c++)
            if ((unsigned char)*c < 0x20)
                *c = ' ';
        tests[i].name = names[i];
        tests[i].test_func = run_case;
        tests[i].initial_state = &rows[i];
    }
    printf("cases.tsv: %zu cases\n", n);
    int failed = _cmocka_run_group_tests("analysis_cases", tests, n, NULL, NULL);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(tests);
    ka_analyzer_free(analyzer);
    ka_test_free_table(rows, n);
    return failed ? 1 : 0;
}
