/*
 * test_offsets.c - offsets point at the right bytes; robustness on random input.
 *
 *  - On the bundled article (argv[1]) and on the inputs of cases.tsv
 *    (argv[2]), every word's offsets delimit original bytes whose own
 *    normalization is the word's term: so a highlight shows what was matched.
 *  - The article analysed whole (several chunks inside the analyzer) gives the
 *    same tokens as the article analysed paragraph by paragraph.
 *  - Random bytes and random mixtures of awkward fragments (seeded, so every
 *    run is the same) never crash, and every token is well-formed: offsets in
 *    bounds, valid UTF-8 terms shorter than Xapian's limit, positions in order.
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

/* Xapian's limit (kavosh_xapian.h): terms must be shorter, with the prefix. */
#define MAX_TERM_BYTES 245

static const char *article_path;
static const char *cases_path;

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 65536 > cap) {
            cap = cap ? cap * 2 : 131072;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    *len = n;
    return buf;
}

static int valid_utf8(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned c = p[i];
        size_t need;
        unsigned lo = 0x80, hi = 0xBF;
        if (c < 0x80) { i++; continue; }
        else if (c >= 0xC2 && c <= 0xDF) need = 1;
        else if (c >= 0xE0 && c <= 0xEF) { need = 2; if (c == 0xE0) lo = 0xA0; if (c == 0xED) hi = 0x9F; }
        else if (c >= 0xF0 && c <= 0xF4) { need = 3; if (c == 0xF0) lo = 0x90; if (c == 0xF4) hi = 0x8F; }
        else return 0;
        for (size_t k = 1; k <= need; k++) {
            if (i + k >= len || p[i + k] < lo || p[i + k] > hi)
                return 0;
            lo = 0x80;
            hi = 0xBF;
        }
        i += need + 1;
    }
    return 1;
}

/* The invariants every token stream must satisfy. */
static void check_well_formed(const ka_test_toks_t *toks, size_t len)
{
    unsigned last_pos = 0;
    size_t last_start = 0;
    for (size_t i = 0; i < toks->n; i++) {
        const ka_test_tok_t *t = &toks->v[i];
        assert_true(t->start < t->end);
        assert_true(t->end <= len);
        assert_true(t->start >= last_start);   /* text order */
        last_start = t->start;
        assert_true(t->term_len > 0);
        assert_true(t->term_len + 1 < MAX_TERM_BYTES);
        assert_int_equal(strlen(t->term), t->term_len);
        assert_true(valid_utf8(t->term, t->term_len));
        if (t->stem != NULL) {
            assert_true(t->stem_len >= 1 && t->stem_len < MAX_TERM_BYTES);
            assert_int_equal(t->stem[0], 'Z');
            assert_int_equal(strlen(t->stem), t->stem_len);
            assert_true(valid_utf8(t->stem, t->stem_len));
        } else {
            assert_true(t->script == KA_SCRIPT_DIGIT || t->script == KA_SCRIPT_OTHER);
        }
        if (t->flags & KA_TOK_JOINED) {
            /* Same position and start as the word before it (or the
             * reading before it of the same dotted acronym): a Persian
             * pair, or a dotted acronym in Latin letters. */
            assert_true(i > 0);
            assert_int_equal(t->pos, toks->v[i - 1].pos);
            assert_int_equal(t->start, toks->v[i - 1].start);
            assert_true(t->script == KA_SCRIPT_ARABIC || t->script == KA_SCRIPT_LATIN);
        } else {
            assert_int_equal(t->pos, last_pos + 1);
            last_pos = t->pos;
        }
    }
}

/* Latin and Cyrillic look-alike letters (tokenize.c unifies them inside a
 * word), as UTF-8 pairs. */
static const char *const lookalike_pairs[][2] = {
    { "a", "а" }, { "b", "в" }, { "c", "с" }, { "e", "е" }, { "h", "н" }, { "k", "к" },
    { "m", "м" }, { "o", "о" }, { "p", "р" }, { "t", "т" }, { "x", "х" }, { "y", "у" },
};

/* Do a and b differ only by look-alike letters? */
static int same_but_lookalikes(const char *a, const char *b)
{
    while (*a && *b) {
        if (*a == *b) {
            a++;
            b++;
            continue;
        }
        int ok = 0;
        for (size_t i = 0; i < sizeof lookalike_pairs / sizeof lookalike_pairs[0] && !ok; i++) {
            for (int d = 0; d < 2 && !ok; d++) {
                const char *x = lookalike_pairs[i][d], *y = lookalike_pairs[i][!d];
                size_t xl = strlen(x), yl = strlen(y);
                if (strncmp(a, x, xl) == 0 && strncmp(b, y, yl) == 0) {
                    a += xl;
                    b += yl;
                    ok = 1;
                }
            }
        }
        if (!ok)
            return 0;
    }
    return *a == *b;
}

