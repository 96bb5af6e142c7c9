/*
 * test_translit.c - consonant skeletons (indexer/analysis/translit.h).
 *
 * Tables in this folder: skeletons.tsv pins one rule per line (word and its
 * exact skeleton); meet.tsv lists spellings of one name in several scripts
 * that must meet; apart.tsv pairs of different names that must not. Every
 * spelling is first folded by the analyzer's own ka_fold, so the skeletons
 * are those of the terms Kavosh indexes. The test prints recall and the
 * false-match rate, and fails below the levels reached when it was written.
 * Odd input (NULL, empty, overlong, invalid UTF-8, mixed scripts, random
 * bytes) must never crash and must keep the output well-formed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analyzer.h"
#include "translit.h"

#ifndef TRANSLIT_TEST_DATA_DIR
#define TRANSLIT_TEST_DATA_DIR "."
#endif

/* The levels reached when the tables were written (see the report printed
 * by the test): a change to the rules that loses names or lets different
 * names meet fails here. */
#define MIN_RECALL       0.92
#define MAX_FALSE_MATCH  0.12

#define MAX_LINE   4096
#define MAX_FIELDS 8

typedef struct fixture {
    ka_analyzer_t *a;
    ka_translit_t *t;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    if (f == NULL || ka_analyzer_new(&f->a) != KA_OK)
        return -1;
    f->t = ka_translit_new();
    if (f->t == NULL)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    ka_translit_free(f->t);
    ka_analyzer_free(f->a);
    free(f);
    return 0;
}

/* The skeleton of a spelling as Kavosh would see it: folded by the analyzer,
 * with the spaces between words removed (the analyzer's joined tokens). */
static void skeleton_of(fixture_t *f, const char *text, char *out, size_t cap)
{
    size_t flen = 0;
    const char *folded = ka_fold(f->a, text, strlen(text), &flen);
    assert_non_null(folded);
    char word[MAX_LINE];
    size_t w = 0;
    for (size_t i = 0; i < flen && w + 1 < sizeof word; i++)
        if (folded[i] != ' ')
            word[w++] = folded[i];
    size_t len = 99;
    assert_int_equal(ka_translit_skeleton(f->t, word, w, out, cap, &len), KA_OK);
    assert_int_equal(len, strlen(out));
}

/* Split a line of a table into tab-separated fields (in place). Returns the
 * number of fields; 0 for comments and empty lines. */
static int split_line(char *line, char **field)
{
    line[strcspn(line, "\r\n")] = '\0';
    if (line[0] == '#' || line[0] == '\0')
        return 0;
    int n = 0;
    char *p = line;
    for (;;) {
        if (n < MAX_FIELDS)
            field[n++] = p;
        char *tab = strchr(p, '\t');
        if (tab == NULL)
            break;
        *tab = '\0';
        p = tab + 1;
    }
    return n;
}

static FILE *open_table(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", TRANSLIT_TEST_DATA_DIR, name);
    FILE *fp = fopen(path, "r");
    if (fp == NULL)
        fail_msg("cannot open %s", path);
    return fp;
}

static void test_skeletons(void **state)
{
    fixture_t *f = *state;
    FILE *fp = open_table("skeletons.tsv");
    char line[MAX_LINE], *field[MAX_FIELDS];
    int cases = 0, bad = 0;
    while (fgets(line, sizeof line, fp) != NULL) {
        int n = split_line(line, field);
        if (n == 0)
            continue;
        const char *want = n >= 2 ? field[1] : "";
        char got[KA_TRANSLIT_SKELETON_CAP];
        skeleton_of(f, field[0], got, sizeof got);
        cases++;
        if (strcmp(got, want) != 0) {
            bad++;
            printf("skeleton: %s -> \"%s\", expected \"%s\"\n", field[0], got, want);
        }
    }
    fclose(fp);
    printf("skeletons: %d cases, %d wrong\n", cases, bad);
    assert_true(cases >= 20);
    assert_int_equal(bad, 0);
}

