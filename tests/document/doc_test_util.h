/*
 * doc_test_util.h - helpers shared by the document tests: reading files,
 * parsing them, and splitting tab-separated case tables.
 */
#ifndef KAVOSH_DOC_TEST_UTIL_H
#define KAVOSH_DOC_TEST_UTIL_H

#include <stddef.h>

#include "document.h"

/* The whole file, NUL-terminated, or NULL. Free with free(). */
char *dt_read_file(const char *path, size_t *len);

/* Parse path with the format guessed from its name; NULL if it cannot be read or parsed. */
kd_document_t *dt_parse_file(ka_analyzer_t *an, const char *path);

/* Split line (modified in place) at tabs into at most max fields; returns the count.
 * Blank lines and lines starting with '#' give 0. */
size_t dt_split_tsv(char *line, char **fields, size_t max);

/* The first passage whose text contains needle, or NULL. */
const kd_passage_t *dt_find_passage(const kd_document_t *doc, const char *needle);

/* Build a path inside the test data folder (static buffer, one at a time). */
const char *dt_data(const char *file);

#endif
