/*
 * test_crash.c - kavosh-index killed with SIGKILL at several moments of a
 * run that replaces every file: the index must always open and be
 * consistent (each file record's passage count equals the passages indexed
 * under that file, and no passage lacks a record), and a rerun must finish
 * the work; and --rebuild killed or interrupted at several moments leaves
 * the old index whole until the new one is swapped in; and fresh and
 * incremental runs (files added, changed, deleted) killed or interrupted at
 * several moments stay consistent and finish, on a rerun, as a clean build
 * would. The moments vary
 * with the machine's speed; the invariants hold whenever the kill lands, so
 * the test cannot fail by timing alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kavosh_xapian.h"
#include "run.h"
#include "schema.h"

/* Enough text that a run outlasts the indexer's 5-second commit interval
 * under the sanitizers, so kills land before, between and after commits. */
#define COPIES 48

static char *tmp, *dir, *db;
static size_t v1_passages;   /* passages of one file in version 1 */

/* Write every copy, version v: v > 1 adds a paragraph, so passage counts
 * tell the versions apart. */
static void write_corpus(int v)
{
    FILE *in = fopen(KAVOSH_ARTICLE, "rb");
    assert_non_null(in);
    static char article[1 << 17];
    size_t n = fread(article, 1, sizeof article, in);
    fclose(in);
    for (int i = 0; i < COPIES; i++) {
        char name[32];
        snprintf(name, sizeof name, "a%02d.md", i);
        char *path = test_join(dir, name);
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        fprintf(f, "copy %d\n\n", i);
        fwrite(article, 1, n, f);
        if (v > 1)
            fprintf(f, "\n\nنسخه %d از این متن.\n", v);
        fclose(f);
        free(path);
    }
}

typedef struct check {
    kx_db_t *db;
    unsigned records, passages, v1, v2;
    int      bad;
} check_t;

static int check_record(void *ctx, const char *key)
{
    check_t *c = ctx;
    char *rec = NULL;
    assert_int_equal(kx_db_get_metadata(c->db, key, &rec), KX_OK);
    if (*rec) {
        unsigned long long hash;
        size_t bytes, n;
        assert_int_equal(sscanf(rec, "%llx %zu %zu", &hash, &bytes, &n), 3);
        char *term = malloc(strlen(key) + 2);
        assert_non_null(term);
        sprintf(term, "%s%s", KI_PREFIX_FILE, key + strlen(KI_META_FILE));
        unsigned freq = 0;
        assert_int_equal(kx_db_term_freq(c->db, term, &freq), KX_OK);
        if (freq != n) {
            fprintf(stderr, "%s: record says %zu passages, index has %u\n", key, n, freq);
            c->bad = 1;
        }
        c->records++;
        c->passages += freq;
        if (!v1_passages)
            v1_passages = n;
        c->v2 += n == v1_passages + 1;
        free(term);
    }
    kx_free(rec);
    return 0;
}

/* The invariant; returns the number of file records, *v2 those of version 2. */
static unsigned check_index(unsigned *v2)
{
    kx_db_t *x = NULL;
    char *detail = NULL;
    kx_status_t st = kx_db_open(db, KX_OPEN_READ, &x, &detail);
    if (st != KX_OK)
        fail_msg("index does not open after a kill: %s", detail ? detail : "");
    check_t c = { .db = x };
    assert_int_equal(kx_db_metadata_keys(x, KI_META_FILE, check_record, &c), KX_OK);
    kx_db_stats_t stats;
    assert_int_equal(kx_db_stats(x, &stats), KX_OK);
    /* No passage without its file's record. */
    assert_int_equal(stats.doc_count, c.passages);
    assert_false(c.bad);
    kx_db_close(x);
    if (v2)
        *v2 = c.v2;
    return c.records;
}

static int run_index(void)
{
    const char *argv[] = { KAVOSH_INDEX_BIN, "-q", "-d", db, dir, NULL };
    run_result_t r;
    assert_int_equal(run_program(argv, NULL, NULL, &r), 0);
    int status = r.status;
    run_result_free(&r);
    return status;
}

/* Start kavosh-index (with --rebuild and no PATH if rebuild is 1, a new
 * index if 2; both by three workers), send it sig after ms milliseconds. */