static void test_meet(void **state)
{
    fixture_t *f = *state;
    FILE *fp = open_table("meet.tsv");
    char line[MAX_LINE], *field[MAX_FIELDS];
    int names = 0, met = 0, spellings = 0;
    /* The skeleton of each name's first spelling, to count how often two
     * different names of the table collide. */
    static char first[512][KA_TRANSLIT_SKELETON_CAP];
    while (fgets(line, sizeof line, fp) != NULL) {
        int n = split_line(line, field);
        if (n == 0)
            continue;
        assert_true(n >= 2);
        assert_true(names < 512);
        char sk[MAX_FIELDS][KA_TRANSLIT_SKELETON_CAP];
        int ok = 1;
        for (int i = 0; i < n; i++) {
            skeleton_of(f, field[i], sk[i], sizeof sk[i]);
            if (sk[i][0] == '\0' || strcmp(sk[i], sk[0]) != 0)
                ok = 0;
        }
        memcpy(first[names], sk[0], sizeof first[names]);
        names++;
        spellings += n;
        if (ok) {
            met++;
        } else {
            printf("miss:");
            for (int i = 0; i < n; i++)
                printf(" %s=%s", field[i], sk[i][0] ? sk[i] : "-");
            printf("\n");
        }
    }
    fclose(fp);
    double recall = names ? (double)met / names : 0.0;
    printf("meet: %d names (%d spellings), %d meet in every spelling: recall %.3f\n",
           names, spellings, met, recall);
    int pairs = 0, collide = 0;
    for (int i = 0; i < names; i++)
        for (int j = i + 1; j < names; j++) {
            pairs++;
            if (first[i][0] != '\0' && strcmp(first[i], first[j]) == 0) {
                collide++;
                printf("collision between names %d and %d: %s\n", i + 1, j + 1, first[i]);
            }
        }
    printf("meet: %d pairs of different names in the table, %d collide: %.4f\n",
           pairs, collide, pairs ? (double)collide / pairs : 0.0);
    assert_true(names >= 60);
    assert_true(recall >= MIN_RECALL);
    assert_true(collide <= pairs / 500);
}

static void test_apart(void **state)
{
    fixture_t *f = *state;
    FILE *fp = open_table("apart.tsv");
    char line[MAX_LINE], *field[MAX_FIELDS];
    int pairs = 0, meet = 0;
    while (fgets(line, sizeof line, fp) != NULL) {
        int n = split_line(line, field);
        if (n == 0)
            continue;
        assert_int_equal(n, 2);
        pairs++;
        char a[KA_TRANSLIT_SKELETON_CAP], b[KA_TRANSLIT_SKELETON_CAP];
        skeleton_of(f, field[0], a, sizeof a);
        skeleton_of(f, field[1], b, sizeof b);
        if (a[0] != '\0' && strcmp(a, b) == 0) {
            meet++;
            printf("false match: %s ~ %s (%s)\n", field[0], field[1], a);
        }
    }
    fclose(fp);
    double rate = pairs ? (double)meet / pairs : 1.0;
    printf("apart: %d pairs, %d meet: false-match rate %.3f\n", pairs, meet, rate);
    assert_true(pairs >= 20);
    assert_true(rate <= MAX_FALSE_MATCH);
}

/* The output is always a NUL-terminated string of the skeleton alphabet. */
static void assert_well_formed(const char *out, size_t len)
{
    assert_int_equal(strlen(out), len);
    for (size_t i = 0; i < len; i++)
        assert_non_null(strchr("btdszjcwlmnrkv", out[i]));
    assert_true(len == 0 || len >= KA_TRANSLIT_MIN_SKELETON);
}

static void test_arguments(void **state)
{
    fixture_t *f = *state;
    char out[KA_TRANSLIT_SKELETON_CAP];
    size_t len = 7;

    assert_int_equal(ka_translit_skeleton(NULL, "manas", 5, out, sizeof out, &len), KA_ERR_ARG);
    assert_int_equal(len, 0);
    assert_int_equal(ka_translit_skeleton(f->t, NULL, 5, out, sizeof out, &len), KA_ERR_ARG);
    assert_int_equal(ka_translit_skeleton(f->t, "manas", 5, NULL, 10, &len), KA_ERR_ARG);
    assert_int_equal(ka_translit_skeleton(f->t, "manas", 5, out, 0, &len), KA_ERR_ARG);
    assert_int_equal(ka_translit_skeleton(f->t, "manas", 5, out, sizeof out, NULL), KA_ERR_ARG);

    /* Empty input: no skeleton, not an error; NULL is fine with length 0. */
    len = 7;
    assert_int_equal(ka_translit_skeleton(f->t, NULL, 0, out, sizeof out, &len), KA_OK);
    assert_int_equal(len, 0);
    assert_string_equal(out, "");

    /* A skeleton that does not fit: an error and an empty string, twice
     * (the second time from the cache). */
    for (int k = 0; k < 2; k++) {
        len = 7;
        assert_int_equal(ka_translit_skeleton(f->t, "manas", 5, out, 3, &len), KA_ERR_ARG);
        assert_int_equal(len, 0);
        assert_string_equal(out, "");
    }
    assert_int_equal(ka_translit_skeleton(f->t, "manas", 5, out, 4, &len), KA_OK);
    assert_string_equal(out, "mns");

    /* Free of NULL is allowed; stats of NULL report zeros. */
    ka_translit_free(NULL);
    size_t h = 1, m = 1, e = 1;
    ka_translit_stats(NULL, &h, &m, &e);
    assert_int_equal(h + m + e, 0);
}

