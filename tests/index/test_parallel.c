/*
 * test_parallel.c - kavosh-index -j N: a new index built by N workers and
 * merged is the index one writer builds (the same files, passages, hashes,
 * bibliography, full texts of cited works, hits and scores, in the same
 * order), for a new index and for --rebuild, with nothing left beside it;
 * an existing index is updated in place as before; -j is checked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "run.h"

#define COPIES 12

static char *tmp, *dir;

static void write_file(const char *name, const char *text)
{
    char *p = test_join(dir, name);
    test_write_file(p, text);
    free(p);
}

/* COPIES copies of the article, each made unique, and two full texts of
 * works the copies cite: one by its header, one by sources.tsv. */
static void write_corpus(void)
{
    FILE *in = fopen(KAVOSH_ARTICLE, "rb");
    assert_non_null(in);
    static char article[1 << 17];
    size_t n = fread(article, 1, sizeof article - 1, in);
    article[n] = '\0';
    fclose(in);
    for (int i = 0; i < COPIES; i++) {
        char name[32];
        snprintf(name, sizeof name, "a%02d.md", i);
        char *path = test_join(dir, name);
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        fprintf(f, "copy %d\n\n%s\n\nپاراگراف ویژه %d درباره سمرقند.\n", i, article, i);
        fclose(f);
        free(path);
    }
    write_file("full1.md", "<!-- kavosh-source: a03.md#ref-1 -->\n\n# Full text\n\n"
                           "The full text of a cited work about Kyrgyzstan and Samarkand.\n");
    write_file("full2.md", "The second full text, about Tashkent and the Shanghai pact.\n");
    write_file("sources.tsv", "full2.md\ta05.md#ref-2\n");
}

static void write_file_at(const char *path)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("x", f);
    fclose(f);
}

static run_result_t run(const char *const *argv)
{
    run_result_t r;
    assert_int_equal(run_program(argv, NULL, NULL, &r), 0);
    return r;
}

static void index_new(const char *db, const char *jobs, int rebuild)
{
    const char *argv[] = { KAVOSH_INDEX_BIN, "-q", "-j", jobs, "-d", db,
                           rebuild ? "--rebuild" : dir, rebuild ? dir : NULL, NULL };
    run_result_t r = run(argv);
    if (r.status != 0)
        fail_msg("kavosh-index -j %s exited %d: %s", jobs, r.status, r.err);
    run_result_free(&r);
}

/* Everything a user sees of the index at db, as one string (malloc'd). */
static char *view(const char *db)
{
    static const char *const queries[] = { "سمرقند", "قرقیزستان", "Kyrgyzstan", "\"ویژه 7\"",
                                           "Tashkent", "شانگهای امنیت", NULL };
    size_t cap = 1 << 20, len = 0;
    char *all = malloc(cap);
    assert_non_null(all);
    all[0] = '\0';
#define APPEND(s)                                                         \
    do {                                                                  \
        size_t l_ = strlen(s);                                            \
        while (len + l_ + 1 > cap) {                                      \
            cap *= 2;                                                     \
            all = realloc(all, cap);                                      \
            assert_non_null(all);                                         \
        }                                                                 \
        memcpy(all + len, s, l_ + 1);                                     \
        len += l_;                                                        \
    } while (0)
    const char *list[] = { KAVOSH_INDEX_BIN, "-d", db, "--list", NULL };
    run_result_t r = run(list);
    assert_int_equal(r.status, 0);
    APPEND(r.out);
    run_result_free(&r);
    for (size_t i = 0; queries[i]; i++) {
        const char *argv[] = { KAVOSH_SEARCH_BIN, "-d", db, "--tsv", "-n", "20", queries[i], NULL };
        r = run(argv);
        APPEND(queries[i]);
        APPEND("\n");
        APPEND(r.out);
        run_result_free(&r);
    }
    const char *src[] = { KAVOSH_SEARCH_BIN, "-d", db, "--sources", NULL };
    r = run(src);
    APPEND(r.out);
    run_result_free(&r);
    const char *of[] = { KAVOSH_SEARCH_BIN, "-d", db, "--tsv", "--source", "a03.md#ref-1",
                         "Samarkand", NULL };
    r = run(of);
    APPEND(r.out);
    run_result_free(&r);
#undef APPEND
    return all;
}

static int leftovers(const char *db)
{
    const char *base = strrchr(db, '/') + 1;
    DIR *d = opendir(tmp);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strncmp(e->d_name, base, strlen(base)) == 0 && strlen(e->d_name) > strlen(base))
            n++;
    closedir(d);
    return n;
}

