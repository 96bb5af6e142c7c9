/*
 * kx_test_util.h - shared helpers for the wrapper tests: temporary
 * directories, small documents, result sets as strings, and the query
 * S-expression reader used by the table of query cases.
 */
#ifndef KX_TEST_UTIL_H
#define KX_TEST_UTIL_H

#include <stddef.h>

#include "kavosh_xapian.h"

/* Longest line read from a case table; tables are hand-written and short. */
#define KX_TEST_LINE_MAX 1024

/* A fresh directory under $TMPDIR (or /tmp); returns a malloc'd path. Fails the test if it cannot. */
char *kxt_tmpdir(void);
/* Remove dir and everything below it, then free the path. NULL ok. */
void kxt_rmtree(char *dir);
/* dir + "/" + name, malloc'd. */
char *kxt_join(const char *dir, const char *name);

/* Open path in mode, failing the test with the detail unless it succeeds. */
kx_db_t *kxt_open(const char *path, kx_open_mode_t mode);

/* Add a document named `name` (stored as its data and as boolean term "Q"+name)
 * whose words (space-separated) become positional postings 1, 2, ...
 * Replaces any earlier document of that name. Returns its docid. */
unsigned kxt_add_words(kx_db_t *db, const char *name, const char *words);

/* Run q on db and return the names (stored data) of all hits, sorted and
 * joined with ",", "-" for none; malloc'd. */
char *kxt_hit_names(kx_db_t *db, const kx_query_t *q);

/* Parse an S-expression query: a bare word is a term; "(OP [window] sub ...)"
 * combines, OP being AND OR AND_NOT FILTER AND_MAYBE PHRASE NEAR SYNONYM, with a
 * number after PHRASE and NEAR; "(WILDCARD prefix)" and "(RANGE slot lo hi)".
 * Returns NULL (and fails the test) on a syntax error. */
kx_query_t *kxt_parse_query(const char *text);

/* Open a file under tests/wrapper/ for reading; fails the test if it cannot. */
void *kxt_open_data(const char *name);
/* Read the next meaningful line (skipping blank lines and '#' comments) into
 * buf without its newline; 0 at end of file. */
int kxt_next_line(void *fp, char *buf, size_t cap);

#endif /* KX_TEST_UTIL_H */