static void run_and_signal(long ms, int rebuild, int sig)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        freopen("/dev/null", "w", stderr);
        if (rebuild == 2)   /* a new index, three workers */
            execl(KAVOSH_INDEX_BIN, KAVOSH_INDEX_BIN, "-q", "-j", "3", "-d", db, dir, (char *)NULL);
        else if (rebuild)
            execl(KAVOSH_INDEX_BIN, KAVOSH_INDEX_BIN, "-q", "-j", "3", "--rebuild", "-d", db,
                  (char *)NULL);
        else
            execl(KAVOSH_INDEX_BIN, KAVOSH_INDEX_BIN, "-q", "-d", db, dir, (char *)NULL);
        _exit(127);
    }
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&t, NULL);
    kill(pid, sig);
    waitpid(pid, NULL, 0);
}

static void run_and_kill(long ms)
{
    run_and_signal(ms, 0, SIGKILL);
}

static int exists(const char *suffix);

/* A new index is built by workers beside the empty one and swapped in:
 * killed at any moment, the index is empty or complete, never half. */
static void test_new_index_killed(void **state)
{
    (void)state;
    write_corpus(1);
    static const long moments[] = { 100, 700, 1500, 3000 };
    for (size_t k = 0; k < sizeof moments / sizeof moments[0]; k++) {
        remove_tree(db);
        run_and_signal(moments[k], 2, SIGKILL);
        struct stat sb;
        if (stat(db, &sb) != 0) {
            printf("new index killed after %ld ms: not created yet\n", moments[k]);
            continue;
        }
        unsigned records = check_index(NULL);
        if (records != 0 && records != COPIES)
            fail_msg("a new index killed after %ld ms has %u of %d files", moments[k], records,
                     COPIES);
        printf("new index killed after %ld ms: %s\n", moments[k],
               records ? "complete" : "empty, as before the run");
    }
    /* A --rebuild finishes and clears what the killed runs left. */
    const char *argv[] = { KAVOSH_INDEX_BIN, "-q", "-j", "3", "--rebuild", "-d", db, dir, NULL };
    run_result_t r;
    assert_int_equal(run_program(argv, NULL, NULL, &r), 0);
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    assert_int_equal(check_index(NULL), COPIES);
    assert_false(exists(".rebuild"));
    assert_false(exists(".compact"));
    assert_false(exists(".rebuild.part0"));
    assert_false(exists(".rebuild.part2"));
    remove_tree(db);
}

static void test_kill_anywhere(void **state)
{
    (void)state;
    write_corpus(1);
    assert_int_equal(run_index(), 0);
    assert_int_equal(check_index(NULL), COPIES);

    /* Every file changes; kills land at various points of the replacing run. */
    write_corpus(2);
    static const long moments[] = { 300, 2500, 6000, 9000 };
    for (size_t k = 0; k < sizeof moments / sizeof moments[0]; k++) {
        run_and_kill(moments[k]);
        unsigned v2 = 0, records = check_index(&v2);
        assert_int_equal(records, COPIES);
        printf("killed after %ld ms: consistent; %u of %u files already in the new version\n",
               moments[k], v2, records);
    }
    /* A rerun finishes the job: every file in its new version. */
    assert_int_equal(run_index(), 0);
    unsigned v2 = 0;
    assert_int_equal(check_index(&v2), COPIES);
    assert_int_equal(v2, COPIES);
    const char *argv[] = { KAVOSH_INDEX_BIN, "-d", db, "--list", NULL };
    run_result_t r;
    assert_int_equal(run_program(argv, NULL, NULL, &r), 0);
    /* v2 has one passage more than v1 in every file: all records agree. */
    char first[64];
    const char *tab = strchr(r.out, '\t');
    assert_non_null(tab);
    snprintf(first, sizeof first, "%.*s", (int)(strchr(tab + 1, '\t') - tab - 1), tab + 1);
    int v2_passages = atoi(first);
    for (const char *line = r.out; line && *line;) {
        const char *t = strchr(line, '\t');
        assert_non_null(t);
        assert_int_equal(atoi(t + 1), v2_passages);
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    run_result_free(&r);
}

/* kavosh-index -d path --list, malloc'd. */
static char *list_of(const char *path)
{
    const char *argv[] = { KAVOSH_INDEX_BIN, "-d", path, "--list", NULL };
    run_result_t r;
    assert_int_equal(run_program(argv, NULL, NULL, &r), 0);
    assert_int_equal(r.status, 0);
    char *out = r.out;
    r.out = NULL;
    run_result_free(&r);
    return out;
}

/* Bytes of the files of a database directory. */
static long long db_bytes(const char *path)
{
    static const char *const tables[] = { "docdata.glass", "position.glass", "postlist.glass",
                                          "termlist.glass", "iamglass" };
    long long total = 0;
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        char *p = test_join(path, tables[i]);
        struct stat sb;
        if (stat(p, &sb) == 0)
            total += (long long)sb.st_size;
        free(p);
    }
    return total;
}

