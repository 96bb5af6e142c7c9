/*
 * gl_test_util.c - helpers shared by the glossary tests (gl_test_util.h).
 */
#include "gl_test_util.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

char *gl_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (cap - n < 4096) {
            cap = cap ? cap * 2 : 65536;
            buf = realloc(buf, cap + 1);
            assert_non_null(buf);
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

const char *gl_data_path(const char *name)
{
    static char path[1024];
    snprintf(path, sizeof path, "%s/%s", GL_TEST_DATA_DIR, name);
    return path;
}

void gl_diag_record(void *ctx, const char *source, size_t line, const char *message)
{
    gl_diags_t *d = ctx;
    assert_non_null(source);
    assert_non_null(message);
    snprintf(d->source, sizeof d->source, "%s", source);
    if (d->n < GL_MAX_DIAGS) {
        d->d[d->n].line = line;
        snprintf(d->d[d->n].message, sizeof d->d[d->n].message, "%s", message);
    }
    d->n++;
}

ks_glossary_t *gl_load(ka_analyzer_t *a, const char *path, gl_diags_t *diags,
                       ks_glossary_report_t *report)
{
    size_t len;
    char *buf = gl_read_file(path, &len);
    ks_glossary_t *g = NULL;
    assert_int_equal(ks_glossary_new(&g), KS_GLOSSARY_OK);
    if (diags)
        memset(diags, 0, sizeof *diags);
    ks_glossary_status_t st = ks_glossary_add_tsv(g, a, path, buf, len,
                                                  diags ? gl_diag_record : NULL, diags, report);
    assert_int_equal(st, KS_GLOSSARY_OK);
    free(buf);
    return g;
}

size_t gl_split_tabs(char *line, char **fields, size_t max)
{
    size_t n = 0;
    char *p = line;
    while (n < max) {
        fields[n++] = p;
        char *tab = strchr(p, '\t');
        if (!tab)
            break;
        *tab = '\0';
        p = tab + 1;
    }
    return n;
}

char *gl_next_line(char **cursor, size_t *lineno)
{
    while (**cursor) {
        char *line = *cursor;
        char *nl = strchr(line, '\n');
        if (nl) {
            *nl = '\0';
            *cursor = nl + 1;
        } else {
            *cursor = line + strlen(line);
        }
        (*lineno)++;
        size_t n = strlen(line);
        if (n && line[n - 1] == '\r')
            line[--n] = '\0';
        if (n == 0 || line[0] == '#')
            continue;
        return line;
    }
    return NULL;
}

typedef struct joiner {
    char   buf[4096];
    size_t len;
} joiner_t;

static int join_cb(void *ctx, const ka_token_t *tok)
{
    joiner_t *j = ctx;
    if (tok->flags & KA_TOK_JOINED)
        return 0;
    if (j->len + tok->term_len + 2 > sizeof j->buf)
        return 1;
    if (j->len)
        j->buf[j->len++] = ' ';
    memcpy(j->buf + j->len, tok->term, tok->term_len);
    j->len += tok->term_len;
    j->buf[j->len] = '\0';
    return 0;
}

const char *gl_analysed(ka_analyzer_t *a, const char *text)
{
    static joiner_t j;
    j.len = 0;
    j.buf[0] = '\0';
    assert_int_equal(ka_analyze(a, KA_QUERY, text, strlen(text), join_cb, &j), KA_OK);
    return j.buf;
}

/* The script a column's letters must belong to, by its header name. */
static UScriptCode column_script(const char *name, size_t n)
{
    switch (ks_glossary_lang_from_code(name, n)) {
    case KS_LANG_FA: return USCRIPT_ARABIC;
    case KS_LANG_RU: return USCRIPT_CYRILLIC;
    case KS_LANG_EN: return USCRIPT_LATIN;
    default:         return USCRIPT_INVALID_CODE;
    }
}

/* 1 if s[0..n) has at least one letter and all its letters are of script sc. */
static int spelling_in_script(const char *s, size_t n, UScriptCode sc)
{
    int32_t i = 0, len = (int32_t)n, letters = 0;
    while (i < len) {
        UChar32 c;
        U8_NEXT(s, i, len, c);
        if (c < 0)
            return 0;                           /* invalid UTF-8 is no script at all */
        if (!u_isalpha(c))
            continue;
        UErrorCode err = U_ZERO_ERROR;
        UScriptCode cs = uscript_getScript(c, &err);
        if (U_FAILURE(err))
            return 0;
        /* Letters shared by scripts (COMMON/INHERITED) are not misplaced. */
        if (cs != sc && cs != USCRIPT_COMMON && cs != USCRIPT_INHERITED)
            return 0;
        letters++;
    }
    return letters > 0;
}

size_t gl_check_scripts(const char *buf, size_t len, size_t *lines, size_t max)
{
    char *copy = malloc(len + 1);
    assert_non_null(copy);
    memcpy(copy, buf, len);
    copy[len] = '\0';

    UScriptCode cols[16];
    size_t ncols = 0, bad = 0, lineno = 0;
    char *cursor = copy, *line;
    while ((line = gl_next_line(&cursor, &lineno)) != NULL) {
        char *f[16];
        size_t nf = gl_split_tabs(line, f, 16);
        if (ncols == 0) {
            for (size_t i = 0; i < nf; i++)
                cols[i] = column_script(f[i], strlen(f[i]));
            ncols = nf;
            continue;
        }
        for (size_t i = 0; i < nf && i < ncols; i++) {
            char *p = f[i];
            while (*p) {
                char *bar = strchr(p, '|');
                size_t n = bar ? (size_t)(bar - p) : strlen(p);
                const char *s = p;
                while (n && (*s == ' ')) { s++; n--; }
                while (n && s[n - 1] == ' ') n--;
                if (n && !spelling_in_script(s, n, cols[i])) {
                    if (bad < max)
                        lines[bad] = lineno;
                    bad++;
                }
                p = bar ? bar + 1 : p + strlen(p);
            }
        }
    }
    free(copy);
    return bad;
}
