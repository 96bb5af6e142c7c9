/*
 * gl_test_util.h - helpers shared by the glossary tests: reading files,
 * loading a glossary while recording its diagnostics, splitting case tables,
 * and an independent script check of a TSV glossary's columns.
 */
#ifndef GL_TEST_UTIL_H
#define GL_TEST_UTIL_H

#include <stddef.h>

#include "analyzer.h"
#include "glossary.h"

/* Diagnostics kept for inspection. */
#define GL_MAX_DIAGS 256

typedef struct gl_diag {
    size_t line;
    char   message[512];
} gl_diag_t;

typedef struct gl_diags {
    gl_diag_t d[GL_MAX_DIAGS];
    size_t    n;              /* may exceed GL_MAX_DIAGS; only the first are kept */
    char      source[256];    /* the source name of the last diagnostic */
} gl_diags_t;

/* The whole file, NUL-terminated (malloc'd); fails the test if unreadable. */
char *gl_read_file(const char *path, size_t *len);
/* GL_TEST_DATA_DIR "/" name, in a static buffer valid until the next call. */
const char *gl_data_path(const char *name);

/* ks_glossary_diag_cb recording into a gl_diags_t. */
void gl_diag_record(void *ctx, const char *source, size_t line, const char *message);

/* Load path into a new glossary; the diagnostics go to diags (may be NULL). */
ks_glossary_t *gl_load(ka_analyzer_t *a, const char *path, gl_diags_t *diags,
                       ks_glossary_report_t *report);

/* Split line (modified in place) at TABs into at most max fields; returns the count. */
size_t gl_split_tabs(char *line, char **fields, size_t max);

/* Iterate the lines of a case table: comments (#) and blank lines skipped.
 * Returns the next line (NUL-terminated, in place) and its number, or NULL. */
char *gl_next_line(char **cursor, size_t *lineno);

/* The analysed exact terms of text joined by single spaces (KA_QUERY,
 * joined tokens left out), for comparing spellings by their analysis.
 * Static buffer, valid until the next call. */
const char *gl_analysed(ka_analyzer_t *a, const char *text);

/* Check that every spelling of a TSV glossary is written in its column's
 * script: only Arabic letters in fa, Cyrillic in ru, Latin in en, and at
 * least one letter. Independent of the loader: it reads the header and
 * splits columns itself. Returns the number of offending spellings and
 * stores up to max of their line numbers in lines. */
size_t gl_check_scripts(const char *buf, size_t len, size_t *lines, size_t max);

#endif /* GL_TEST_UTIL_H */