/* The original bytes of each word, normalized alone, give its term. */
static void check_offsets(ka_analyzer_t *a, const char *text, const ka_test_toks_t *toks)
{
    for (size_t i = 0; i < toks->n; i++) {
        const ka_test_tok_t *t = &toks->v[i];
        if (t->flags & KA_TOK_JOINED)
            continue;
        size_t fl = 0;
        const char *f = ka_fold(a, text + t->start, t->end - t->start, &fl);
        assert_non_null(f);
        char want[1024];
        size_t wl = 0;
        for (size_t k = 0; k < fl && wl < sizeof want - 1; k++) {
            /* Thousands separators are dropped from numbers. */
            if (t->script == KA_SCRIPT_DIGIT && f[k] == ',')
                continue;
            want[wl++] = f[k];
        }
        /* English possessives are dropped from the term. */
        if (t->script == KA_SCRIPT_LATIN && wl > 2 && want[wl - 2] == '\'' && want[wl - 1] == 's')
            wl -= 2;
        want[wl] = '\0';
        /* Overlong words are cut: then the term is a prefix. */
        if (t->term_len >= MAX_TERM_BYTES - 6) {
            assert_true(wl >= t->term_len);
            assert_memory_equal(want, t->term, t->term_len);
            continue;
        }
        if ((wl != t->term_len || memcmp(want, t->term, wl) != 0) && !same_but_lookalikes(want, t->term))
            fail_msg("bytes %zu-%zu fold to [%s], term is [%s]", t->start, t->end, want, t->term);
    }
}

static void test_article_offsets(void **state)
{
    ka_analyzer_t *a = *state;
    size_t len;
    char *text = read_file(article_path, &len);
    ka_test_toks_t toks = { 0 };
    assert_int_equal(ka_test_collect(a, KA_DOCUMENT, text, len, &toks), KA_OK);
    assert_true(toks.n > 5000);
    check_well_formed(&toks, len);
    check_offsets(a, text, &toks);
    ka_test_toks_free(&toks);
    free(text);
}

static void test_cases_offsets(void **state)
{
    ka_analyzer_t *a = *state;
    size_t n;
    ka_test_row_t *rows = ka_test_read_table(cases_path, &n);
    ka_test_toks_t toks = { 0 };
    for (size_t i = 0; i < n; i++) {
        if (rows[i].nfields < 3)
            continue;
        const char *in = rows[i].field[2];
        size_t len = rows[i].flen[2];
        assert_int_equal(ka_test_collect(a, KA_QUERY, in, len, &toks), KA_OK);
        check_well_formed(&toks, len);
        check_offsets(a, in, &toks);
    }
    ka_test_toks_free(&toks);
    ka_test_free_table(rows, n);
}

/* Whole article (cut into chunks inside the analyzer) = paragraph by paragraph. */
static void test_chunks_invisible(void **state)
{
    ka_analyzer_t *a = *state;
    size_t len;
    char *text = read_file(article_path, &len);
    ka_test_toks_t whole = { 0 }, part = { 0 };
    assert_int_equal(ka_test_collect(a, KA_DOCUMENT, text, len, &whole), KA_OK);

    size_t k = 0;            /* next token of `whole` to compare */
    unsigned pos_base = 0;
    size_t p = 0;
    while (p < len) {
        const char *brk = NULL;
        for (size_t q = p; q + 1 < len; q++)
            if (text[q] == '\n' && text[q + 1] == '\n') {
                brk = text + q + 2;
                break;
            }
        size_t end = brk ? (size_t)(brk - text) : len;
        assert_int_equal(ka_test_collect(a, KA_DOCUMENT, text + p, end - p, &part), KA_OK);
        unsigned last = 0;
        for (size_t i = 0; i < part.n; i++, k++) {
            assert_true(k < whole.n);
            const ka_test_tok_t *w = &whole.v[k], *t = &part.v[i];
            assert_string_equal(w->term, t->term);
            if (t->stem) assert_string_equal(w->stem, t->stem);
            assert_int_equal(w->start, t->start + p);
            assert_int_equal(w->end, t->end + p);
            assert_int_equal(w->pos, t->pos + pos_base);
            assert_int_equal(w->flags, t->flags);
            last = t->pos;
        }
        pos_base += last;
        p = end;
    }
    assert_int_equal(k, whole.n);
    ka_test_toks_free(&whole);
    ka_test_toks_free(&part);
    free(text);
}

