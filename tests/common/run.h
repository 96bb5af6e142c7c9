/*
 * run.h - running the Kavosh programs from tests, as a user would.
 */
#ifndef KAVOSH_TEST_RUN_H
#define KAVOSH_TEST_RUN_H

#include <stddef.h>

typedef struct run_result {
    int    status;      /* exit code, or 128 + signal */
    char  *out;         /* standard output, NUL-terminated, malloc'd */
    size_t out_len;
    char  *err;         /* standard error, NUL-terminated, malloc'd */
    size_t err_len;
} run_result_t;

/* Run argv (argv[0] a path) with stdin from `input` (NULL: /dev/null) and the
 * environment changed by env ("NAME=VALUE" to set, "NAME" to unset; NULL-
 * terminated, may be NULL). Returns 0, or -1 if it could not be started. */
int run_program(const char *const *argv, const char *input, const char *const *env,
                run_result_t *r);
void run_result_free(run_result_t *r);

/* "a/b", malloc'd; aborts when memory runs out (a test cannot go on). */
char *test_join(const char *a, const char *b);
/* Write text to path, replacing it; aborts naming the path on failure. */
void test_write_file(const char *path, const char *text);

/* A fresh temporary directory (malloc'd path) and its recursive removal. */
char *make_temp_dir(void);
void remove_tree(const char *path);

/* Serve the index at db_path with xapian-tcpsrv on a free loopback port, in
 * a process group of its own (on SIGTERM it signals its whole group). On
 * success remote receives "tcp:127.0.0.1:PORT", the server accepts
 * connections, and its pid is returned; 0 if xapian-tcpsrv is not
 * installed; -1 on failure. */
int start_tcpsrv(const char *db_path, char *remote, size_t cap);
void stop_tcpsrv(int pid);

#endif
