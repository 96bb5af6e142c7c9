/*
 * cli.h - what kavosh-index and kavosh-search share as command-line programs:
 * one diagnostics helper with a fixed prefix, one table from status to exit
 * code, and where the index lives.
 */
#ifndef KAVOSH_CLI_H
#define KAVOSH_CLI_H

#include <stdarg.h>
#include <stddef.h>

#include "kavosh_xapian.h"

/* Exit codes of both programs (documented in --help, the man pages and README). */
typedef enum ki_exit {
    KI_EXIT_OK = 0,          /* success; for searches: at least one result */
    KI_EXIT_NO_RESULTS = 1,  /* the search ran and found nothing */
    KI_EXIT_USAGE = 2,       /* bad command line or malformed query */
    KI_EXIT_INDEX = 3,       /* index missing, locked, corrupt or of another schema version */
    KI_EXIT_FAILURE = 4      /* anything else: I/O, memory, internal errors */
} ki_exit_t;

/* The default index location when neither -d nor $KAVOSH_DB is given. */
#define KI_DEFAULT_DB "kavosh.db"

/* Set the program name used as the prefix of every message ("kavosh-search"). */
void ki_set_program(const char *name);
const char *ki_program(void);

/* "PROGRAM: error: MESSAGE\n" on stderr. */
void ki_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "PROGRAM: warning: MESSAGE\n" on stderr. */
void ki_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "PROGRAM: MESSAGE\n" on stderr, for progress and hints. */
void ki_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The exit code for a wrapper status. */
ki_exit_t ki_exit_for_status(kx_status_t st);

/* The index path: the -d argument if not NULL, else $KAVOSH_DB if set and
 * non-empty, else KI_DEFAULT_DB. Static or borrowed storage. */
const char *ki_db_path(const char *option);

/* Open the index at path for reading (writable = 0) or writing, check its
 * schema version, and report any failure as an error with a hint. Returns
 * KI_EXIT_OK and sets *db_out, or the exit code to leave with. */
ki_exit_t ki_open_index(const char *path, int writable, kx_db_t **db_out);

/* Open several indexes read-only, searched as one (shards, or remote
 * indexes named "tcp:HOST:PORT" served by xapian-tcpsrv). Each is checked
 * as ki_open_index does. */
ki_exit_t ki_open_indexes(const char *const *paths, size_t n, kx_db_t **db_out);

/* Read a whole file (or "-" for stdin) into a malloc'd, NUL-terminated buffer.
 * Returns 0, or -1 with errno set. */
int ki_read_file(const char *path, char **buf_out, size_t *len_out);

#endif /* KAVOSH_CLI_H */
