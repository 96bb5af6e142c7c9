/*
 * test_shards.c - an index split into shards gives the ranking of one index:
 * the same passages with the same scores, whether the shards are named by
 * repeated -d, by a Xapian stub database file, or one of them is served by
 * xapian-tcpsrv and named by a "remote" line of the stub; each hit is
 * named by its shard. The shards are built as the README says: one
 * kavosh-index per folder, in parallel.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run.h"

static char *tmp;

/* Copies of the article in folder a, and a few English and Russian texts in
 * folder b, so that the shards' statistics differ. */
static void write_corpus(void)
{
    FILE *in = fopen(KAVOSH_ARTICLE, "rb");
    assert_non_null(in);
    static char article[1 << 17];
    size_t n = fread(article, 1, sizeof article - 1, in);
    article[n] = '\0';
    fclose(in);
    char *a = test_join(tmp, "a"), *b = test_join(tmp, "b");
    assert_int_equal(mkdir(a, 0700), 0);
    assert_int_equal(mkdir(b, 0700), 0);
    for (int i = 0; i < 3; i++) {
        char name[32], *path;
        snprintf(name, sizeof name, "art%d.md", i);
        path = test_join(a, name);
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        fprintf(f, "copy %d\n\n%s\n", i, article);
        fclose(f);
        free(path);
    }
    static const char *const texts[] = {
        "Kyrgyzstan and the Shanghai Cooperation Organisation: security in Central Asia.\n\n"
        "Tajikistan borders Afghanistan; Iran's soft power in Tajikistan.\n",
        "Безопасность в Центральной Азии: Кыргызстан и Шанхайская организация.\n\n"
        "Иран и Таджикистан: культурные связи.\n",
        "Iran and Russia in Central Asia after 1991.\n\nThe Caspian Sea and energy security.\n",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "t%zu.md", i);
        char *path = test_join(b, name);
        test_write_file(path, texts[i]);
        free(path);
    }
    free(a);
    free(b);
}

static void index_into(const char *db, const char *const *dirs, size_t n)
{
    const char *argv[8] = { KAVOSH_INDEX_BIN, "-q", "-d", db };
    for (size_t i = 0; i < n; i++)
        argv[4 + i] = dirs[i];
    argv[4 + n] = NULL;
    run_result_t r;
    assert_int_equal(run_program(argv, NULL, NULL, &r), 0);
    if (r.status != 0)
        fail_msg("kavosh-index %s: %s", db, r.err);
    run_result_free(&r);
}