/* xorshift64*: a fixed, portable sequence. */
static uint64_t rng_state;
static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}

static const char *const fragments[] = {
    "ایران", "می\xe2\x80\x8cشود", "\xe2\x80\x8c", "\xe2\x80\x8d", " ", "  ", "\n", "\n\n", "،", "؛",
    "«", "»", "\xd9\x8b", "\xd9\x91", "\xd9\x80", "\xd9\x94", "ۀ", "ي", "ك", "۱۴۰۱", "/", "٫", "٬",
    "Ёлка", "за\xcc\x81мок", "Iran’s", "'s", "'", ".", ",", "-", "_", "ﻻ", "ﷲ", "ﷺ", "\xef\xbf\xbd",
    "\xff", "\xc3", "\xe0\x80", "\xed\xa0\x80", "\xf0\x9f\x98\x80", "\xf4\x90", "\x00", "a", "Z",
    "1", "λ", "中文", "\xcc\x81", "\xd8", "ß", "İ", "ǅ", "\xe2\x80\x8f", "ـ",
    "ئ", "ؤ", "أ", "ء", "و", "ی", "ا", "ه", "Mо", "а",
};

static void fuzz_one(ka_analyzer_t *a, const char *buf, size_t len, ka_test_toks_t *toks)
{
    assert_int_equal(ka_test_collect(a, rng() & 1 ? KA_QUERY : KA_DOCUMENT, buf, len, toks), KA_OK);
    check_well_formed(toks, len);
    /* ka_fold and ka_guess_lang on the same bytes must not crash either. */
    size_t fl;
    assert_non_null(ka_fold(a, buf, len, &fl));
    assert_non_null(ka_guess_lang(a, buf, len));
}

static void test_fuzz(void **state)
{
    ka_analyzer_t *a = *state;
    enum { MAXLEN = 700 };
    /* KA_FUZZ_ROUNDS and KA_FUZZ_SEED let a developer run a longer search
     * (for instance 200000 rounds under the sanitizers); ctest uses the defaults. */
    const char *env_rounds = getenv("KA_FUZZ_ROUNDS"), *env_seed = getenv("KA_FUZZ_SEED");
    long rounds = env_rounds ? atol(env_rounds) : 3000;
    char *buf = malloc(300000);
    assert_non_null(buf);
    ka_test_toks_t toks = { 0 };
    rng_state = env_seed ? strtoull(env_seed, NULL, 0) | 1 : 0x9E3779B97F4A7C15ULL;
    for (long r = 0; r < rounds; r++) {
        size_t len = 0, want = (size_t)(rng() % MAXLEN);
        if (r % 2 == 0) {
            /* Raw random bytes, biased towards the high half where UTF-8 lives. */
            for (; len < want; len++)
                buf[len] = (char)(rng() % 3 ? (0x80 | (rng() & 0x7F)) : (rng() & 0xFF));
        } else {
            /* A mixture of fragments chosen to meet every normalization rule. */
            size_t nf = sizeof fragments / sizeof fragments[0];
            while (len < want) {
                size_t f = (size_t)(rng() % nf);
                size_t fl = fragments[f][0] == '\0' ? 1 : strlen(fragments[f]);   /* the NUL fragment */
                memcpy(buf + len, fragments[f], fl);
                len += fl;
            }
        }
        fuzz_one(a, buf, len, &toks);
    }
    /* Large inputs cross the analyzer's chunk boundaries, also inside words. */
    for (int r = 0; r < 6; r++) {
        size_t len = 150000 + (size_t)(rng() % 100000);
        for (size_t i = 0; i < len; i++)
            buf[i] = r < 3 ? "\xd8\xa8\xd9\x8c\xe2\x80\x8c"[i % 7] : (char)(rng() & 0xFF);
        fuzz_one(a, buf, len, &toks);
    }
    ka_test_toks_free(&toks);
    free(buf);
}

static int setup(void **state)
{
    ka_analyzer_t *a;
    if (ka_analyzer_new(&a) != KA_OK)
        return -1;
    *state = a;
    return 0;
}

static int teardown(void **state)
{
    ka_analyzer_free(*state);
    return 0;
}

int main(int argc, char **argv)
{
    article_path = argc > 1 ? argv[1] : KA_TEST_DATA_DIR "/../../corpus/article.fa.md";
    cases_path = argc > 2 ? argv[2] : KA_TEST_DATA_DIR "/cases.tsv";
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_article_offsets),
        cmocka_unit_test(test_cases_offsets),
        cmocka_unit_test(test_chunks_invisible),
        cmocka_unit_test(test_fuzz),
    };
    return cmocka_run_group_tests_name("analysis_offsets", tests, setup, teardown);
}
