/*
 * test_faults.c - kavosh-index on a disk that fills up (or fails with EIO),
 * made by the test-only LD_PRELOAD shim enospc_shim.c: the run stops at the
 * first refused write with one error naming the cause, exits 5, says what
 * its last commit holds, and leaves an index that opens with exactly that;
 * a rerun with room finishes and equals a clean build. --rebuild on a full
 * disk leaves the old index unchanged. And the index failing under
 * kavosh-search: a damaged table file is named (at open and by --rebuild,
 * which replaces the damaged index), and a --batch whose xapian-tcpsrv dies
 * stops with one message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run.h"

#define FIRST 6     /* files indexed before the disk fills */
#define MORE  30    /* files added afterwards */

static char *tmp, *dir, *db;

static void write_copies(int from, int to)
{
    FILE *in = fopen(KAVOSH_ARTICLE, "rb");
    assert_non_null(in);
    static char article[1 << 17];
    size_t n = fread(article, 1, sizeof article, in);
    fclose(in);
    for (int i = from; i < to; i++) {
        char name[32];
        snprintf(name, sizeof name, "a%02d.md", i);
        char *path = test_join(dir, name);
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        fprintf(f, "# copy %d\n\n", i);
        fwrite(article, 1, n, f);
        fclose(f);
        free(path);
    }
}

/* Run kavosh-index with the disk full after `after` bytes (-1: not full). */
static void run_index(run_result_t *r, long after, const char *errno_name, const char *a1,
                      const char *a2)
{
    char lim[64], eno[64];
    snprintf(lim, sizeof lim, "KAVOSH_ENOSPC_AFTER=%ld", after);
    snprintf(eno, sizeof eno, "KAVOSH_ENOSPC_ERRNO=%s", errno_name ? errno_name : "ENOSPC");
    const char *env[] = { "LD_PRELOAD=" KAVOSH_ENOSPC_SHIM, lim, eno,
                          /* The shim is not built with the sanitizers: it may come first. */
                          "ASAN_OPTIONS=exitcode=86:verify_asan_link_order=0:detect_leaks=0:new_delete_type_mismatch=0", NULL };
    const char *noenv[] = { NULL };
    const char *argv[] = { KAVOSH_INDEX_BIN, "-d", db, a1, a2, NULL };
    assert_int_equal(run_program(argv, NULL, after >= 0 ? env : noenv, r), 0);
}

static char *list_files(void)
{
    run_result_t r;
    run_index(&r, -1, NULL, "--list", NULL);
    assert_int_equal(r.status, 0);
    char *out = r.out;
    r.out = NULL;
    run_result_free(&r);
    return out;
}