static void test_odd_input(void **state)
{
    fixture_t *f = *state;
    char out[KA_TRANSLIT_SKELETON_CAP];
    size_t len;
    static const char *const odd[] = {
        "\xff\xfe\xfd", "\xd0", "\xe2\x82", "\xf4\x90\x80\x80", "\xed\xa0\x80",
        "\xc0\xaf", "manas\xff", "\xd9\x85\xd8\xa7\xd9\x86\xd8\xa7\xd8\xb3\xd0",
        "kyrgyzقرقیزКыргыз", "atamÄbayev", "ata-mbayev", "’‘«»", "\xe2\x80\x8c",
        "مک\xe2\x80\x8cمیلان", "ΑΘΗΝΑ", "東京", "ـــ", "ّّّ", ".....", "ьъьъ",
        "zh·e", "y", "ww", "xxxxxxxx", "щщщщщщщщ",
    };
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        len = 99;
        assert_int_equal(ka_translit_skeleton(f->t, odd[i], strlen(odd[i]), out, sizeof out, &len),
                         KA_OK);
        assert_well_formed(out, len);
    }

    /* Mixed scripts are read run by run: each part gives its own classes. */
    assert_int_equal(ka_translit_skeleton(f->t, "manasماناس", strlen("manasماناس"), out,
                                          sizeof out, &len), KA_OK);
    assert_string_equal(out, "mnsmns");

    /* At the length limit, a word still gets a skeleton; above it, none. */
    char lng[KA_TRANSLIT_MAX_WORD + 2];
    for (size_t i = 0; i < sizeof lng - 1; i++)
        lng[i] = "xbt"[i % 3];
    lng[sizeof lng - 1] = '\0';
    assert_int_equal(ka_translit_skeleton(f->t, lng, KA_TRANSLIT_MAX_WORD, out, sizeof out, &len),
                     KA_OK);
    assert_true(len > 0);
    assert_well_formed(out, len);
    assert_int_equal(ka_translit_skeleton(f->t, lng, KA_TRANSLIT_MAX_WORD + 1, out, sizeof out,
                                          &len), KA_OK);
    assert_int_equal(len, 0);

    /* The worst expansion at the limit fits in KA_TRANSLIT_SKELETON_CAP:
     * x gives two classes per byte, and different neighbours keep them. */
    char xs[KA_TRANSLIT_MAX_WORD + 1];
    for (size_t i = 0; i < KA_TRANSLIT_MAX_WORD; i++)
        xs[i] = "xd"[i % 2];
    xs[KA_TRANSLIT_MAX_WORD] = '\0';
    assert_int_equal(ka_translit_skeleton(f->t, xs, KA_TRANSLIT_MAX_WORD, out, sizeof out, &len),
                     KA_OK);
    assert_int_equal(len, KA_TRANSLIT_MAX_WORD / 2 * 3);
    assert_well_formed(out, len);

    /* Cyrillic at the limit: ICU's longest expansion (щ -> shch). */
    char sh[KA_TRANSLIT_MAX_WORD + 1];
    for (size_t i = 0; i + 1 < KA_TRANSLIT_MAX_WORD; i += 2)
        memcpy(sh + i, "\xd1\x89", 2);   /* щ */
    assert_int_equal(ka_translit_skeleton(f->t, sh, KA_TRANSLIT_MAX_WORD, out, sizeof out, &len),
                     KA_OK);
    assert_well_formed(out, len);
}

