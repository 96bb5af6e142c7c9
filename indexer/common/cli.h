/*
 * cli.h - what kavosh-index and kavosh-search share as command-line programs:
 * one diagnostics helper with a fixed prefix, one table from status to exit
 * code, and where the index lives.
 */
#ifndef KAVOSH_CLI_H
#define KAVOSH_CLI_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "kavosh_xapian.h"

/* Exit codes of both programs (documented in --help, the man pages and README). */
typedef enum ki_exit {
    KI_EXIT_OK = 0,          /* success; for searches: at least one result */
    KI_EXIT_NO_RESULTS = 1,  /* the search ran and found nothing */
    KI_EXIT_USAGE = 2,       /* bad command line or malformed query */
    KI_EXIT_INDEX = 3,       /* index missing, locked, corrupt or of another schema version */
    KI_EXIT_FAILURE = 4,     /* anything else: I/O, memory, internal errors */
    KI_EXIT_WRITE = 5        /* kavosh-index: the index could not be written (disk full,
                                I/O error); the run stopped there and the index stays
                                at its last commit */
} ki_exit_t;

/* The default index location when neither -d nor $KAVOSH_DB is given. */
#define KI_DEFAULT_DB "kavosh.db"

/* Set the program name used as the prefix of every message ("kavosh-search"). */
void ki_set_program(const char *name);
const char *ki_program(void);

/* "PROGRAM: error: MESSAGE\n" on stderr. Every message is written through
 * ki_put_safe (with KI_SAFE_NAMES: a message is one line), so a file name
 * or a query quoted in it can never put control bytes or a broken UTF-8
 * sequence on the terminal. */
void ki_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "PROGRAM: warning: MESSAGE\n" on stderr. */
void ki_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "PROGRAM: MESSAGE\n" on stderr, for progress and hints. */
void ki_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Text from documents, file names and queries is never written raw to a
 * terminal. ki_safe_next reads one character of s[*i, len) and advances *i;
 * it returns the character's code point when it is safe to print as it is,
 * or -1 after writing into esc (at least 12 bytes) the visible form to print
 * instead: a C0 control, DEL or a C1 control as \xHH or \uHHHH (so an escape
 * sequence shows as \x1B[...), a bidi embedding, override or isolate
 * character (U+202A-U+202E, U+2066-U+2069, which would reorder the rest of
 * the line) as \uHHHH, and a byte that is not part of valid UTF-8 (a lone
 * continuation byte, a cut sequence) as \xHH. With KI_SAFE_SPACES, newline,
 * tab and carriage return come back as ' '; else as themselves. */
#define KI_SAFE_SPACES 1
/* With KI_SAFE_NAMES they come back as the escapes \n, \t and \r instead:
 * a file name with a newline cannot start a line of its own (every message
 * is one line), and a TAB in a name cannot split a tab-separated field. */
#define KI_SAFE_NAMES 2
/* With KI_SAFE_BACKSLASH a backslash comes back as \\, so that what was
 * escaped can be told from what was written so (kavosh-index --list). */
#define KI_SAFE_BACKSLASH 4
long ki_safe_next(const char *s, size_t len, size_t *i, int flags, char esc[12]);

/* Write s[0, len) to out through ki_safe_next. */
void ki_put_safe(FILE *out, const char *s, size_t len, int flags);

/* A malloc'd, NUL-terminated copy of s made safe in the same way (NULL out
 * of memory), for messages naming a file or quoting a query. */
char *ki_safe_dup(const char *s);

/* Remove dir if it is a Xapian database directory (it holds "iamglass", and
 * only plain files), or one Xapian was creating when a run was killed (only
 * glass files, or nothing yet): what a killed kavosh-index leaves behind.
 * 0 if it is gone (or was never there), -1 with errno set, or EEXIST for
 * anything else there. */
int ki_remove_database_dir(const char *dir);

/* The exit code for a wrapper status. */
ki_exit_t ki_exit_for_status(kx_status_t st);

/* The index path: the -d argument if not NULL, else $KAVOSH_DB if set and
 * non-empty, else KI_DEFAULT_DB. Static or borrowed storage. */
const char *ki_db_path(const char *option);

/* The hint to print after failing to open the index at path (may be NULL)
 * with status st and Xapian's detail (may be NULL), by the cause: permission
 * denied, a read-only file system, a folder that is not an index, a missing
 * index, another writer's lock, damage, another schema. NULL when none
 * helps. Static storage. */
const char *ki_open_hint(kx_status_t st, int writable, const char *path, const char *detail);

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