static size_t count(const char *s, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void setup_corpus(void)
{
    tmp = make_temp_dir();
    assert_non_null(tmp);
    dir = test_join(tmp, "docs");
    db = test_join(tmp, "db");
    char *cmd = malloc(strlen(dir) + 16);
    snprintf(cmd, strlen(dir) + 16, "mkdir -p '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    write_copies(0, FIRST);
    run_result_t r;
    run_index(&r, -1, NULL, dir, NULL);
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    write_copies(FIRST, FIRST + MORE);
}

static void teardown_corpus(void)
{
    remove_tree(tmp);
    free(tmp);
    free(dir);
    free(db);
}

static void check_full_disk(long after, const char *errno_name, const char *cause)
{
    setup_corpus();
    char *before = list_files();
    assert_int_equal(count(before, "\n"), FIRST);

    run_result_t r;
    run_index(&r, after, errno_name, dir, NULL);
    /* Stopped at once: one error with the cause, exit 5, what is committed. */
    if (r.status != 5)
        fprintf(stderr, "status %d, stderr:\n%s\n", r.status, r.err);
    assert_int_equal(r.status, 5);
    assert_int_equal(count(r.err, "error:"), 1);
    assert_non_null(strstr(r.err, cause));
    assert_non_null(strstr(r.err, "; stopping"));
    assert_non_null(strstr(r.err, "stays at its last commit"));
    assert_null(strstr(r.err, "corrupt"));
    assert_null(strstr(r.err, " indexed, "));   /* no summary claiming files indexed */
    run_result_free(&r);

    /* The index opens and holds what its last commit held: at least the
     * first files, each whole (the crash test checks record vs passages). */
    char *after_list = list_files();
    size_t n_after = count(after_list, "\n");
    assert_true(n_after >= FIRST && n_after < FIRST + MORE);
    for (const char *line = before; *line;) {
        const char *nl = strchr(line, '\n');
        assert_non_null(nl);
        char name[64];
        size_t k = strcspn(line, "\t");
        snprintf(name, sizeof name, "%.*s\t", (int)k, line);
        assert_non_null(strstr(after_list, name));
        line = nl + 1;
    }
    free(after_list);

    /* With room again, a rerun finishes, and equals a clean build. */
    run_index(&r, -1, NULL, dir, NULL);
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    char *finished = list_files();
    assert_int_equal(count(finished, "\n"), FIRST + MORE);
    char *db_saved = db;
    db = test_join(tmp, "clean");
    run_index(&r, -1, NULL, dir, NULL);
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    char *clean = list_files();
    /* --list's columns: name, passages, bytes, hash, path: all equal. */
    assert_string_equal(finished, clean);
    free(clean);
    free(db);
    db = db_saved;
    free(finished);
    free(before);
    teardown_corpus();
}

/* The disk fills while the new files are written, at two moments. */
static void test_enospc(void **state)
{
    (void)state;
    check_full_disk(400000, NULL, "(No space left on device)");
    check_full_disk(2000000, NULL, "(No space left on device)");
}

static void test_eio(void **state)
{
    (void)state;
    check_full_disk(1000000, "EIO", "(Input/output error)");
}

/* --rebuild on a full disk: the old index is left as it was. */
static void test_rebuild_full(void **state)
{
    (void)state;
    setup_corpus();
    char *before = list_files();
    run_result_t r;
    run_index(&r, 500000, NULL, "--rebuild", dir);
    assert_int_equal(r.status, 5);
    assert_non_null(strstr(r.err, "is unchanged"));
    assert_null(strstr(r.err, "corrupt"));
    run_result_free(&r);
    char *after = list_files();
    assert_string_equal(before, after);
    free(before);
    free(after);
    teardown_corpus();
}

static void truncate_file(const char *path, long size)
{
    assert_int_equal(truncate(path, size), 0);
}

/* A truncated table file: named when the index is opened, by kavosh-search
 * and kavosh-index; --rebuild with the folders replaces it, without them
 * says why it cannot. */
static void test_damaged_index(void **state)
{
    (void)state;
    setup_corpus();
    char *table = test_join(db, "postlist.glass");
    truncate_file(table, 8192);
    run_result_t r;
    const char *search[] = { KAVOSH_SEARCH_BIN, "-d", db, "ایران", NULL };
    assert_int_equal(run_program(search, NULL, NULL, &r), 0);
    assert_int_equal(r.status, 3);
    assert_non_null(strstr(r.err, "damaged: "));
    assert_non_null(strstr(r.err, table));
    assert_non_null(strstr(r.err, "--rebuild FOLDER"));
    run_result_free(&r);

    run_index(&r, -1, NULL, dir, NULL);
    assert_int_equal(r.status, 3);
    assert_non_null(strstr(r.err, table));
    run_result_free(&r);

    run_index(&r, -1, NULL, "--rebuild", NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "is damaged and its list of folders cannot be read"));
    run_result_free(&r);

    run_index(&r, -1, NULL, "--rebuild", dir);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "is damaged ("));
    assert_non_null(strstr(r.err, table));
    run_result_free(&r);
    char *files = list_files();
    assert_int_equal(count(files, "\n"), FIRST + MORE);
    free(files);
    assert_int_equal(run_program(search, NULL, NULL, &r), 0);
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    free(table);
    teardown_corpus();
}

/* A --batch over a remote index whose server is gone after kavosh-search
 * opened it: one error for the query that failed and one saying the batch
 * stopped, not one per query. The batch comes through a FIFO, which
 * kavosh-search reads only after opening the index, so the server is
 * stopped in between. */
static void test_batch_remote_gone(void **state)
{
    (void)state;
    setup_corpus();
    char remote[64];
    int srv = start_tcpsrv(db, remote, sizeof remote);
    if (srv == 0) {
        teardown_corpus();
        skip();   /* xapian-tcpsrv is not installed */
    }
    assert_true(srv > 0);
    char *fifo = test_join(tmp, "batch.fifo");
    char *errf = test_join(tmp, "err.txt");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int e = open(errf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int o = open("/dev/null", O_WRONLY);
        dup2(e, 2);
        dup2(o, 1);
        execl(KAVOSH_SEARCH_BIN, KAVOSH_SEARCH_BIN, "-d", remote, "--tsv", "--batch", fifo,
              (char *)NULL);
        _exit(127);
    }
    int w = open(fifo, O_WRONLY);   /* returns once kavosh-search has opened the index */
    assert_true(w >= 0);
    stop_tcpsrv(srv);
    for (int i = 0; i < 50; i++) {
        char line[64];
        int n = snprintf(line, sizeof line, "q%d\tایران روسیه\n", i);
        assert_int_equal(write(w, line, (size_t)n), n);
    }
    close(w);
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 4);
    FILE *f = fopen(errf, "rb");
    assert_non_null(f);
    static char err[1 << 16];
    size_t n = fread(err, 1, sizeof err - 1, f);
    fclose(f);
    err[n] = '\0';
    if (count(err, "kavosh-search: error:") != 2)
        fprintf(stderr, "%s", err);
    assert_int_equal(count(err, "kavosh-search: error:"), 2);
    assert_non_null(strstr(err, "stopping the batch after query q0"));
    assert_non_null(strstr(err, "49 queries not run"));
    free(fifo);
    free(errf);
    teardown_corpus();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_enospc),
        cmocka_unit_test(test_eio),
        cmocka_unit_test(test_rebuild_full),
        cmocka_unit_test(test_damaged_index),
        cmocka_unit_test(test_batch_remote_gone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