/* xorshift64: a seeded generator, so a failure can be replayed. */
static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void test_random_bytes(void **state)
{
    fixture_t *f = *state;
    /* Bytes drawn from pieces of every script involved, plus raw bytes. */
    static const char *const piece[] = {
        "a", "sh", "kh", "zh", "dzh", "w", "x", "c", "u", "h", "s", "dg",
        "\xd0\xb0", "\xd1\x89", "\xd1\x8c", "\xd0\xb9", "\xd3\xa9", "\xd2\xb7",
        "\xd8\xa7", "\xd9\x88", "\xd9\x87", "\xdb\x8c", "\xd9\x84", "\xd8\xaf",
        "\xd8\xb9", "\xd9\x8b", "\xe2\x80\x8c", "\xff", "\xc3", "\xe0\xa4",
        " ", "-", "\xc2\xb7", "\xca\xb9",
    };
    uint64_t seed = 0x5eed7a11u;
    char word[KA_TRANSLIT_MAX_WORD + 16], out[KA_TRANSLIT_SKELETON_CAP];
    char again[KA_TRANSLIT_SKELETON_CAP];
    for (int n = 0; n < 20000; n++) {
        size_t len = 0, parts = next_rand(&seed) % 40;
        for (size_t k = 0; k < parts; k++) {
            const char *p = piece[next_rand(&seed) % (sizeof piece / sizeof piece[0])];
            size_t pl = strlen(p);
            if (len + pl > KA_TRANSLIT_MAX_WORD + 8)
                break;
            memcpy(word + len, p, pl);
            len += pl;
        }
        size_t ol = 99, ol2 = 98;
        assert_int_equal(ka_translit_skeleton(f->t, word, len, out, sizeof out, &ol), KA_OK);
        assert_well_formed(out, ol);
        /* The cached answer is the computed one. */
        assert_int_equal(ka_translit_skeleton(f->t, word, len, again, sizeof again, &ol2), KA_OK);
        assert_int_equal(ol, ol2);
        assert_string_equal(out, again);
    }
}

static void test_cache(void **state)
{
    (void)state;
    ka_translit_t *t = ka_translit_new();
    assert_non_null(t);
    char out[KA_TRANSLIT_SKELETON_CAP], first[KA_TRANSLIT_SKELETON_CAP];
    size_t len, h, m, e;

    assert_int_equal(ka_translit_skeleton(t, "атамбаев", strlen("атамбаев"), first,
                                          sizeof first, &len), KA_OK);
    assert_string_equal(first, "tmbv");
    assert_int_equal(ka_translit_skeleton(t, "атамбаев", strlen("атамбаев"), out,
                                          sizeof out, &len), KA_OK);
    assert_string_equal(out, first);
    ka_translit_stats(t, &h, &m, &e);
    assert_int_equal(h, 1);
    assert_int_equal(m, 1);
    assert_int_equal(e, 1);

    /* More distinct words than the cache holds: it is emptied and refilled,
     * never grows past its bound, and answers stay right. */
    char w[32];
    for (unsigned i = 0; i < KA_TRANSLIT_CACHE_MAX + 1000; i++) {
        int n = snprintf(w, sizeof w, "b%c%cr%ct%c", 'a' + i % 26, 'a' + i / 26 % 26,
                         'a' + i / 676 % 26, 'a' + i / 17576 % 26);
        assert_int_equal(ka_translit_skeleton(t, w, (size_t)n, out, sizeof out, &len), KA_OK);
        assert_well_formed(out, len);
        ka_translit_stats(t, NULL, NULL, &e);
        assert_true(e <= KA_TRANSLIT_CACHE_MAX);
    }
    ka_translit_stats(t, NULL, NULL, &e);
    assert_true(e < KA_TRANSLIT_CACHE_MAX);
    assert_int_equal(ka_translit_skeleton(t, "атамбаев", strlen("атамбаев"), out,
                                          sizeof out, &len), KA_OK);
    assert_string_equal(out, first);
    ka_translit_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_skeletons),
        cmocka_unit_test(test_meet),
        cmocka_unit_test(test_apart),
        cmocka_unit_test(test_arguments),
        cmocka_unit_test(test_odd_input),
        cmocka_unit_test(test_random_bytes),
        cmocka_unit_test(test_cache),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
