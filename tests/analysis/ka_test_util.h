/*
 * ka_test_util.h - helpers shared by the analyzer tests: reading the tables
 * of cases (tab-separated, with escapes) and collecting tokens.
 */
#ifndef KA_TEST_UTIL_H
#define KA_TEST_UTIL_H

#include <stddef.h>

#include "analyzer.h"

/* One line of a table: its number in the file and its fields, unescaped
 * (each malloc'd and NUL-terminated; flen gives lengths, as \x00 is allowed). */
typedef struct ka_test_row {
    int     lineno;
    int     nfields;
    char   *field[6];
    size_t  flen[6];
} ka_test_row_t;

/* Read a table: lines that are empty or start with '#' are skipped. Escapes in
 * fields: \t \n \\ \xNN (a raw byte), \uXXXX (a code point, UTF-8 encoded),
 * \*N{text} (text repeated N times, for overlong words). Exits on error. */
ka_test_row_t *ka_test_read_table(const char *path, size_t *n_out);
void ka_test_free_table(ka_test_row_t *rows, size_t n);

/* A copy of a token, owned by the list. */
typedef struct ka_test_tok {
    char       *term;
    size_t      term_len;
    char       *stem;        /* NULL if none */
    size_t      stem_len;
    size_t      start, end;
    unsigned    pos;
    ka_script_t script;
    unsigned    flags;
} ka_test_tok_t;

typedef struct ka_test_toks {
    ka_test_tok_t *v;
    size_t n, cap;
} ka_test_toks_t;

/* Analyse text into toks (which is emptied first). Returns ka_analyze's status. */
ka_status_t ka_test_collect(ka_analyzer_t *a, ka_mode_t mode, const char *text, size_t len,
                            ka_test_toks_t *toks);
void ka_test_toks_free(ka_test_toks_t *toks);

/* Directory of the data files, from the command line or the build. */
#ifndef KA_TEST_DATA_DIR
#define KA_TEST_DATA_DIR "."
#endif

#endif /* KA_TEST_UTIL_H */