static int exists(const char *suffix)
{
    char p[4200];
    snprintf(p, sizeof p, "%s%s", db, suffix);
    struct stat sb;
    return lstat(p, &sb) == 0;
}

/* --rebuild builds the new index beside the old one and swaps it in at the
 * end: killed (or interrupted) at any moment, the index at db is the old
 * one, whole, or the new one, whole; never a mixture, never empty. */
static void test_rebuild_killed(void **state)
{
    (void)state;
    /* The index as test_kill_anywhere left it: every file in version 2. */
    char *old_list = list_of(db);
    assert_int_equal(check_index(NULL), COPIES);
    /* Version 3: same passages, other content hashes. What a complete
     * rebuild gives, built apart: */
    write_corpus(3);
    char *ref = test_join(tmp, "ref.db");
    /* One writer in place: the index as built incrementally, not compacted
     * (a new index is built and compacted as --rebuild builds it, so it is
     * made first from an empty folder, and the files come in place after). */
    char *empty = test_join(tmp, "empty");
    assert_int_equal(mkdir(empty, 0700), 0);
    const char *eargv[] = { KAVOSH_INDEX_BIN, "-q", "-j", "1", "-d", ref, empty, NULL };
    const char *argv[] = { KAVOSH_INDEX_BIN, "-q", "-j", "1", "-d", ref, dir, NULL };
    run_result_t r;
    assert_int_equal(run_program(eargv, NULL, NULL, &r), 0);
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    assert_int_equal(run_program(argv, NULL, NULL, &r), 0);
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    free(empty);
    char *new_list = list_of(ref);
    assert_string_not_equal(old_list, new_list);

    static const struct { long ms; int sig; } moments[] = {
        { 50, SIGKILL }, { 400, SIGKILL }, { 1200, SIGINT }, { 2500, SIGKILL },
        { 4500, SIGTERM }, { 8000, SIGKILL },
    };
    for (size_t k = 0; k < sizeof moments / sizeof moments[0]; k++) {
        run_and_signal(moments[k].ms, 1, moments[k].sig);
        assert_int_equal(check_index(NULL), COPIES);
        char *now = list_of(db);
        int is_old = strcmp(now, old_list) == 0, is_new = strcmp(now, new_list) == 0;
        if (!is_old && !is_new)
            fail_msg("after signal %d at %ld ms the index is neither the old nor the new one:\n%s",
                     moments[k].sig, moments[k].ms, now);
        printf("--rebuild signalled (%d) after %ld ms: the %s index, whole%s\n", moments[k].sig,
               moments[k].ms, is_old ? "old" : "new",
               exists(".rebuild") || exists(".compact") ? " (leftovers beside it)" : "");
        free(now);
    }
    /* A rerun finishes: the new index, compacted, nothing left beside it. */
    const char *rargv[] = { KAVOSH_INDEX_BIN, "-q", "-j", "3", "--rebuild", "-d", db, NULL };
    assert_int_equal(run_program(rargv, NULL, NULL, &r), 0);
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    char *now = list_of(db);
    assert_string_equal(now, new_list);
    assert_int_equal(check_index(NULL), COPIES);
    assert_false(exists(".rebuild"));
    assert_false(exists(".compact"));
    assert_false(exists(".aside"));
    assert_false(exists(".rebuild.part0"));
    assert_false(exists(".rebuild.part1"));
    long long built = db_bytes(ref), compacted = db_bytes(db);
    printf("--rebuild: %lld bytes compacted, %lld bytes as built incrementally\n", compacted,
           built);
    assert_true(compacted < built);
    free(now);
    free(old_list);
    free(new_list);
    free(ref);
}

