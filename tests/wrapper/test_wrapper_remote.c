/*
 * test_wrapper_remote.c - "tcp:HOST:PORT" paths against a real
 * xapian-tcpsrv started by the test on a free local port. Skipped when
 * xapian-tcpsrv is not installed.
 */
#define _XOPEN_SOURCE 700
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "kx_test_util.h"
#include "run.h"

/* How long the server may take to start listening: 100 tries, 50 ms apart. */
#define CONNECT_TRIES 100
#define CONNECT_PAUSE_NS 50000000L

struct server {
    char *dir;
    char *db_path;
    pid_t pid;
    char remote[64];
};

static int setup(void **state)
{
    struct server *s = calloc(1, sizeof *s);
    assert_non_null(s);
    *state = s;
    if (system("xapian-tcpsrv --version >/dev/null 2>&1") != 0)
        return 0;
    s->dir = kxt_tmpdir();
    s->db_path = kxt_join(s->dir, "db");
    kx_db_t *db = kxt_open(s->db_path, KX_OPEN_OVERWRITE);
    kxt_add_words(db, "r1", "merv oasis silk road");
    kxt_add_words(db, "r2", "khwarazm oasis");
    assert_int_equal(kx_db_set_metadata(db, "kavosh.schema", "7"), KX_OK);
    assert_int_equal(kx_db_add_synonym(db, "merv", "marv"), KX_OK);
    assert_int_equal(kx_db_commit(db), KX_OK);
    kx_db_close(db);

    /* The server is started and known to listen, or the remote tests skip. */
    int pid = start_tcpsrv(s->db_path, s->remote, sizeof s->remote);
    assert_true(pid >= 0);
    s->pid = pid;
    return 0;
}

static int teardown(void **state)
{
    struct server *s = *state;
    stop_tcpsrv(s->pid);
    free(s->db_path);
    kxt_rmtree(s->dir);
    free(s);
    return 0;
}

/* Open the remote, waiting for the server to come up. */
static kx_db_t *open_remote(struct server *s)
{
    const struct timespec pause = {0, CONNECT_PAUSE_NS};
    char *detail = NULL;
    for (int i = 0; i < CONNECT_TRIES; i++) {
        kx_db_t *db = NULL;
        kx_free(detail);
        detail = NULL;
        if (kx_db_open(s->remote, KX_OPEN_READ, &db, &detail) == KX_OK)
            return db;
        nanosleep(&pause, NULL);
    }
    fail_msg("could not reach %s: %s", s->remote, detail ? detail : "");
    return NULL;
}

static void test_remote_search(void **state)
{
    struct server *s = *state;
    if (!s->pid)
        skip();
    kx_db_t *db = open_remote(s);
    kx_db_stats_t st;
    assert_int_equal(kx_db_stats(db, &st), KX_OK);
    assert_int_equal(st.doc_count, 2);
    kx_query_t *q = kxt_parse_query("(PHRASE 0 silk road)");
    char *names = kxt_hit_names(db, q);
    assert_string_equal(names, "r1");
    free(names);
    kx_query_free(q);
    q = kxt_parse_query("oasis");
    names = kxt_hit_names(db, q);
    assert_string_equal(names, "r1,r2");
    free(names);
    kx_query_free(q);
    assert_int_equal(kx_db_check_schema(db, "kavosh.schema", "7"), KX_OK);
    assert_int_equal(kx_db_check_schema(db, "kavosh.schema", "8"), KX_SCHEMA_MISMATCH);
    /* A remote is read-only whatever the server allows. */
    assert_int_equal(kx_db_set_metadata(db, "k", "v"), KX_INVALID_ARGUMENT);
    kx_db_close(db);
}

static void test_remote_in_multi(void **state)
{
    struct server *s = *state;
    if (!s->pid)
        skip();
    kx_db_close(open_remote(s));   /* the server is up */
    char *local = kxt_join(s->dir, "local");
    kx_db_t *db = kxt_open(local, KX_OPEN_OVERWRITE);
    kxt_add_words(db, "l1", "oasis of bukhara");
    kx_db_close(db);
    const char *paths[] = {s->remote, local};
    kx_db_t *multi = NULL;
    char *detail = NULL;
    kx_status_t st = kx_db_open_multi(paths, 2, &multi, &detail);
    if (st != KX_OK)
        fail_msg("open_multi: %s", detail ? detail : "");
    kx_query_t *q = kxt_parse_query("oasis");
    char *names = kxt_hit_names(multi, q);
    assert_string_equal(names, "l1,r1,r2");
    free(names);
    kx_query_free(q);
    kx_db_close(multi);
    free(local);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_remote_search, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remote_in_multi, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