static void test_same_index(void **state)
{
    (void)state;
    char *one = test_join(tmp, "one.db"), *three = test_join(tmp, "three.db"), *two = test_join(tmp, "two.db");
    index_new(one, "1", 0);
    index_new(three, "3", 0);
    char *v1 = view(one), *v3 = view(three);
    /* The view is not empty: the queries find the copies and the full texts. */
    assert_non_null(strstr(v1, "a11.md#"));
    assert_non_null(strstr(v1, "full1.md#"));
    assert_non_null(strstr(v1, "full2.md"));
    assert_string_equal(v1, v3);
    assert_int_equal(leftovers(three), 0);

    /* --rebuild by two workers gives it again, in place of the old index. */
    index_new(two, "1", 0);
    write_file("a00.md", "copy 0 changed\n\nسمرقند\n");
    index_new(two, "2", 1);
    index_new(one, "1", 1);
    char *r1 = view(one), *r2 = view(two);
    assert_string_not_equal(r1, v1);
    assert_string_equal(r1, r2);
    assert_int_equal(leftovers(two), 0);

    /* An update of an existing index is incremental: a00 and a01 changed since it was built. */
    write_file("a01.md", "copy 1 changed\n\nسمرقند\n");
    const char *argv[] = { KAVOSH_INDEX_BIN, "-v", "-j", "4", "-d", three, dir, NULL };
    run_result_t r = run(argv);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "14 files: 2 indexed, 12 unchanged"));
    run_result_free(&r);
    free(v1);
    free(v3);
    free(r1);
    free(r2);
    free(one);
    free(two);
    free(three);
}

static void make_file_in(const char *d, const char *name)
{
    mkdir(d, 0700);
    char *p = test_join(d, name);
    write_file_at(p);
    free(p);
}

/* What a run killed while Xapian was creating a part or the merged index
 * leaves (a folder with only some of glass's files) is cleared by the next
 * build; a folder with anything else in it is left alone, and the build
 * refuses to start. */
static void test_half_created_leftovers(void **state)
{
    (void)state;
    char *db = test_join(tmp, "left.db");
    char *part = test_join(tmp, "left.db.rebuild.part1"), *cpt = test_join(tmp, "left.db.compact");
    /* A new index is created beside its path (left.db.new) and renamed into
     * place, so a run killed then leaves no folder at left.db that is not an
     * index; what it leaves beside is cleared like the rest. */
    char *created = test_join(tmp, "left.db.new");
    make_file_in(created, "postlist.glass");
    make_file_in(part, "flintlock");
    make_file_in(cpt, "postlist.glass");
    make_file_in(cpt, "v.tmp");
    index_new(db, "2", 0);
    struct stat sb;
    assert_int_not_equal(stat(part, &sb), 0);
    assert_int_not_equal(stat(cpt, &sb), 0);
    assert_int_not_equal(stat(created, &sb), 0);
    assert_int_equal(leftovers(db), 0);
    free(created);

    char *other = test_join(tmp, "left.db.rebuild.part3");
    make_file_in(other, "notes.txt");
    const char *argv[] = { KAVOSH_INDEX_BIN, "-q", "-j", "2", "--rebuild", "-d", db, dir, NULL };
    run_result_t r = run(argv);
    assert_int_equal(r.status, 4);
    assert_non_null(strstr(r.err, "in the way"));
    run_result_free(&r);
    assert_int_equal(stat(other, &sb), 0);
    free(db);
    free(part);
    free(cpt);
    free(other);
}

static void test_bad_jobs(void **state)
{
    (void)state;
    static const char *const bad[] = { "0", "-2", "x", "3x", "100000", "" };
    char *db = test_join(tmp, "bad.db");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *argv[] = { KAVOSH_INDEX_BIN, "-j", bad[i], "-d", db, dir, NULL };
        run_result_t r = run(argv);
        assert_int_equal(r.status, 2);
        assert_non_null(strstr(r.err, "-j wants a number"));
        run_result_free(&r);
    }
    struct stat sb;
    assert_int_not_equal(stat(db, &sb), 0);
    free(db);
}

static int setup(void **state)
{
    (void)state;
    tmp = make_temp_dir();
    if (!tmp)
        return -1;
    dir = test_join(tmp, "texts");
    if (mkdir(dir, 0700) != 0)
        return -1;
    write_corpus();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    remove_tree(tmp);
    free(tmp);
    free(dir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_index),
        cmocka_unit_test(test_half_created_leftovers),
        cmocka_unit_test(test_bad_jobs),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