/* Start kavosh-index on index path over dir, send it sig after ms ms. */
static void signal_run_on(const char *path, long ms, int sig)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        freopen("/dev/null", "w", stderr);
        execl(KAVOSH_INDEX_BIN, KAVOSH_INDEX_BIN, "-q", "-d", path, dir, (char *)NULL);
        _exit(127);
    }
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&t, NULL);
    kill(pid, sig);
    waitpid(pid, NULL, 0);
}

/* Remove a few copies and write a few new ones (version v), so that a run
 * adds, replaces and deletes. */
static void change_some(int v)
{
    for (int i = 0; i < COPIES; i += 5) {
        char name[32];
        snprintf(name, sizeof name, "a%02d.md", i);
        char *path = test_join(dir, name);
        if (i % 10 == 0)
            unlink(path);
        else {
            FILE *f = fopen(path, "ab");
            assert_non_null(f);
            fprintf(f, "\n\nبند افزوده %d در نسخه %d.\n", i, v);
            fclose(f);
        }
        free(path);
    }
    for (int i = 0; i < 3; i++) {
        char name[32];
        snprintf(name, sizeof name, "new%d-%d.md", v, i);
        char *path = test_join(dir, name);
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        fprintf(f, "# نو %d\n\nمتن تازه %d درباره ایران و قرقیزستان.\n", i, v);
        fclose(f);
        free(path);
    }
}

/* A fresh run and incremental runs (files added, changed, deleted) killed
 * with SIGKILL or interrupted with SIGINT/SIGTERM at several moments: the
 * index always opens with every file record matching its passages (each
 * file wholly old or wholly new), and a rerun equals a clean build. */
static void test_fresh_and_incremental_signalled(void **state)
{
    (void)state;
    char *saved = db;
    char *fresh = test_join(tmp, "fresh.db"), *ref = test_join(tmp, "clean.db");
    static const struct { long ms; int sig; } moments[] = {
        { 100, SIGKILL }, { 600, SIGINT }, { 1500, SIGKILL }, { 3000, SIGINT },
        { 4500, SIGTERM }, { 6500, SIGKILL },
    };
    /* Fresh: from no index at all. */
    for (size_t k = 0; k < sizeof moments / sizeof moments[0]; k++) {
        remove_tree(fresh);
        signal_run_on(fresh, moments[k].ms, moments[k].sig);
        struct stat sb;
        if (stat(fresh, &sb) != 0) {
            printf("fresh run signalled (%d) after %ld ms: no index yet\n", moments[k].sig,
                   moments[k].ms);
            continue;
        }
        db = fresh;
        unsigned records = check_index(NULL);
        db = saved;
        assert_true(records <= COPIES);
        printf("fresh run signalled (%d) after %ld ms: consistent, %u of %u files in\n",
               moments[k].sig, moments[k].ms, records, COPIES);
    }
    /* The rerun of the last one equals a clean build. */
    db = fresh;
    assert_int_equal(run_index(), 0);
    db = ref;
    assert_int_equal(run_index(), 0);
    db = saved;
    char *a = list_of(fresh), *b = list_of(ref);
    assert_string_equal(a, b);
    free(a);
    free(b);

    /* Incremental: each round changes some files, adds and deletes others. */
    for (size_t k = 0; k < sizeof moments / sizeof moments[0]; k++) {
        change_some((int)k + 10);
        signal_run_on(fresh, moments[k].ms, moments[k].sig);
        db = fresh;
        unsigned records = check_index(NULL);
        db = saved;
        printf("incremental run signalled (%d) after %ld ms: consistent, %u files\n",
               moments[k].sig, moments[k].ms, records);
    }
    db = fresh;
    assert_int_equal(run_index(), 0);
    check_index(NULL);
    remove_tree(ref);
    db = ref;
    assert_int_equal(run_index(), 0);
    db = saved;
    a = list_of(fresh);
    b = list_of(ref);
    assert_string_equal(a, b);
    free(a);
    free(b);
    free(fresh);
    free(ref);
}

static int setup(void **state)
{
    (void)state;
    tmp = make_temp_dir();
    if (!tmp)
        return -1;
    dir = test_join(tmp, "texts");
    db = test_join(tmp, "db");
    return mkdir(dir, 0700);
}

static int teardown(void **state)
{
    (void)state;
    remove_tree(tmp);
    free(tmp);
    free(dir);
    free(db);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_index_killed),
        cmocka_unit_test(test_kill_anywhere),
        cmocka_unit_test(test_rebuild_killed),
        cmocka_unit_test(test_fresh_and_incremental_signalled),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