static int cmp_line(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* The hits of query on the -d arguments dbs, as sorted "score id" lines
 * (every hit, so that ties are not cut differently); the shard names are
 * checked to be among allowed (NULL: none printed). malloc'd. */
static int no_expand;   /* search with --no-expand */

static char *ranking(const char *const *dbs, size_t n, const char *query, const char *const *allowed)
{
    const char *argv[16] = { KAVOSH_SEARCH_BIN, "--tsv", "-n", "1000" };
    size_t k = 4;
    if (no_expand)
        argv[k++] = "--no-expand";
    for (size_t i = 0; i < n; i++) {
        argv[k++] = "-d";
        argv[k++] = dbs[i];
    }
    argv[k++] = query;
    argv[k] = NULL;
    run_result_t r;
    assert_int_equal(run_program(argv, NULL, NULL, &r), 0);
    if (r.status != 0)
        fail_msg("kavosh-search %s: exit %d: %s", query, r.status, r.err);
    char *lines[4096];
    size_t nl = 0;
    for (char *line = strtok(r.out, "\n"); line && nl < 4096; line = strtok(NULL, "\n")) {
        /* qid rank id score [index] */
        char *f[5] = { 0 };
        size_t nf = 0;
        for (char *p = line; p && nf < 5; nf++) {
            f[nf] = p;
            p = strchr(p, '\t');
            if (p)
                *p++ = '\0';
        }
        assert_true(nf >= 4);
        if (allowed) {
            assert_int_equal(nf, 5);
            int found = 0;
            for (size_t a = 0; allowed[a]; a++)
                found |= strcmp(allowed[a], f[4]) == 0;
            if (!found)
                fail_msg("hit %s names shard '%s'", f[2], f[4]);
        } else
            assert_int_equal(nf, 4);
        size_t len = strlen(f[2]) + strlen(f[3]) + 2;
        lines[nl] = malloc(len);
        assert_non_null(lines[nl]);
        snprintf(lines[nl], len, "%s %s", f[3], f[2]);
        nl++;
    }
    run_result_free(&r);
    assert_true(nl > 0);
    qsort(lines, nl, sizeof *lines, cmp_line);
    size_t total = 1;
    for (size_t i = 0; i < nl; i++)
        total += strlen(lines[i]) + 1;
    char *out = malloc(total);
    assert_non_null(out);
    out[0] = '\0';
    for (size_t i = 0; i < nl; i++) {
        strcat(out, lines[i]);
        strcat(out, "\n");
        free(lines[i]);
    }
    return out;
}

/* Two rankings (as ranking() gives them) hold the same passages, each with
 * scores within 3% of each other. With glossary expansion a query holds
 * Xapian SYNONYM groups, whose frequency Xapian estimates shard by shard:
 * the scores of the few passages matched through an equivalent are close,
 * not equal, so only the rankings without expansion are compared exactly. */
static int by_id(const void *x, const void *y)
{
    return strcmp(strchr(*(char *const *)x, ' '), strchr(*(char *const *)y, ' '));
}

static void assert_close(const char *r1, const char *r2)
{
    char *a = strdup(r1), *b = strdup(r2);
    char *la[4096], *lb[4096];
    size_t na = 0, nb = 0;
    for (char *s = strtok(a, "\n"); s && na < 4096; s = strtok(NULL, "\n"))
        la[na++] = s;
    for (char *s = strtok(b, "\n"); s && nb < 4096; s = strtok(NULL, "\n"))
        lb[nb++] = s;
    assert_int_equal(na, nb);
    qsort(la, na, sizeof *la, by_id);
    qsort(lb, nb, sizeof *lb, by_id);
    for (size_t i = 0; i < na; i++) {
        assert_string_equal(strchr(la[i], ' '), strchr(lb[i], ' '));
        double x = strtod(la[i], NULL), y = strtod(lb[i], NULL);
        double m = x > y ? x : y, d = x > y ? x - y : y - x;
        if (d > 0.03 * m + 1e-6)
            fail_msg("%s: score %f against %f", strchr(la[i], ' ') + 1, x, y);
    }
    free(a);
    free(b);
}

static void test_shards_rank_as_one(void **state)
{
    (void)state;
    write_corpus();
    char *a = test_join(tmp, "a"), *b = test_join(tmp, "b");
    char *one = test_join(tmp, "one.db"), *sa = test_join(tmp, "sa.db"), *sb = test_join(tmp, "sb.db");
    char *stub = test_join(tmp, "shards.stub"), *rstub = test_join(tmp, "remote.stub");
    const char *both[] = { a, b };
    index_into(one, both, 2);

    /* The shards, built in parallel as the README shows. */
    pid_t pa = fork();
    assert_true(pa >= 0);
    if (pa == 0) {
        execl(KAVOSH_INDEX_BIN, KAVOSH_INDEX_BIN, "-q", "-d", sa, a, (char *)NULL);
        _exit(127);
    }
    index_into(sb, (const char *const *)&b, 1);
    int st = 0;
    assert_int_equal(waitpid(pa, &st, 0), pa);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);

    /* A stub file names them relative to its own folder. */
    test_write_file(stub, "# the two shards\nauto sa.db\nauto sb.db\n");

    static const char *const queries[] = { "Kyrgyzstan security", "Иран Таджикистан",
                                           "قرقیزستان امنیت", "Central Asia Iran", NULL };
    const char *d_one[] = { one };
    const char *d_two[] = { sa, sb };
    const char *d_stub[] = { stub };
    const char *names_two[] = { sa, sb, NULL };
    char *stub_a = test_join(tmp, "sa.db"), *stub_b = test_join(tmp, "sb.db");
    const char *names_stub[] = { stub_a, stub_b, NULL };
    for (no_expand = 1; no_expand >= 0; no_expand--)
        for (size_t q = 0; queries[q]; q++) {
            char *r1 = ranking(d_one, 1, queries[q], NULL);
            char *r2 = ranking(d_two, 2, queries[q], names_two);
            char *r3 = ranking(d_stub, 1, queries[q], names_stub);
            if (no_expand) {
                assert_string_equal(r1, r2);
                assert_string_equal(r1, r3);
            } else {
                assert_close(r1, r2);
                assert_close(r1, r3);
            }
            free(r1);
            free(r2);
            free(r3);
        }

    /* One shard served by xapian-tcpsrv, named by a remote line. */
    char remote[64];
    int pid = start_tcpsrv(sb, remote, sizeof remote);
    if (pid == 0) {
        printf("xapian-tcpsrv not installed: the remote shard is not tested\n");
    } else {
        assert_true(pid > 0);
        char text[256], tcp_name[80];
        snprintf(text, sizeof text, "auto sa.db\nremote %s\n", remote + 4);
        snprintf(tcp_name, sizeof tcp_name, "%s", remote);
        test_write_file(rstub, text);
        const char *d_remote[] = { rstub };
        const char *names_remote[] = { stub_a, tcp_name, NULL };
        for (no_expand = 1; no_expand >= 0; no_expand--)
            for (size_t q = 0; queries[q]; q++) {
                char *r1 = ranking(d_one, 1, queries[q], NULL);
                char *r4 = ranking(d_remote, 1, queries[q], names_remote);
                if (no_expand)
                    assert_string_equal(r1, r4);
                else
                    assert_close(r1, r4);
                free(r1);
                free(r4);
            }
        stop_tcpsrv(pid);
    }
    free(stub_a);
    free(stub_b);
    free(a);
    free(b);
    free(one);
    free(sa);
    free(sb);
    free(stub);
    free(rstub);
}

static int setup(void **state)
{
    (void)state;
    tmp = make_temp_dir();
    return tmp ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    remove_tree(tmp);
    free(tmp);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shards_rank_as_one),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
